package nnop

import (
	"fmt"
	"unsafe"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/skyinv/skyinv/nn"
)

// float32Data returns the elements of the float32 tensor v in row-major
// order, and its shape. A tensor that needs an iterator to be read in that
// order (a transposed or strided view, or a masked tensor) is copied
// first, which allocates. Otherwise the returned slice shares v's memory.
func float32Data(v gorgonia.Value) ([]float32, tensor.Shape, error) {
	d, err := float32Dense(v)
	if err != nil {
		return nil, nil, err
	}
	if d.RequiresIterator() {
		copied := d.Materialize()
		m, ok := copied.(*tensor.Dense)
		if !ok {
			return nil, nil, fmt.Errorf("failed to copy the view of shape %v into a dense tensor: Materialize returned a %T", d.Shape(), copied)
		}
		d = m
	}
	shape := d.Shape()
	data := d.Float32s()
	if len(data) < shape.TotalSize() {
		return nil, nil, fmt.Errorf("tensor of shape %v contains only %d elements", shape, len(data))
	}
	return data[:shape.TotalSize()], shape, nil
}

// writableFloat32Data returns the memory of the float32 tensor v, which
// must have n elements in row-major order, for the caller to write to.
func writableFloat32Data(v gorgonia.Value, n int) ([]float32, error) {
	d, err := float32Dense(v)
	if err != nil {
		return nil, err
	}
	if d.RequiresIterator() {
		return nil, fmt.Errorf("tensor of shape %v is a strided or masked view, which cannot be written in place", d.Shape())
	}
	data := d.Float32s()
	if d.Shape().TotalSize() != n || len(data) < n {
		return nil, fmt.Errorf("tensor of shape %v has %d elements, expected %d", d.Shape(), d.Shape().TotalSize(), n)
	}
	return data[:n], nil
}

func float32Dense(v gorgonia.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("value is a %T, expected a *tensor.Dense", v)
	}
	if d.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("tensor of shape %v has element type %v, expected float32", d.Shape(), d.Dtype())
	}
	return d, nil
}

// hasShape reports whether shape is dims.
func hasShape(shape tensor.Shape, dims ...int) bool {
	if len(shape) != len(dims) {
		return false
	}
	for i, d := range dims {
		if shape[i] != d {
			return false
		}
	}
	return true
}

// dimSizes returns the n dimensions of s.
func dimSizes(s gorgonia.DimSizer, n int) ([]int, error) {
	dims := make([]int, n)
	for i := range dims {
		d, err := s.DimSize(i)
		if err != nil {
			return nil, fmt.Errorf("shape %v has no dimension %d of %d: %w", s, i, n, err)
		}
		dims[i] = d
	}
	if shape, ok := s.(tensor.Shape); ok && len(shape) != n {
		return nil, fmt.Errorf("shape %v has %d dimensions, expected %d", shape, len(shape), n)
	}
	return dims, nil
}

// buffer is an N×C×H×W float32 tensor that an op returns from each run and
// overwrites at the next, so that a run allocates no output. Its memory
// grows to the largest size seen.
type buffer struct {
	t     nn.Tensor
	dense *tensor.Dense
}

// resize sets the buffer's shape to n×c×h×w and returns it as an
// nn.Tensor. The matching *tensor.Dense is in b.dense.
func (b *buffer) resize(n, c, h, w int) *nn.Tensor {
	size := n * c * h * w
	if cap(b.t.Data) < size {
		b.t.Data = make([]float32, size)
	}
	b.t = nn.Tensor{N: n, C: c, H: h, W: w, Data: b.t.Data[:size]}
	b.dense = denseOver(b.dense, b.t.Data, n, c, h, w)
	return &b.t
}

// denseOver returns d if it is still a plain float32 tensor of the given
// shape over exactly data, or else a new *tensor.Dense over data.
//
// The check matters because gorgonia may reshape a value it was given, or
// hand its header back to the tensor package's pool (UnbindAll does), after
// which the header can describe another tensor.
func denseOver(d *tensor.Dense, data []float32, shape ...int) *tensor.Dense {
	if d != nil && d.Dtype() == tensor.Float32 && !d.IsMaterializable() && hasShape(d.Shape(), shape...) {
		got := d.Float32s()
		if len(got) == len(data) && unsafe.SliceData(got) == unsafe.SliceData(data) {
			return d
		}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}
