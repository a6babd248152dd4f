package kaiser

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/internal/spin2"
)

// randomField returns n values drawn from a smooth-ish random field: white
// noise is enough for the algebraic identities tested here.
func randomField(rng *rand.Rand, n int) []float64 {
	f := make([]float64, n)
	for i := range f {
		f[i] = rng.NormFloat64()
	}
	return f
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func rms(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s / float64(len(v)))
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

var sizes = []struct{ nx, ny int }{
	{360, 360}, {33, 20}, {17, 29}, {64, 1}, {1, 7}, {128, 96},
}

func TestRoundTripReturnsMeanFreeConvergence(t *testing.T) {
	const tol = 1e-10
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range sizes {
		for _, pixelFrame := range []bool{false, true} {
			tr, err := New(s.nx, s.ny, Options{PixelFrame: pixelFrame})
			if err != nil {
				t.Fatal(err)
			}
			n := s.nx * s.ny
			kappa := randomField(rng, n)
			for i := range kappa {
				kappa[i] += 0.3 // a non-zero mean that must disappear
			}
			g1, g2 := make([]float64, n), make([]float64, n)
			tr.Shear(g1, g2, kappa, nil)
			kE, kB := make([]float64, n), make([]float64, n)
			tr.Convergence(kE, kB, g1, g2)

			want := make([]float64, n)
			m := mean(kappa)
			for i := range want {
				want[i] = kappa[i] - m
			}
			if d := maxAbsDiff(kE, want); d > tol {
				t.Errorf("%dx%d pixelFrame=%v: max |κ_E − (κ − mean)| = %.3g, want < %g", s.nx, s.ny, pixelFrame, d, tol)
			}
			if r := rms(kB); r > tol {
				t.Errorf("%dx%d pixelFrame=%v: pure E field has κ_B rms %.3g, want < %g", s.nx, s.ny, pixelFrame, r, tol)
			}
		}
	}
}

func TestRotationBy45DegreesSwapsEAndB(t *testing.T) {
	const tol = 1e-10
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range sizes {
		tr, err := New(s.nx, s.ny, Options{})
		if err != nil {
			t.Fatal(err)
		}
		n := s.nx * s.ny
		g1, g2 := randomField(rng, n), randomField(rng, n)
		kE, kB := make([]float64, n), make([]float64, n)
		tr.Convergence(kE, kB, g1, g2)

		// γ → γ exp(2i·45°) = iγ: (γ1, γ2) → (−γ2, γ1), and so
		// κ_E + iκ_B → i(κ_E + iκ_B): (κ_E, κ_B) → (−κ_B, κ_E).
		r1, r2 := make([]float64, n), make([]float64, n)
		for i := range g1 {
			r1[i], r2[i] = -g2[i], g1[i]
		}
		rE, rB := make([]float64, n), make([]float64, n)
		tr.Convergence(rE, rB, r1, r2)

		negB := make([]float64, n)
		for i := range kB {
			negB[i] = -kB[i]
		}
		if d := maxAbsDiff(rE, negB); d > tol {
			t.Errorf("%dx%d: rotated κ_E differs from −κ_B by %.3g", s.nx, s.ny, d)
		}
		if d := maxAbsDiff(rB, kE); d > tol {
			t.Errorf("%dx%d: rotated κ_B differs from κ_E by %.3g", s.nx, s.ny, d)
		}
	}
}

func TestPixelFrameNegatesG2AndKappaB(t *testing.T) {
	const tol = 1e-12
	rng := rand.New(rand.NewPCG(5, 6))
	// Odd sizes: on an even axis the Nyquist frequency has no sign, and
	// fftfreq's choice of −n/2 breaks the mirror symmetry for those modes.
	nx, ny := 41, 27
	n := nx * ny
	sky, _ := New(nx, ny, Options{})
	pix, _ := New(nx, ny, Options{PixelFrame: true})
	g1, g2 := randomField(rng, n), randomField(rng, n)
	neg2 := make([]float64, n)
	for i := range g2 {
		neg2[i] = -g2[i]
	}
	sE, sB := make([]float64, n), make([]float64, n)
	pE, pB := make([]float64, n), make([]float64, n)
	sky.Convergence(sE, sB, g1, g2)
	pix.Convergence(pE, pB, g1, neg2)
	if d := maxAbsDiff(sE, pE); d > tol {
		t.Errorf("κ_E differs by %.3g", d)
	}
	for i := range pB {
		pB[i] = -pB[i]
	}
	if d := maxAbsDiff(sB, pB); d > tol {
		t.Errorf("κ_B differs from −κ_B(pixel frame) by %.3g", d)
	}
}

// A positive Gaussian convergence must produce tangential shear around it:
// γ_t = −(γ1 cos 2φ + γ2 sin 2φ) > 0, with φ the position angle counted
// from East towards North. On a map with East to the left, East is −x.
func TestPositiveMassGivesTangentialShear(t *testing.T) {
	nx, ny := 64, 64
	n := nx * ny
	tr, _ := New(nx, ny, Options{})
	kappa := make([]float64, n)
	cx, cy := 32.0, 32.0
	for y := range ny {
		for x := range nx {
			r2 := (float64(x)-cx)*(float64(x)-cx) + (float64(y)-cy)*(float64(y)-cy)
			kappa[y*nx+x] = math.Exp(-r2 / (2 * 3 * 3))
		}
	}
	g1, g2 := make([]float64, n), make([]float64, n)
	tr.Shear(g1, g2, kappa, nil)

	checked := 0
	for y := range ny {
		for x := range nx {
			dE := -(float64(x) - cx) // offset towards East
			dN := float64(y) - cy
			r := math.Hypot(dE, dN)
			if r < 4 || r > 12 {
				continue
			}
			phi := math.Atan2(dN, dE)
			gt := -(g1[y*nx+x]*math.Cos(2*phi) + g2[y*nx+x]*math.Sin(2*phi))
			gx := g1[y*nx+x]*math.Sin(2*phi) - g2[y*nx+x]*math.Cos(2*phi)
			if !(gt > 0) {
				t.Fatalf("pixel (%d, %d): tangential shear %.3g, want > 0", x, y, gt)
			}
			if math.Abs(gx) > 0.05*gt {
				t.Fatalf("pixel (%d, %d): cross shear %.3g is not small against γ_t = %.3g", x, y, gx, gt)
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d pixels", checked)
	}
}

// A single Fourier mode of κ keeps its shape through Shear and Convergence
// and is damped by exactly exp(−2π² σ² f²) when smoothing is on.
func TestSmoothingDampsAFourierMode(t *testing.T) {
	const tol = 1e-12
	nx, ny := 48, 30
	n := nx * ny
	const pixelArcmin, smoothArcmin = 0.5, 1.2
	plain, _ := New(nx, ny, Options{})
	smooth, err := New(nx, ny, Options{SmoothArcmin: smoothArcmin, PixelArcmin: pixelArcmin})
	if err != nil {
		t.Fatal(err)
	}
	kx, ky := 5, 3
	kappa := make([]float64, n)
	for y := range ny {
		for x := range nx {
			kappa[y*nx+x] = math.Cos(2 * math.Pi * (float64(kx*x)/float64(nx) + float64(ky*y)/float64(ny)))
		}
	}
	g1, g2 := make([]float64, n), make([]float64, n)
	plain.Shear(g1, g2, kappa, nil)
	kE, kB := make([]float64, n), make([]float64, n)
	smooth.Convergence(kE, kB, g1, g2)

	sigma := smoothArcmin / pixelArcmin
	f2 := math.Pow(float64(kx)/float64(nx), 2) + math.Pow(float64(ky)/float64(ny), 2)
	damp := math.Exp(-2 * math.Pi * math.Pi * sigma * sigma * f2)
	want := make([]float64, n)
	for i := range want {
		want[i] = damp * kappa[i]
	}
	if d := maxAbsDiff(kE, want); d > tol {
		t.Errorf("smoothed mode differs from %.6f × input by %.3g", damp, d)
	}
	if r := rms(kB); r > tol {
		t.Errorf("κ_B rms %.3g", r)
	}
}

// Padding must be the same as embedding the shear in a larger grid of zero
// shear by hand, transforming, and cropping.
func TestPaddingEqualsManualEmbedding(t *testing.T) {
	const tol = 1e-12
	rng := rand.New(rand.NewPCG(7, 8))
	nx, ny, pad := 30, 21, 10
	bx, by := spin2.GoodSize(nx+2*pad), spin2.GoodSize(ny+2*pad)
	n := nx * ny
	g1, g2 := randomField(rng, n), randomField(rng, n)

	padded, err := New(nx, ny, Options{Pad: pad, SmoothArcmin: 1, PixelArcmin: 0.7})
	if err != nil {
		t.Fatal(err)
	}
	kE, kB := make([]float64, n), make([]float64, n)
	padded.Convergence(kE, kB, g1, g2)

	big, _ := New(bx, by, Options{SmoothArcmin: 1, PixelArcmin: 0.7})
	b1, b2 := make([]float64, bx*by), make([]float64, bx*by)
	for y := range ny {
		for x := range nx {
			b1[(y+pad)*bx+x+pad] = g1[y*nx+x]
			b2[(y+pad)*bx+x+pad] = g2[y*nx+x]
		}
	}
	bE, bB := make([]float64, bx*by), make([]float64, bx*by)
	big.Convergence(bE, bB, b1, b2)
	for y := range ny {
		for x := range nx {
			i, j := y*nx+x, (y+pad)*bx+x+pad
			if math.Abs(kE[i]-bE[j]) > tol || math.Abs(kB[i]-bB[j]) > tol {
				t.Fatalf("pixel (%d, %d): padded (%g, %g), embedded (%g, %g)", x, y, kE[i], kB[i], bE[j], bB[j])
			}
		}
	}
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	cases := []struct {
		name   string
		nx, ny int
		opt    Options
	}{
		{"zero size", 0, 5, Options{}},
		{"negative pad", 5, 5, Options{Pad: -1}},
		{"negative smoothing", 5, 5, Options{SmoothArcmin: -1, PixelArcmin: 1}},
		{"smoothing without pixel size", 5, 5, Options{SmoothArcmin: 1}},
	}
	for _, c := range cases {
		if _, err := New(c.nx, c.ny, c.opt); err == nil {
			t.Errorf("%s: New returned no error", c.name)
		}
	}
}

func TestConvergenceAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	nx, ny := 96, 80
	n := nx * ny
	tr, _ := New(nx, ny, Options{SmoothArcmin: 1, PixelArcmin: 1, Pad: 8})
	tr.SetWorkers(1)
	g1, g2 := randomField(rng, n), randomField(rng, n)
	kE, kB := make([]float64, n), make([]float64, n)
	if allocs := testing.AllocsPerRun(5, func() { tr.Convergence(kE, kB, g1, g2) }); allocs != 0 {
		t.Errorf("Convergence with one worker allocates %g times per call", allocs)
	}
}
