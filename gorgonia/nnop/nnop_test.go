package nnop_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/skyinv/skyinv/gorgonia/nnop"
)

// Tolerances relative to the largest reference value. Both float32
// convolutions add the same products in different orders.
const (
	forwardTol = 1e-5
	gradTol    = 1e-4
)

// layerCase is the shape of one test convolution. The odd, unequal image
// sizes catch rows and columns swapped or cut short at a tile edge.
type layerCase struct {
	name                       string
	n, cin, cout, h, w, kh, kw int
}

var layerCases = []layerCase{
	{"3x3", 2, 3, 4, 13, 17, 3, 3},
	{"3x5", 2, 3, 4, 13, 17, 3, 5},
}

// layerValues are the input x, kernel w and bias b of a test layer, and
// the weights r of the test loss L = Σ r·y, so that ∂L/∂y = r.
type layerValues struct {
	x, w, b, r []float32
}

func newLayerValues(c layerCase, seed uint64) layerValues {
	rng := rand.New(rand.NewPCG(seed, 1))
	normal := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	return layerValues{
		x: normal(c.n * c.cin * c.h * c.w),
		w: normal(c.cout * c.cin * c.kh * c.kw),
		b: normal(c.cout),
		r: normal(c.n * c.cout * c.h * c.w),
	}
}

// layerGraph is a graph of y = conv(x, w) + b and the loss L = Σ r·y.
//
// After a run, y's own value may hold r·y, because gorgonia computes the
// product in y's memory. A Read node copies y into yValue before that.
type layerGraph struct {
	g             *gorgonia.ExprGraph
	x, w, b, y, l *gorgonia.Node
	yValue        gorgonia.Value
	grads         gorgonia.Nodes // ∂L/∂x, ∂L/∂w, ∂L/∂b, if requested
}

// buildLayer builds the convolution with nnop.Conv2D when ours is true,
// and otherwise with gorgonia.Conv2d, padded by half the kernel, and a
// broadcast bias. With withGrad it adds the gradient nodes of
// gorgonia.Grad. The graph contains copies of v.
func buildLayer(t *testing.T, c layerCase, v layerValues, ours, withGrad bool) *layerGraph {
	t.Helper()
	g := gorgonia.NewGraph()
	newTensor := func(name string, data []float32, shape ...int) *gorgonia.Node {
		value := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(slices.Clone(data)))
		return gorgonia.NewTensor(g, tensor.Float32, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(value))
	}
	lg := &layerGraph{
		g: g,
		x: newTensor("x", v.x, c.n, c.cin, c.h, c.w),
		w: newTensor("w", v.w, c.cout, c.cin, c.kh, c.kw),
		b: newTensor("b", v.b, c.cout),
	}
	r := newTensor("r", v.r, c.n, c.cout, c.h, c.w)

	var err error
	if ours {
		lg.y, err = nnop.Conv2D(lg.x, lg.w, lg.b)
	} else {
		lg.y, err = referenceConv(lg.x, lg.w, lg.b)
	}
	if err != nil {
		t.Fatalf("building the convolution: %v", err)
	}
	if want := (tensor.Shape{c.n, c.cout, c.h, c.w}); !lg.y.Shape().Eq(want) {
		t.Fatalf("output node has shape %v, expected %v", lg.y.Shape(), want)
	}
	gorgonia.Read(lg.y, &lg.yValue)

	ry, err := gorgonia.HadamardProd(lg.y, r)
	if err != nil {
		t.Fatalf("building r·y: %v", err)
	}
	if lg.l, err = gorgonia.Sum(ry); err != nil {
		t.Fatalf("building Σ r·y: %v", err)
	}
	if withGrad {
		if lg.grads, err = gorgonia.Grad(lg.l, lg.x, lg.w, lg.b); err != nil {
			t.Fatalf("gorgonia.Grad: %v", err)
		}
	}
	return lg
}

// referenceConv builds gorgonia's own 'same' convolution plus bias.
func referenceConv(x, w, b *gorgonia.Node) (*gorgonia.Node, error) {
	kh, kw := w.Shape()[2], w.Shape()[3]
	conv, err := gorgonia.Conv2d(x, w, tensor.Shape{kh, kw}, []int{kh / 2, kw / 2}, []int{1, 1}, []int{1, 1})
	if err != nil {
		return nil, err
	}
	return gorgonia.BroadcastAdd(conv, b, nil, []byte{0, 2, 3})
}

// runTape runs lg once in a new TapeMachine.
func runTape(t *testing.T, lg *layerGraph) {
	t.Helper()
	m := gorgonia.NewTapeMachine(lg.g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatalf("TapeMachine.RunAll: %v", err)
	}
}

// valueOf returns a copy of the elements of v in row-major order.
func valueOf(t *testing.T, v gorgonia.Value) []float32 {
	t.Helper()
	d, ok := v.(*tensor.Dense)
	if !ok {
		t.Fatalf("value is a %T, expected a *tensor.Dense", v)
	}
	if d.RequiresIterator() {
		d = d.Materialize().(*tensor.Dense)
	}
	data, ok := d.Data().([]float32)
	if !ok {
		t.Fatalf("value contains %T, expected []float32", d.Data())
	}
	return slices.Clone(data[:d.Shape().TotalSize()])
}

// relErr returns max|got-want| / max|want|, or +Inf if the lengths differ
// or want is all zeros, so that a comparison with an empty or zero
// reference fails.
func relErr(got, want []float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var diff, scale float64
	for i := range got {
		diff = math.Max(diff, math.Abs(float64(got[i])-float64(want[i])))
		scale = math.Max(scale, math.Abs(float64(want[i])))
	}
	if scale == 0 {
		return math.Inf(1)
	}
	return diff / scale
}

// directConv evaluates the convolution of v in float64 straight from the
// definition in nnop.Conv2D's comment.
func directConv(c layerCase, v layerValues) []float32 {
	out := make([]float32, c.n*c.cout*c.h*c.w)
	for n := range c.n {
		for o := range c.cout {
			for i := range c.h {
				for j := range c.w {
					s := float64(v.b[o])
					for ch := range c.cin {
						for u := range c.kh {
							for q := range c.kw {
								y, x := i+u-c.kh/2, j+q-c.kw/2
								if y < 0 || y >= c.h || x < 0 || x >= c.w {
									continue
								}
								s += float64(v.w[((o*c.cin+ch)*c.kh+u)*c.kw+q]) * float64(v.x[((n*c.cin+ch)*c.h+y)*c.w+x])
							}
						}
					}
					out[((n*c.cout+o)*c.h+i)*c.w+j] = float32(s)
				}
			}
		}
	}
	return out
}

func TestConv2DForward(t *testing.T) {
	for _, c := range layerCases {
		t.Run(c.name, func(t *testing.T) {
			v := newLayerValues(c, 1)
			ours := buildLayer(t, c, v, true, false)
			ref := buildLayer(t, c, v, false, false)
			runTape(t, ours)
			runTape(t, ref)
			got := valueOf(t, ours.yValue)
			want := valueOf(t, ref.yValue)
			direct := directConv(c, v)

			if err := relErr(got, want); err > forwardTol {
				t.Errorf("output differs from gorgonia.Conv2d by %.3g relative, expected at most %.0g", err, forwardTol)
			}
			if err := relErr(got, direct); err > forwardTol {
				t.Errorf("output differs from the float64 loop by %.3g relative, expected at most %.0g", err, forwardTol)
			}
			if err := relErr(want, direct); err > forwardTol {
				t.Errorf("gorgonia.Conv2d differs from the float64 loop by %.3g relative, so the reference is set up wrong", err)
			}
		})
	}
}

func TestConv2DGradients(t *testing.T) {
	for _, c := range layerCases {
		t.Run(c.name, func(t *testing.T) {
			v := newLayerValues(c, 2)
			ours := buildLayer(t, c, v, true, true)
			ref := buildLayer(t, c, v, false, true)
			runTape(t, ours)
			runTape(t, ref)

			if err := relErr(valueOf(t, ours.yValue), valueOf(t, ref.yValue)); err > forwardTol {
				t.Errorf("output differs from gorgonia.Conv2d by %.3g relative", err)
			}
			for i, name := range []string{"x", "w", "b"} {
				got := valueOf(t, ours.grads[i].Value())
				want := valueOf(t, ref.grads[i].Value())
				if err := relErr(got, want); err > gradTol {
					t.Errorf("∂L/∂%s differs from gorgonia.Conv2d's by %.3g relative, expected at most %.0g", name, err, gradTol)
				}
			}
		})
	}
}

// TestConv2DLispMachine checks DoDiff, which the LispMachine calls in
// place of SymDiff. A LispMachine differentiates only in its first run, so
// the test starts a second machine on the same graph. In gorgonia v0.9.18
// that machine adds its gradients to the derivatives left by the first,
// and the sums are twice the reference. (gorgonia's own Conv2d fails to
// differentiate in a second machine.)
func TestConv2DLispMachine(t *testing.T) {
	for _, c := range layerCases {
		t.Run(c.name, func(t *testing.T) {
			v := newLayerValues(c, 3)
			ours := buildLayer(t, c, v, true, false)
			ref := buildLayer(t, c, v, false, true)
			runTape(t, ref)

			for run := range 2 {
				m := gorgonia.NewLispMachine(ours.g)
				err := m.RunAll()
				m.Close()
				if err != nil {
					t.Fatalf("LispMachine.RunAll, machine %d: %v", run+1, err)
				}

				if err := relErr(valueOf(t, ours.yValue), valueOf(t, ref.yValue)); err > forwardTol {
					t.Errorf("machine %d: output differs from gorgonia.Conv2d by %.3g relative", run+1, err)
				}
				for i, node := range []*gorgonia.Node{ours.x, ours.w, ours.b} {
					grad, err := node.Grad()
					if err != nil {
						t.Fatalf("machine %d: %v has no gradient: %v", run+1, node, err)
					}
					want := valueOf(t, ref.grads[i].Value())
					for k := range want {
						want[k] *= float32(run + 1)
					}
					if err := relErr(valueOf(t, grad), want); err > gradTol {
						t.Errorf("machine %d: ∂L/∂%s differs from %d × gorgonia.Conv2d's by %.3g relative, expected at most %.0g", run+1, node.Name(), run+1, err, gradTol)
					}
				}
			}
		})
	}
}

func TestConv2DRepeatable(t *testing.T) {
	c := layerCases[1]
	lg := buildLayer(t, c, newLayerValues(c, 4), true, true)
	m := gorgonia.NewTapeMachine(lg.g)
	defer m.Close()

	var first [][]float32
	for run := range 2 {
		if err := m.RunAll(); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		values := []gorgonia.Value{lg.yValue, lg.grads[0].Value(), lg.grads[1].Value(), lg.grads[2].Value()}
		for i, name := range []string{"y", "∂L/∂x", "∂L/∂w", "∂L/∂b"} {
			got := valueOf(t, values[i])
			if run == 0 {
				first = append(first, got)
				continue
			}
			if !slices.Equal(got, first[i]) {
				t.Errorf("%s differs between two runs of one machine", name)
			}
		}
		m.Reset()
	}
}

// TestConv2DNewValues changes the kernel in place, as gorgonia's solvers
// do, and the input through Let, and checks that the next run of the same
// machine uses both.
func TestConv2DNewValues(t *testing.T) {
	c := layerCases[0]
	v := newLayerValues(c, 5)
	lg := buildLayer(t, c, v, true, false)
	m := gorgonia.NewTapeMachine(lg.g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	m.Reset()

	next := newLayerValues(c, 6)
	next.b = v.b
	copy(lg.w.Value().Data().([]float32), next.w)
	x := tensor.New(tensor.WithShape(c.n, c.cin, c.h, c.w), tensor.WithBacking(slices.Clone(next.x)))
	if err := gorgonia.Let(lg.x, x); err != nil {
		t.Fatalf("Let: %v", err)
	}
	if err := m.RunAll(); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if err := relErr(valueOf(t, lg.yValue), directConv(c, next)); err > forwardTol {
		t.Errorf("second run differs from the float64 loop with the new values by %.3g relative", err)
	}
}

func TestConv2DErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	tensor4 := func(dt tensor.Dtype, shape ...int) *gorgonia.Node {
		return gorgonia.NewTensor(g, dt, 4, gorgonia.WithShape(shape...))
	}
	x := tensor4(tensor.Float32, 1, 2, 8, 8)
	w := tensor4(tensor.Float32, 3, 2, 3, 3)
	b := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(3))

	for _, tc := range []struct {
		name    string
		x, w, b *gorgonia.Node
		message string
	}{
		{"nil bias", x, w, nil, "node is nil"},
		{"matrix input", gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(8, 8)), w, b, "expected 4 dimensions"},
		{"float64 input", tensor4(tensor.Float64, 1, 2, 8, 8), w, b, "expected float32"},
		{"channel mismatch", tensor4(tensor.Float32, 1, 4, 8, 8), w, b, "has 4 channels"},
		{"even kernel", x, tensor4(tensor.Float32, 3, 2, 2, 3), b, "odd kernel sizes"},
		{"short bias", x, w, gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(2)), "has 2 elements, expected 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y, err := nnop.Conv2D(tc.x, tc.w, tc.b)
			if err == nil {
				t.Fatalf("returned %v and no error", y)
			}
			if !strings.HasPrefix(err.Error(), "nnop: ") || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q, expected an \"nnop: \" message containing %q", err, tc.message)
			}
		})
	}
}

// TestConv2DSolverStep takes one step of gorgonia's plain gradient descent
// on the kernel and bias, and checks the step and the next run's output.
func TestConv2DSolverStep(t *testing.T) {
	const learnRate = 0.01
	c := layerCases[1]
	v := newLayerValues(c, 7)
	lg := buildLayer(t, c, v, true, true)
	m := gorgonia.NewTapeMachine(lg.g, gorgonia.BindDualValues(lg.w, lg.b))
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	m.Reset()

	// The step should move each parameter by -learnRate times its gradient.
	next := v
	next.w = valueOf(t, lg.grads[1].Value())
	next.b = valueOf(t, lg.grads[2].Value())
	for i := range next.w {
		next.w[i] = v.w[i] - learnRate*next.w[i]
	}
	for i := range next.b {
		next.b[i] = v.b[i] - learnRate*next.b[i]
	}

	solver := gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(learnRate))
	if err := solver.Step(gorgonia.NodesToValueGrads(gorgonia.Nodes{lg.w, lg.b})); err != nil {
		t.Fatalf("solver step: %v", err)
	}
	if err := relErr(valueOf(t, lg.w.Value()), next.w); err > forwardTol {
		t.Errorf("kernel after the step differs from w - η ∂L/∂w by %.3g relative", err)
	}
	if err := relErr(valueOf(t, lg.b.Value()), next.b); err > forwardTol {
		t.Errorf("bias after the step differs from b - η ∂L/∂b by %.3g relative", err)
	}

	if err := m.RunAll(); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if err := relErr(valueOf(t, lg.yValue), directConv(c, next)); err > forwardTol {
		t.Errorf("output after the step differs from the float64 loop with the new kernel and bias by %.3g relative", err)
	}
}
