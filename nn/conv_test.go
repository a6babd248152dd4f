package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/skyinv/skyinv/nn"
)

// refConv holds a convolution's parameters in float64 and evaluates it
// with nested loops, straight from the definition in Conv2D's comment.
type refConv struct {
	cin, cout, kh, kw int
	weight, bias      []float64
}

func newRefConv(c *nn.Conv2D) *refConv {
	return &refConv{c.InChannels, c.OutChannels, c.KernelH, c.KernelW, toFloat64(c.Weight), toFloat64(c.Bias)}
}

func (r *refConv) w(o, i, u, v int) float64 { return r.weight[((o*r.cin+i)*r.kh+u)*r.kw+v] }

// forward returns the output for input in (n×cin×h×w).
func (r *refConv) forward(in []float64, n, h, w int) []float64 {
	out := make([]float64, n*r.cout*h*w)
	for b := range n {
		for o := range r.cout {
			for y := range h {
				for x := range w {
					s := r.bias[o]
					for i := range r.cin {
						for u := range r.kh {
							for v := range r.kw {
								sy, sx := y+u-r.kh/2, x+v-r.kw/2
								if sy >= 0 && sy < h && sx >= 0 && sx < w {
									s += r.w(o, i, u, v) * in[((b*r.cin+i)*h+sy)*w+sx]
								}
							}
						}
					}
					out[((b*r.cout+o)*h+y)*w+x] = s
				}
			}
		}
	}
	return out
}

// backward returns ∂L/∂in, ∂L/∂weight and ∂L/∂bias for ∂L/∂out = g by
// scattering each output's gradient back along the taps that produced it.
func (r *refConv) backward(g, in []float64, n, h, w int) (dIn, dW, dB []float64) {
	dIn = make([]float64, len(in))
	dW = make([]float64, len(r.weight))
	dB = make([]float64, r.cout)
	for b := range n {
		for o := range r.cout {
			for y := range h {
				for x := range w {
					gv := g[((b*r.cout+o)*h+y)*w+x]
					dB[o] += gv
					for i := range r.cin {
						for u := range r.kh {
							for v := range r.kw {
								sy, sx := y+u-r.kh/2, x+v-r.kw/2
								if sy < 0 || sy >= h || sx < 0 || sx >= w {
									continue
								}
								idx := ((b*r.cin+i)*h+sy)*w + sx
								dW[((o*r.cin+i)*r.kh+u)*r.kw+v] += gv * in[idx]
								dIn[idx] += gv * r.weight[((o*r.cin+i)*r.kh+u)*r.kw+v]
							}
						}
					}
				}
			}
		}
	}
	return dIn, dW, dB
}

type convCase struct {
	n, cin, cout, h, w, kh, kw int
}

func (c convCase) String() string {
	return fmt.Sprintf("%dx%dx%dx%d_to_%d_k%dx%d", c.n, c.cin, c.h, c.w, c.cout, c.kh, c.kw)
}

var convCases = []convCase{
	{2, 3, 5, 13, 17, 3, 5}, // odd sizes everywhere
	{1, 1, 1, 1, 1, 1, 1},
	{2, 2, 3, 2, 3, 5, 7},     // kernel larger than the image
	{1, 4, 7, 9, 8, 1, 1},     // pointwise
	{1, 50, 13, 11, 9, 3, 3},  // 450 taps: two k blocks of the Go SGEMM
	{3, 7, 130, 6, 40, 3, 3},  // more output channels than one m block
	{1, 8, 6, 200, 150, 3, 3}, // several rows per tile and many tiles
	{1, 3, 16, 5, 48, 3, 3},   // whole 8×32 and 8×16 blocks of the direct kernels
	{2, 9, 24, 7, 70, 1, 7},   // rows of 32 + 32 + 6 pixels, a 1×7 kernel
	{1, 5, 8, 12, 33, 7, 1},   // a 7×1 kernel, one pixel past a whole block
}

// convPaths are the two implementations of Conv2D: the direct kernels,
// where this build and processor have them, and im2col with SGEMM.
func convPaths(t *testing.T) []string {
	if nn.HasDirect() {
		return []string{"direct", "im2col"}
	}
	t.Log("no direct kernels in this build or on this processor: testing im2col only")
	return []string{"im2col"}
}

// forEachPath runs f as a subtest once per implementation of Conv2D.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	for _, path := range convPaths(t) {
		t.Run(path, func(t *testing.T) {
			defer nn.SetDirect(path == "direct")()
			f(t)
		})
	}
}

// TestConv2DReference compares Forward and all three gradients of Backward
// with the float64 nested-loop reference.
func TestConv2DReference(t *testing.T) {
	forEachPath(t, testConv2DReference)
}

func testConv2DReference(t *testing.T) {
	const tol = 1e-5 // float32 sums of a few hundred terms
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range convCases {
		for _, workers := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%v/workers=%d", tc, workers), func(t *testing.T) {
				c := nn.NewConv2D(tc.cin, tc.cout, tc.kh, tc.kw)
				c.InitUniform(rng)
				c.Workers = workers
				in := randomTensor(rng, tc.n, tc.cin, tc.h, tc.w)
				ref := newRefConv(c)

				out := c.Forward(nil, in)
				if e := relErr(out.Data, ref.forward(toFloat64(in.Data), tc.n, tc.h, tc.w)); e > tol {
					t.Errorf("forward: relative error %.3g", e)
				}

				// Backward adds to gradients already present.
				g := randomTensor(rng, tc.n, tc.cout, tc.h, tc.w)
				dIn := nn.NewTensor(tc.n, tc.cin, tc.h, tc.w)
				for i := range c.WeightGrad {
					c.WeightGrad[i] = 1
				}
				c.BiasGrad[0] = 1
				c.Backward(dIn, g, in)
				wantIn, wantW, wantB := ref.backward(toFloat64(g.Data), toFloat64(in.Data), tc.n, tc.h, tc.w)
				for i := range wantW {
					wantW[i]++
				}
				wantB[0]++
				if e := relErr(dIn.Data, wantIn); e > tol {
					t.Errorf("input gradient: relative error %.3g", e)
				}
				if e := relErr(c.WeightGrad, wantW); e > tol {
					t.Errorf("weight gradient: relative error %.3g", e)
				}
				if e := relErr(c.BiasGrad, wantB); e > tol {
					t.Errorf("bias gradient: relative error %.3g", e)
				}
			})
		}
	}
}

// TestConv2DFiniteDifferences checks Backward against central differences of
// the float64 reference loss L = Σ out·g, whose gradient with respect to
// out is g.
func TestConv2DFiniteDifferences(t *testing.T) {
	forEachPath(t, testConv2DFiniteDifferences)
}

func testConv2DFiniteDifferences(t *testing.T) {
	const (
		h   = 1e-6 // the float64 loss has rounding errors near 1e-15
		tol = 1e-5 // Backward runs in float32
	)
	rng := rand.New(rand.NewPCG(5, 6))
	n, cin, cout, hh, ww := 2, 2, 3, 4, 5
	c := nn.NewConv2D(cin, cout, 3, 3)
	c.InitUniform(rng)
	in := randomTensor(rng, n, cin, hh, ww)
	g := randomTensor(rng, n, cout, hh, ww)
	gd := toFloat64(g.Data)
	dIn := nn.NewTensor(n, cin, hh, ww)
	c.Backward(dIn, g, in)

	ref := newRefConv(c)
	x := toFloat64(in.Data)
	loss := func() float64 {
		var s float64
		for i, v := range ref.forward(x, n, hh, ww) {
			s += v * gd[i]
		}
		return s
	}
	check := func(name string, p []float64, got []float32) {
		t.Helper()
		want := make([]float64, len(p))
		for i := range p {
			old := p[i]
			p[i] = old + h
			up := loss()
			p[i] = old - h
			down := loss()
			p[i] = old
			want[i] = (up - down) / (2 * h)
		}
		if e := relErr(got, want); e > tol {
			t.Errorf("%s: relative error %.3g against finite differences", name, e)
		}
	}
	check("input gradient", x, dIn.Data)
	check("weight gradient", ref.weight, c.WeightGrad)
	check("bias gradient", ref.bias, c.BiasGrad)
}

// TestConv2DDeterministic runs Forward and Backward with 1 worker, then
// again with 1, 2, 3, 5 and 8, and expects bit-identical outputs and
// gradients every time.
func TestConv2DDeterministic(t *testing.T) {
	forEachPath(t, testConv2DDeterministic)
}

func testConv2DDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	tc := convCase{3, 6, 5, 57, 41, 3, 3}
	in := randomTensor(rng, tc.n, tc.cin, tc.h, tc.w)
	g := randomTensor(rng, tc.n, tc.cout, tc.h, tc.w)
	weight := randomFloats(rng, tc.cout*tc.cin*tc.kh*tc.kw)
	bias := randomFloats(rng, tc.cout)

	type result struct{ out, dIn, dW, dB []float32 }
	run := func(workers int) result {
		c := nn.NewConv2D(tc.cin, tc.cout, tc.kh, tc.kw)
		copy(c.Weight, weight)
		copy(c.Bias, bias)
		c.Workers = workers
		out := c.Forward(nil, in)
		dIn := nn.NewTensor(tc.n, tc.cin, tc.h, tc.w)
		c.Backward(dIn, g, in)
		return result{out.Data, dIn.Data, c.WeightGrad, c.BiasGrad}
	}
	first := run(1)
	for _, workers := range []int{1, 2, 3, 5, 8} {
		got := run(workers)
		for _, f := range []struct {
			name      string
			got, want []float32
		}{
			{"output", got.out, first.out},
			{"input gradient", got.dIn, first.dIn},
			{"weight gradient", got.dW, first.dW},
			{"bias gradient", got.dB, first.dB},
		} {
			if !slices.Equal(f.got, f.want) {
				t.Errorf("%d workers: %s differs from the first run with 1 worker", workers, f.name)
			}
		}
	}
}

func TestConv2DAllocatesNothing(t *testing.T) {
	forEachPath(t, testConv2DAllocatesNothing)
}

func testConv2DAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	c := nn.NewConv2D(4, 6, 3, 3)
	c.InitUniform(rng)
	c.Workers = 2
	in := randomTensor(rng, 2, 4, 30, 20)
	out := nn.NewTensor(2, 6, 30, 20)
	g := randomTensor(rng, 2, 6, 30, 20)
	dIn := nn.NewTensor(2, 4, 30, 20)
	c.Forward(out, in)
	c.Backward(dIn, g, in)
	if a := testing.AllocsPerRun(20, func() { c.Forward(out, in) }); a != 0 {
		t.Errorf("Forward allocates %g times per call", a)
	}
	if a := testing.AllocsPerRun(20, func() { c.Backward(dIn, g, in) }); a != 0 {
		t.Errorf("Backward allocates %g times per call", a)
	}

	// A smaller batch reuses the scratch of the larger one.
	small, smallOut := randomTensor(rng, 1, 4, 30, 20), nn.NewTensor(1, 6, 30, 20)
	if a := testing.AllocsPerRun(20, func() { c.Forward(smallOut, small) }); a != 0 {
		t.Errorf("Forward on a smaller batch allocates %g times per call", a)
	}
}

func TestConv2DPanics(t *testing.T) {
	c := nn.NewConv2D(2, 3, 3, 3)
	in := nn.NewTensor(1, 2, 5, 5)
	expectPanic(t, "even kernel", func() { nn.NewConv2D(2, 3, 2, 3) })
	expectPanic(t, "zero channels", func() { nn.NewConv2D(0, 3, 3, 3) })
	expectPanic(t, "wrong input channels", func() { c.Forward(nil, nn.NewTensor(1, 3, 5, 5)) })
	expectPanic(t, "wrong output shape", func() { c.Forward(nn.NewTensor(1, 3, 5, 4), in) })
	expectPanic(t, "short data", func() { c.Forward(nil, &nn.Tensor{N: 1, C: 2, H: 5, W: 5, Data: make([]float32, 49)}) })
	expectPanic(t, "wrong output gradient", func() { c.Backward(nil, nn.NewTensor(1, 2, 5, 5), in) })
	expectPanic(t, "wrong input gradient", func() { c.Backward(nn.NewTensor(1, 3, 5, 5), nn.NewTensor(1, 3, 5, 5), in) })
	square := nn.NewConv2D(2, 2, 3, 3)
	expectPanic(t, "output is input", func() { square.Forward(in, in) })
	expectPanic(t, "input gradient is output gradient", func() { square.Backward(in, in, nn.NewTensor(1, 2, 5, 5)) })
	c.Weight = c.Weight[:5]
	expectPanic(t, "truncated weights", func() { c.Forward(nil, in) })
}

// TestConv2DBackwardInPlace overwrites the input with its gradient and
// expects the same gradients as with separate tensors.
func TestConv2DBackwardInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	c := nn.NewConv2D(3, 3, 3, 3)
	c.InitUniform(rng)
	in := randomTensor(rng, 2, 3, 9, 11)
	g := randomTensor(rng, 2, 3, 9, 11)
	dIn := nn.NewTensor(2, 3, 9, 11)
	c.Backward(dIn, g, in)
	wantW := slices.Clone(c.WeightGrad)
	c.ZeroGrad()
	c.Backward(in, g, in)
	if !slices.Equal(in.Data, dIn.Data) {
		t.Error("input gradient computed in place differs")
	}
	if !slices.Equal(c.WeightGrad, wantW) {
		t.Error("weight gradient with the input gradient in place differs")
	}
}

// TestConv2DDirectionalDerivative checks Forward and Backward together: the
// loss Σ out·g changes, to first order, by ⟨∂L/∂in, δ⟩ when in moves by δ.
func TestConv2DDirectionalDerivative(t *testing.T) {
	forEachPath(t, testConv2DDirectionalDerivative)
}

func testConv2DDirectionalDerivative(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	c := nn.NewConv2D(3, 4, 3, 3)
	c.InitUniform(rng)
	in := randomTensor(rng, 1, 3, 8, 9)
	g := randomTensor(rng, 1, 4, 8, 9)
	dIn := nn.NewTensor(1, 3, 8, 9)
	c.Backward(dIn, g, in)
	delta := randomTensor(rng, 1, 3, 8, 9)
	const eps = 1e-2
	gd := toFloat64(g.Data)
	moved := nn.NewTensor(1, 3, 8, 9)
	for i := range moved.Data {
		moved.Data[i] = in.Data[i] + eps*delta.Data[i]
	}
	// The convolution is affine in its input, so the difference quotient is
	// exact up to float32 rounding.
	change := (dot(c.Forward(nil, moved).Data, gd) - dot(c.Forward(nil, in).Data, gd)) / eps
	want := dot(dIn.Data, toFloat64(delta.Data))
	if math.Abs(change-want) > 1e-2*math.Abs(want) {
		t.Errorf("directional derivative %g, expected %g", change, want)
	}
}
