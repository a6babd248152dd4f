package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/nn"
)

// awayFromZero moves every element of t at least 0.05 away from zero, so
// that finite differences of ReLU and LeakyReLU do not straddle the kink.
func awayFromZero(t *nn.Tensor) {
	for i, v := range t.Data {
		if v >= 0 {
			t.Data[i] = v + 0.05
		} else {
			t.Data[i] = v - 0.05
		}
	}
}

// finiteDifference returns the gradient of loss with respect to x by
// central differences with step h.
func finiteDifference(x []float64, h float64, loss func() float64) []float64 {
	grad := make([]float64, len(x))
	for i := range x {
		old := x[i]
		x[i] = old + h
		up := loss()
		x[i] = old - h
		down := loss()
		x[i] = old
		grad[i] = (up - down) / (2 * h)
	}
	return grad
}

func TestActivation(t *testing.T) {
	const (
		tol   = 1e-6 // float32 rounding of one or two operations
		fdTol = 1e-6 // float64 central differences with step 1e-6
		slope = 0.1
	)
	references := map[nn.ActivationKind]struct {
		f, df func(x float64) float64
	}{
		nn.ReLU: {
			func(x float64) float64 { return math.Max(x, 0) },
			func(x float64) float64 {
				if x > 0 {
					return 1
				}
				return 0
			},
		},
		nn.LeakyReLU: {
			func(x float64) float64 {
				if x > 0 {
					return x
				}
				return slope * x
			},
			func(x float64) float64 {
				if x > 0 {
					return 1
				}
				return slope
			},
		},
		nn.SiLU: {
			func(x float64) float64 { return x / (1 + math.Exp(-x)) },
			func(x float64) float64 {
				s := 1 / (1 + math.Exp(-x))
				return s * (1 + x*(1-s))
			},
		},
	}
	rng := rand.New(rand.NewPCG(21, 22))
	for kind, ref := range references {
		t.Run(kind.String(), func(t *testing.T) {
			a := nn.NewActivation(kind, slope)
			// 2·4·91·101 elements: enough to spread over two workers, and
			// not a whole number of vector blocks of 16.
			in := randomTensor(rng, 2, 4, 91, 101)
			for i := range in.Data {
				in.Data[i] *= 4
			}
			awayFromZero(in)
			g := randomTensor(rng, 2, 4, 91, 101)

			out := a.Forward(nil, in)
			want := make([]float64, len(in.Data))
			wantGrad := make([]float64, len(in.Data))
			for i, v := range in.Data {
				want[i] = ref.f(float64(v))
				wantGrad[i] = ref.df(float64(v)) * float64(g.Data[i])
			}
			if e := relErr(out.Data, want); e > tol {
				t.Errorf("forward: relative error %.3g", e)
			}
			dIn := nn.NewTensor(2, 4, 91, 101)
			a.Backward(dIn, g, in)
			if e := relErr(dIn.Data, wantGrad); e > tol {
				t.Errorf("backward: relative error %.3g", e)
			}

			// Finite differences on a few elements of the float64 loss Σ f(x)·g.
			x := toFloat64(in.Data[:50])
			gd := toFloat64(g.Data[:50])
			fd := finiteDifference(x, 1e-6, func() float64 {
				var s float64
				for i, v := range x {
					s += ref.f(v) * gd[i]
				}
				return s
			})
			if e := relErr(dIn.Data[:50], fd); e > fdTol {
				t.Errorf("backward: relative error %.3g against finite differences", e)
			}

			// In place: the output over the input, the gradient over the output gradient.
			inCopy := nn.NewTensor(2, 4, 91, 101)
			copy(inCopy.Data, in.Data)
			a.Forward(inCopy, inCopy)
			if e := relErr(inCopy.Data, want); e > tol {
				t.Errorf("forward in place: relative error %.3g", e)
			}
			a.Backward(g, g, in)
			if e := relErr(g.Data, wantGrad); e > tol {
				t.Errorf("backward in place: relative error %.3g", e)
			}

			if allocs := testing.AllocsPerRun(10, func() { a.Forward(out, in); a.Backward(dIn, g, in) }); allocs != 0 {
				t.Errorf("Forward and Backward allocate %g times per call", allocs)
			}
		})
	}
}

// TestSiLUExtremes checks SiLU and its derivative far out in both tails,
// where e^-x overflows or underflows, in the vector blocks of 16 elements
// and in the scalar loop after them.
func TestSiLUExtremes(t *testing.T) {
	const tol = 1e-6
	values := []float32{-1e30, -1000, -100, -88.5, -87.5, -20, -1e-30, 0, 1e-30, 20, 87.5, 88.5, 100, 1000, 1e30}
	in := nn.NewTensor(1, 1, 1, 40) // 32 elements in vector blocks, 8 after
	for i := range in.Data {
		in.Data[i] = values[i%len(values)]
	}
	g := nn.NewTensor(1, 1, 1, 40)
	for i := range g.Data {
		g.Data[i] = 1
	}
	a := nn.NewActivation(nn.SiLU, 0)
	out := a.Forward(nil, in)
	dIn := nn.NewTensor(1, 1, 1, 40)
	a.Backward(dIn, g, in)
	for i, v := range in.Data {
		x := float64(v)
		s := 1 / (1 + math.Exp(-x))
		want, wantGrad := x*s, s*(1+x*(1-s))
		if math.Abs(float64(out.Data[i])-want) > tol*math.Max(1e-30, math.Abs(want)) {
			t.Errorf("SiLU(%g) = %g, expected %g", x, out.Data[i], want)
		}
		if math.Abs(float64(dIn.Data[i])-wantGrad) > tol*math.Max(1, math.Abs(wantGrad)) {
			t.Errorf("SiLU'(%g) = %g, expected %g", x, dIn.Data[i], wantGrad)
		}
	}

	nan := float32(math.NaN())
	in.Data[3], in.Data[35] = nan, nan
	a.Forward(out, in)
	if out.Data[3] == out.Data[3] || out.Data[35] == out.Data[35] {
		t.Errorf("SiLU(NaN) = %g in a vector block and %g after, expected NaN", out.Data[3], out.Data[35])
	}
}

func TestActivationPanics(t *testing.T) {
	a := nn.NewActivation(nn.SiLU, 0)
	in := nn.NewTensor(1, 2, 3, 4)
	expectPanic(t, "unknown kind", func() { nn.NewActivation(nn.ActivationKind(7), 0) })
	expectPanic(t, "wrong output shape", func() { a.Forward(nn.NewTensor(1, 2, 4, 3), in) })
	expectPanic(t, "wrong gradient shape", func() { a.Backward(nn.NewTensor(1, 2, 3, 4), nn.NewTensor(1, 1, 3, 4), in) })
	base := make([]float32, 25)
	x := &nn.Tensor{N: 1, C: 2, H: 3, W: 4, Data: base[:24]}
	y := &nn.Tensor{N: 1, C: 2, H: 3, W: 4, Data: base[1:25]}
	expectPanic(t, "shifted overlap", func() { a.Forward(y, x) })
}

// refPool returns the 2×2 average pooling of x (n×c×h×w) in float64.
func refPool(x []float64, n, c, h, w int) []float64 {
	ho, wo := h/2, w/2
	out := make([]float64, n*c*ho*wo)
	for p := range n * c {
		for y := range ho {
			for xx := range wo {
				var s float64
				for dy := range 2 {
					for dx := range 2 {
						s += x[(p*h+2*y+dy)*w+2*xx+dx]
					}
				}
				out[(p*ho+y)*wo+xx] = s / 4
			}
		}
	}
	return out
}

// refUpsample returns the nearest-neighbour ×2 upsampling of x in float64.
func refUpsample(x []float64, n, c, h, w int) []float64 {
	out := make([]float64, n*c*4*h*w)
	for p := range n * c {
		for y := range 2 * h {
			for xx := range 2 * w {
				out[(p*2*h+y)*2*w+xx] = x[(p*h+y/2)*w+xx/2]
			}
		}
	}
	return out
}

// TestResample checks AvgPool2 and Upsample2 against nested loops, their
// backward passes by finite differences, and that each backward pass is the
// adjoint of its forward pass: ⟨F x, g⟩ = ⟨x, Fᵀ g⟩.
func TestResample(t *testing.T) {
	const tol = 1e-6
	rng := rand.New(rand.NewPCG(23, 24))
	for _, size := range [][4]int{{2, 3, 7, 9}, {1, 2, 8, 6}, {3, 1, 1, 1}, {2, 4, 64, 130}} {
		n, c, h, w := size[0], size[1], size[2], size[3]
		t.Run(fmt.Sprintf("AvgPool2/%dx%dx%dx%d", n, c, h, w), func(t *testing.T) {
			p := &nn.AvgPool2{Workers: 2}
			in := randomTensor(rng, n, c, h, w)
			out := p.Forward(nil, in)
			x := toFloat64(in.Data)
			if e := relErr(out.Data, refPool(x, n, c, h, w)); e > tol {
				t.Errorf("forward: relative error %.3g", e)
			}
			g := randomTensor(rng, n, c, h/2, w/2)
			dIn := randomTensor(rng, n, c, h, w) // Backward must overwrite it
			p.Backward(dIn, g)
			gd := toFloat64(g.Data)
			if len(gd) > 0 {
				checkAdjoint(t, out.Data, gd, in.Data, toFloat64(dIn.Data))
			}
			if len(x) <= 600 {
				fd := finiteDifference(x, 1e-6, func() float64 { return dotFloat64(refPool(x, n, c, h, w), gd) })
				if e := relErr(dIn.Data, fd); e > tol {
					t.Errorf("backward: relative error %.3g against finite differences", e)
				}
			}
			if allocs := testing.AllocsPerRun(10, func() { p.Forward(out, in); p.Backward(dIn, g) }); allocs != 0 {
				t.Errorf("Forward and Backward allocate %g times per call", allocs)
			}
		})
		t.Run(fmt.Sprintf("Upsample2/%dx%dx%dx%d", n, c, h, w), func(t *testing.T) {
			u := &nn.Upsample2{Workers: 2}
			in := randomTensor(rng, n, c, h, w)
			out := u.Forward(nil, in)
			x := toFloat64(in.Data)
			if e := relErr(out.Data, refUpsample(x, n, c, h, w)); e > tol {
				t.Errorf("forward: relative error %.3g", e)
			}
			g := randomTensor(rng, n, c, 2*h, 2*w)
			dIn := randomTensor(rng, n, c, h, w)
			u.Backward(dIn, g)
			gd := toFloat64(g.Data)
			checkAdjoint(t, out.Data, gd, in.Data, toFloat64(dIn.Data))
			if len(x) <= 600 {
				fd := finiteDifference(x, 1e-6, func() float64 { return dotFloat64(refUpsample(x, n, c, h, w), gd) })
				if e := relErr(dIn.Data, fd); e > tol {
					t.Errorf("backward: relative error %.3g against finite differences", e)
				}
			}
			if allocs := testing.AllocsPerRun(10, func() { u.Forward(out, in); u.Backward(dIn, g) }); allocs != 0 {
				t.Errorf("Forward and Backward allocate %g times per call", allocs)
			}
		})
	}
}

// checkAdjoint compares ⟨fx, g⟩ with ⟨x, ftg⟩.
func checkAdjoint(t *testing.T, fx []float32, g []float64, x []float32, ftg []float64) {
	t.Helper()
	const tol = 1e-5 // float32 rounding of the operators, sums in float64
	lhs, rhs := dot(fx, g), dot(x, ftg)
	if math.Abs(lhs-rhs) > tol*(math.Abs(lhs)+math.Abs(rhs)+1) {
		t.Errorf("⟨F x, g⟩ = %g, ⟨x, Fᵀ g⟩ = %g", lhs, rhs)
	}
}

func dotFloat64(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestResamplePanics(t *testing.T) {
	p := &nn.AvgPool2{}
	u := &nn.Upsample2{}
	in := nn.NewTensor(1, 2, 6, 8)
	expectPanic(t, "pool output shape", func() { p.Forward(nn.NewTensor(1, 2, 6, 8), in) })
	expectPanic(t, "pool gradient shape", func() { p.Backward(in, nn.NewTensor(1, 2, 2, 4)) })
	expectPanic(t, "upsample output shape", func() { u.Forward(nn.NewTensor(1, 2, 12, 15), in) })
	expectPanic(t, "upsample gradient shape", func() { u.Backward(in, nn.NewTensor(1, 2, 6, 8)) })
}

func TestConcatSplitChannels(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	a := randomTensor(rng, 3, 2, 5, 7)
	b := randomTensor(rng, 3, 4, 5, 7)
	out := nn.ConcatChannels(nil, a, b)
	for n := range 3 {
		for c := range 6 {
			for y := range 5 {
				for x := range 7 {
					var want float32
					if c < 2 {
						want = a.At(n, c, y, x)
					} else {
						want = b.At(n, c-2, y, x)
					}
					if got := out.At(n, c, y, x); got != want {
						t.Fatalf("out[%d,%d,%d,%d] = %g, expected %g", n, c, y, x, got, want)
					}
				}
			}
		}
	}

	// SplitChannels is the adjoint of ConcatChannels, and for a copy the
	// adjoint is the inverse.
	aGrad, bGrad := nn.NewTensor(3, 2, 5, 7), nn.NewTensor(3, 4, 5, 7)
	nn.SplitChannels(aGrad, bGrad, out)
	if e := relErr(aGrad.Data, toFloat64(a.Data)); e != 0 {
		t.Errorf("first part differs by %.3g", e)
	}
	if e := relErr(bGrad.Data, toFloat64(b.Data)); e != 0 {
		t.Errorf("second part differs by %.3g", e)
	}
	bOnly := nn.NewTensor(3, 4, 5, 7)
	nn.SplitChannels(nil, bOnly, out)
	if e := relErr(bOnly.Data, toFloat64(b.Data)); e != 0 {
		t.Errorf("second part alone differs by %.3g", e)
	}
	if allocs := testing.AllocsPerRun(10, func() { nn.ConcatChannels(out, a, b); nn.SplitChannels(aGrad, bGrad, out) }); allocs != 0 {
		t.Errorf("ConcatChannels and SplitChannels allocate %g times per call", allocs)
	}
	expectPanic(t, "image sizes differ", func() { nn.ConcatChannels(nil, a, nn.NewTensor(3, 4, 5, 6)) })
	expectPanic(t, "split too many channels", func() { nn.SplitChannels(nn.NewTensor(3, 5, 5, 7), bGrad, out) })
}

// refGroupNorm evaluates GroupNorm in float64 from its definition.
func refGroupNorm(x, weight, bias []float64, n, c, h, w, groups int, eps float64) []float64 {
	out := make([]float64, len(x))
	per := c / groups
	m := per * h * w
	for b := range n {
		for g := range groups {
			block := x[(b*c+g*per)*h*w : (b*c+(g+1)*per)*h*w]
			var mean, v float64
			for _, e := range block {
				mean += e
			}
			mean /= float64(m)
			for _, e := range block {
				v += (e - mean) * (e - mean)
			}
			v /= float64(m)
			for i, e := range block {
				ch := g*per + i/(h*w)
				out[(b*c+g*per)*h*w+i] = (e-mean)/math.Sqrt(v+eps)*weight[ch] + bias[ch]
			}
		}
	}
	return out
}

// refGroupNormInputGrad returns ∂L/∂x from the explicit Jacobian of each
// group, ∂x̂_j/∂x_i = (δ_ij - 1/m - x̂_i x̂_j / m) / σ, in O(m²) operations.
func refGroupNormInputGrad(x, weight, dy []float64, n, c, h, w, groups int, eps float64) []float64 {
	dx := make([]float64, len(x))
	per := c / groups
	m := per * h * w
	for b := range n {
		for g := range groups {
			off := (b*c + g*per) * h * w
			block := x[off : off+m]
			var mean, v float64
			for _, e := range block {
				mean += e
			}
			mean /= float64(m)
			for _, e := range block {
				v += (e - mean) * (e - mean)
			}
			v /= float64(m)
			sigma := math.Sqrt(v + eps)
			for i := range m {
				xi := (block[i] - mean) / sigma
				var s float64
				for j := range m {
					xj := (block[j] - mean) / sigma
					delta := 0.0
					if i == j {
						delta = 1
					}
					s += dy[off+j] * weight[g*per+j/(h*w)] * (delta - 1/float64(m) - xi*xj/float64(m)) / sigma
				}
				dx[off+i] = s
			}
		}
	}
	return dx
}

func TestGroupNorm(t *testing.T) {
	const (
		tol   = 1e-5
		fdTol = 1e-5 // float64 central differences, float32 gradients
		eps   = 1e-5
	)
	rng := rand.New(rand.NewPCG(27, 28))
	n, c, h, w, groups := 2, 6, 3, 5, 3
	gn := nn.NewGroupNorm(groups, c)
	gn.Workers = 2
	for i := range c {
		gn.Weight[i] = float32(1 + 0.5*rng.NormFloat64())
		gn.Bias[i] = float32(rng.NormFloat64())
	}
	in := randomTensor(rng, n, c, h, w)
	for i := range in.Data {
		in.Data[i] = 3*in.Data[i] + 1 // a mean and variance far from 0 and 1
	}
	g := randomTensor(rng, n, c, h, w)
	x := toFloat64(in.Data)
	weight, bias := toFloat64(gn.Weight), toFloat64(gn.Bias)
	gd := toFloat64(g.Data)

	out := gn.Forward(nil, in)
	if e := relErr(out.Data, refGroupNorm(x, weight, bias, n, c, h, w, groups, eps)); e > tol {
		t.Errorf("forward: relative error %.3g", e)
	}

	dIn := nn.NewTensor(n, c, h, w)
	gn.Backward(dIn, g, in)
	if e := relErr(dIn.Data, refGroupNormInputGrad(x, weight, gd, n, c, h, w, groups, eps)); e > tol {
		t.Errorf("input gradient: relative error %.3g against the Jacobian", e)
	}

	loss := func() float64 { return dotFloat64(refGroupNorm(x, weight, bias, n, c, h, w, groups, eps), gd) }
	for _, check := range []struct {
		name string
		p    []float64
		got  []float32
	}{
		{"input gradient", x, dIn.Data},
		{"weight gradient", weight, gn.WeightGrad},
		{"bias gradient", bias, gn.BiasGrad},
	} {
		if e := relErr(check.got, finiteDifference(check.p, 1e-6, loss)); e > fdTol {
			t.Errorf("%s: relative error %.3g against finite differences", check.name, e)
		}
	}

	// In place, with one worker, the results are the same.
	gn.Workers = 1
	wantW := append([]float32(nil), gn.WeightGrad...)
	gn.ZeroGrad()
	gn.Backward(dIn, g, in)
	if e := relErr(gn.WeightGrad, toFloat64(wantW)); e > tol {
		t.Errorf("weight gradient with one worker: relative error %.3g", e)
	}
	inPlace := nn.NewTensor(n, c, h, w)
	copy(inPlace.Data, in.Data)
	gn.Backward(inPlace, g, inPlace)
	if e := relErr(inPlace.Data, toFloat64(dIn.Data)); e > 0 {
		t.Errorf("input gradient in place differs by %.3g", e)
	}
	copy(inPlace.Data, in.Data)
	gn.Forward(inPlace, inPlace)
	if e := relErr(inPlace.Data, toFloat64(out.Data)); e > 0 {
		t.Errorf("forward in place differs by %.3g", e)
	}

	if allocs := testing.AllocsPerRun(10, func() { gn.Forward(out, in); gn.Backward(dIn, g, in) }); allocs != 0 {
		t.Errorf("Forward and Backward allocate %g times per call", allocs)
	}
	expectPanic(t, "groups do not divide channels", func() { nn.NewGroupNorm(4, 6) })
	expectPanic(t, "wrong channels", func() { gn.Forward(nil, nn.NewTensor(1, 4, 3, 5)) })
}
