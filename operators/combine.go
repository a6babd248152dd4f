package operators

import "fmt"

// Mask multiplies every channel by a 0/1 mask: the selection of observed
// pixels. It is its own adjoint.
type Mask struct {
	shape Shape
	keep  []bool
}

var _ Operator = (*Mask)(nil)

// NewMask returns the mask operator on vectors of the given shape; keep has
// NX*NY values, applied to every channel.
func NewMask(shape Shape, keep []bool) (*Mask, error) {
	if len(keep) != shape.NX*shape.NY {
		return nil, fmt.Errorf("operators: mask of %d values for %d x %d maps", len(keep), shape.NX, shape.NY)
	}
	return &Mask{shape: shape, keep: keep}, nil
}

// Domain returns the shape.
func (m *Mask) Domain() Shape { return m.shape }

// Range returns the shape.
func (m *Mask) Range() Shape { return m.shape }

// Apply zeroes the masked pixels of src into dst. dst may be src.
func (m *Mask) Apply(dst, src []float64) {
	checkLengths("Mask.Apply", dst, src, m.shape, m.shape)
	n := len(m.keep)
	for c := range m.shape.Channels {
		d, s := dst[c*n:(c+1)*n], src[c*n:(c+1)*n]
		for i, k := range m.keep {
			if k {
				d[i] = s[i]
			} else {
				d[i] = 0
			}
		}
	}
}

// Adjoint is Apply.
func (m *Mask) Adjoint(dst, src []float64) { m.Apply(dst, src) }

// Sample picks the observed pixels of every channel into a packed vector:
// its range has NX equal to the number of kept pixels, NY 1, and the same
// channels. Its adjoint scatters them back, with zeros elsewhere.
type Sample struct {
	shape Shape
	index []int
}

var _ Operator = (*Sample)(nil)

// NewSample returns the sampling operator on vectors of the given shape;
// keep has NX*NY values. It returns an error when no pixel is kept.
func NewSample(shape Shape, keep []bool) (*Sample, error) {
	if len(keep) != shape.NX*shape.NY {
		return nil, fmt.Errorf("operators: mask of %d values for %d x %d maps", len(keep), shape.NX, shape.NY)
	}
	s := &Sample{shape: shape}
	for i, k := range keep {
		if k {
			s.index = append(s.index, i)
		}
	}
	if len(s.index) == 0 {
		return nil, fmt.Errorf("operators: the mask keeps no pixel")
	}
	return s, nil
}

// Domain returns the map shape.
func (s *Sample) Domain() Shape { return s.shape }

// Range returns the packed shape.
func (s *Sample) Range() Shape { return Shape{len(s.index), 1, s.shape.Channels} }

// Apply gathers the kept pixels of src into dst.
func (s *Sample) Apply(dst, src []float64) {
	checkLengths("Sample.Apply", dst, src, s.Range(), s.Domain())
	n, m := s.shape.NX*s.shape.NY, len(s.index)
	for c := range s.shape.Channels {
		for j, i := range s.index {
			dst[c*m+j] = src[c*n+i]
		}
	}
}

// Adjoint scatters src into the kept pixels of dst and zeroes the others.
func (s *Sample) Adjoint(dst, src []float64) {
	checkLengths("Sample.Adjoint", dst, src, s.Domain(), s.Range())
	clear(dst)
	n, m := s.shape.NX*s.shape.NY, len(s.index)
	for c := range s.shape.Channels {
		for j, i := range s.index {
			dst[c*n+i] = src[c*m+j]
		}
	}
}

// Composition applies operators in sequence: Compose(A, B, C) is A∘B∘C,
// which applies C first.
type Composition struct {
	ops  []Operator
	bufs [][]float64 // bufs[i] holds the output of ops[i+1]
}

var _ Operator = (*Composition)(nil)

// Compose returns A1∘A2∘…∘An. It returns an error when the range of one
// operator differs from the domain of the operator before it.
func Compose(ops ...Operator) (*Composition, error) {
	if len(ops) == 0 {
		return nil, fmt.Errorf("operators: Compose needs at least one operator")
	}
	c := &Composition{ops: ops}
	for i := 0; i+1 < len(ops); i++ {
		if ops[i+1].Range() != ops[i].Domain() {
			return nil, fmt.Errorf("operators: cannot compose: operator %d returns %v but operator %d takes %v", i+2, ops[i+1].Range(), i+1, ops[i].Domain())
		}
		c.bufs = append(c.bufs, make([]float64, ops[i].Domain().Len()))
	}
	return c, nil
}

// Domain returns the domain of the last operator.
func (c *Composition) Domain() Shape { return c.ops[len(c.ops)-1].Domain() }

// Range returns the range of the first operator.
func (c *Composition) Range() Shape { return c.ops[0].Range() }

// Apply writes A1(A2(…An(src))) into dst.
func (c *Composition) Apply(dst, src []float64) {
	checkLengths("Composition.Apply", dst, src, c.Range(), c.Domain())
	in := src
	for i := len(c.ops) - 1; i >= 1; i-- {
		c.ops[i].Apply(c.bufs[i-1], in)
		in = c.bufs[i-1]
	}
	c.ops[0].Apply(dst, in)
}

// Adjoint writes An^T(…A1^T(src)) into dst.
func (c *Composition) Adjoint(dst, src []float64) {
	checkLengths("Composition.Adjoint", dst, src, c.Domain(), c.Range())
	in := src
	for i := 0; i+1 < len(c.ops); i++ {
		c.ops[i].Adjoint(c.bufs[i], in)
		in = c.bufs[i]
	}
	c.ops[len(c.ops)-1].Adjoint(dst, in)
}

// Sum adds operators with the same domain and range, each scaled:
// Σ w_i A_i.
type Sum struct {
	ops     []Operator
	weights []float64
	buf     []float64
}

var _ Operator = (*Sum)(nil)

// NewSum returns Σ weights[i] ops[i]; weights nil means all 1. It returns an
// error when the shapes differ.
func NewSum(weights []float64, ops ...Operator) (*Sum, error) {
	if len(ops) == 0 {
		return nil, fmt.Errorf("operators: a sum needs at least one operator")
	}
	if weights == nil {
		weights = make([]float64, len(ops))
		for i := range weights {
			weights[i] = 1
		}
	}
	if len(weights) != len(ops) {
		return nil, fmt.Errorf("operators: %d weights for %d operators", len(weights), len(ops))
	}
	for i, op := range ops[1:] {
		if op.Domain() != ops[0].Domain() || op.Range() != ops[0].Range() {
			return nil, fmt.Errorf("operators: cannot add operator %d (%v to %v) to operator 1 (%v to %v)", i+2, op.Domain(), op.Range(), ops[0].Domain(), ops[0].Range())
		}
	}
	size := max(ops[0].Range().Len(), ops[0].Domain().Len())
	return &Sum{ops: ops, weights: weights, buf: make([]float64, size)}, nil
}

// Scale returns the operator c·A.
func Scale(c float64, a Operator) *Sum {
	s, _ := NewSum([]float64{c}, a)
	return s
}

// Domain returns the common domain.
func (s *Sum) Domain() Shape { return s.ops[0].Domain() }

// Range returns the common range.
func (s *Sum) Range() Shape { return s.ops[0].Range() }

// Apply writes Σ w_i A_i src into dst.
func (s *Sum) Apply(dst, src []float64) {
	checkLengths("Sum.Apply", dst, src, s.Range(), s.Domain())
	s.accumulate(dst, src, false)
}

// Adjoint writes Σ w_i A_iᵀ src into dst.
func (s *Sum) Adjoint(dst, src []float64) {
	checkLengths("Sum.Adjoint", dst, src, s.Domain(), s.Range())
	s.accumulate(dst, src, true)
}

func (s *Sum) accumulate(dst, src []float64, adjoint bool) {
	tmp := s.buf[:len(dst)]
	for i, op := range s.ops {
		if adjoint {
			op.Adjoint(tmp, src)
		} else {
			op.Apply(tmp, src)
		}
		w := s.weights[i]
		if i == 0 {
			for j, v := range tmp {
				dst[j] = w * v
			}
			continue
		}
		for j, v := range tmp {
			dst[j] += w * v
		}
	}
}
