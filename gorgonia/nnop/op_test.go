package nnop

import (
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestOpsAllocateNothing checks that after a first call, Do of the
// convolution and of its three gradient ops allocates nothing.
func TestOpsAllocateNothing(t *testing.T) {
	g := gorgonia.NewGraph()
	newTensor := func(name string, shape ...int) (*gorgonia.Node, *tensor.Dense) {
		size := tensor.Shape(shape).TotalSize()
		data := make([]float32, size)
		for i := range data {
			data[i] = float32(i%7) - 3
		}
		value := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
		return gorgonia.NewTensor(g, tensor.Float32, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(value)), value
	}
	x, xv := newTensor("x", 2, 3, 11, 9)
	w, wv := newTensor("w", 4, 3, 3, 5)
	b, bv := newTensor("b", 4)
	_, yGrad := newTensor("yGrad", 2, 4, 11, 9)

	y, err := Conv2D(x, w, b)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := y.Op().(gorgonia.SDOp).SymDiff(gorgonia.Nodes{x, w, b}, y, y)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		op     gorgonia.Op
		values []gorgonia.Value
	}{
		{y.Op(), []gorgonia.Value{xv, wv, bv}},
		{grads[0].Op(), []gorgonia.Value{wv, yGrad}},
		{grads[1].Op(), []gorgonia.Value{xv, yGrad}},
		{grads[2].Op(), []gorgonia.Value{yGrad}},
	} {
		if _, err := tc.op.Do(tc.values...); err != nil {
			t.Fatalf("%v: %v", tc.op, err)
		}
		allocs := testing.AllocsPerRun(10, func() {
			if _, err := tc.op.Do(tc.values...); err != nil {
				t.Fatalf("%v: %v", tc.op, err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocates %g times per call, expected 0", tc.op, allocs)
		}
	}
}

// TestConv2DTransposedInput passes an input that is a transposed view,
// which float32Data must copy into row-major order before the layer reads it.
func TestConv2DTransposedInput(t *testing.T) {
	const n, c, h, w = 2, 3, 5, 7
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(n, c, h, w), gorgonia.WithName("x"))
	k := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(2, c, 3, 3), gorgonia.WithName("w"))
	b := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(2), gorgonia.WithName("b"))
	y, err := Conv2D(x, k, b)
	if err != nil {
		t.Fatal(err)
	}

	// view is an N×H×C×W tensor seen through a transpose as N×C×H×W.
	data := make([]float32, n*h*c*w)
	for i := range data {
		data[i] = float32(i%11) - 5
	}
	view := tensor.New(tensor.WithShape(n, h, c, w), tensor.WithBacking(data))
	if err := view.T(0, 2, 1, 3); err != nil {
		t.Fatal(err)
	}
	if !view.RequiresIterator() {
		t.Fatal("the transposed tensor reads in row-major order, so the test checks nothing")
	}
	dense := view.Materialize().(*tensor.Dense)

	kernel := make([]float32, 2*c*3*3)
	for i := range kernel {
		kernel[i] = float32(i%5) - 2
	}
	kv := tensor.New(tensor.WithShape(2, c, 3, 3), tensor.WithBacking(kernel))
	bv := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.25, -1}))

	want, err := y.Op().Do(dense, kv, bv)
	if err != nil {
		t.Fatal(err)
	}
	wantData := slices.Clone(want.Data().([]float32))
	got, err := y.Op().Do(view, kv, bv)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Data().([]float32), wantData) {
		t.Errorf("output for the transposed view differs from the output for its row-major copy")
	}
	if slices.Equal(wantData, make([]float32, len(wantData))) {
		t.Errorf("output is all zeros, so the comparison checks nothing")
	}
}
