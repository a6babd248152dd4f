package operators

import "fmt"

// Shape is the layout of a vector of maps: Channels planes of NX × NY
// pixels.
type Shape struct {
	NX, NY, Channels int
}

// Len returns the number of values.
func (s Shape) Len() int { return s.NX * s.NY * s.Channels }

func (s Shape) String() string {
	if s.Channels == 1 {
		return fmt.Sprintf("%d x %d", s.NX, s.NY)
	}
	return fmt.Sprintf("%d x %d x %d", s.NX, s.NY, s.Channels)
}

// Operator is a linear map A from vectors of shape Domain to vectors of
// shape Range.
type Operator interface {
	Domain() Shape
	Range() Shape
	// Apply writes A src into dst.
	Apply(dst, src []float64)
	// Adjoint writes Aᵀ src into dst.
	Adjoint(dst, src []float64)
}

// checkLengths panics when dst and src do not fit the shapes.
func checkLengths(name string, dst, src []float64, dstShape, srcShape Shape) {
	if len(dst) != dstShape.Len() || len(src) != srcShape.Len() {
		panic(fmt.Sprintf("operators: %s: destination of %d and source of %d values for shapes %v and %v", name, len(dst), len(src), dstShape, srcShape))
	}
}
