package starlet_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/starlet"
)

var boundaries = []starlet.Boundary{starlet.Mirror, starlet.Periodic}

// sizes covers odd and even sides, non-square maps, the smallest map (3×3)
// and sides just above and below a power of two.
var sizes = []struct{ nx, ny int }{
	{3, 3}, {4, 7}, {16, 16}, {17, 12}, {33, 9}, {31, 65}, {64, 48},
}

func newTransform(t testing.TB, nx, ny, scales int, opts starlet.Options) *starlet.Transform {
	t.Helper()
	tr, err := starlet.New(nx, ny, scales, opts)
	if err != nil {
		t.Fatalf("New(%d, %d, %d, %+v): %v", nx, ny, scales, opts, err)
	}
	return tr
}

func randomMap(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func randomCoeffs(rng *rand.Rand, tr *starlet.Transform) [][]float64 {
	c := tr.NewCoeffs()
	for _, plane := range c {
		for i := range plane {
			plane[i] = rng.NormFloat64()
		}
	}
	return c
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}

func maxAbsDiff(x, y []float64) float64 {
	m := 0.0
	for i := range x {
		m = max(m, math.Abs(x[i]-y[i]))
	}
	return m
}

func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

// foldIndex maps any integer index into [0, n) by repeated reflection or
// wrapping. It is written independently of the package, for the direct
// evaluation below, and handles reaches of any length.
func foldIndex(i, n int, b starlet.Boundary) int {
	if b == starlet.Periodic {
		return ((i % n) + n) % n
	}
	period := 2 * (n - 1)
	i = ((i % period) + period) % period
	if i >= n {
		i = period - i
	}
	return i
}

// directForward evaluates the à trous recursion as a 2-D sum over the
// 5×5 taps of h⊗h at every pixel, without separating the axes.
func directForward(image []float64, nx, ny, scales int, b starlet.Boundary) [][]float64 {
	h := []float64{1.0 / 16, 4.0 / 16, 6.0 / 16, 4.0 / 16, 1.0 / 16}
	coeffs := make([][]float64, scales+1)
	c := append([]float64(nil), image...)
	for j := range scales {
		d := 1 << j
		next := make([]float64, nx*ny)
		for y := range ny {
			for x := range nx {
				s := 0.0
				for ky := -2; ky <= 2; ky++ {
					row := foldIndex(y+ky*d, ny, b) * nx
					for kx := -2; kx <= 2; kx++ {
						s += h[ky+2] * h[kx+2] * c[row+foldIndex(x+kx*d, nx, b)]
					}
				}
				next[y*nx+x] = s
			}
		}
		w := make([]float64, nx*ny)
		for i := range w {
			w[i] = c[i] - next[i]
		}
		coeffs[j] = w
		c = next
	}
	coeffs[scales] = c
	return coeffs
}

func TestMaxScales(t *testing.T) {
	cases := []struct{ nx, ny, want int }{
		{1, 1, 0}, {2, 100, 0}, {3, 3, 1}, {4, 4, 1}, {5, 5, 2}, {8, 9, 2}, {9, 9, 3},
		{511, 600, 8}, {512, 512, 8}, {513, 513, 9}, {1024, 1024, 9}, {1025, 2000, 10},
	}
	for _, c := range cases {
		if got := starlet.MaxScales(c.nx, c.ny); got != c.want {
			t.Errorf("MaxScales(%d, %d) = %d, want %d", c.nx, c.ny, got, c.want)
		}
	}
}

func TestNewRejectsInvalidArguments(t *testing.T) {
	cases := []struct {
		name           string
		nx, ny, scales int
		opts           starlet.Options
		message        string
	}{
		{"too many scales", 64, 64, 6, starlet.Options{}, "at most 5 fit"},
		{"too many scales on short side", 1024, 20, 5, starlet.Options{}, "at most 4 fit"},
		{"zero scales", 64, 64, 0, starlet.Options{}, "at least 1"},
		{"map too small", 2, 64, 1, starlet.Options{}, "at least 3 pixels"},
		{"empty map", 0, 0, 1, starlet.Options{}, "at least 3 pixels"},
		{"unknown boundary", 64, 64, 2, starlet.Options{Boundary: 7}, "invalid boundary Boundary(7)"},
		{"negative workers", 64, 64, 2, starlet.Options{Workers: -1}, "Workers"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := starlet.New(c.nx, c.ny, c.scales, c.opts)
			if err == nil {
				t.Fatalf("New(%d, %d, %d, %+v) returned no error", c.nx, c.ny, c.scales, c.opts)
			}
			if tr != nil {
				t.Errorf("New returned a Transform with the error %q", err)
			}
			if !strings.Contains(err.Error(), c.message) {
				t.Errorf("error %q does not contain %q", err, c.message)
			}
		})
	}
}

func TestForwardMatchesDirectSum(t *testing.T) {
	const tol = 1e-13
	rng := rand.New(rand.NewPCG(1, 1))
	for _, b := range boundaries {
		for _, s := range sizes {
			for scales := 1; scales <= starlet.MaxScales(s.nx, s.ny); scales++ {
				t.Run(fmt.Sprintf("%v/%dx%d/J=%d", b, s.nx, s.ny, scales), func(t *testing.T) {
					image := randomMap(rng, s.nx*s.ny)
					want := directForward(image, s.nx, s.ny, scales, b)
					tr := newTransform(t, s.nx, s.ny, scales, starlet.Options{Boundary: b})
					got := tr.NewCoeffs()
					tr.Forward(got, image)
					for j := range got {
						if d := maxAbsDiff(got[j], want[j]); d > tol {
							t.Errorf("plane %d: max |Forward − direct sum| = %.3g, want ≤ %g", j, d, tol)
						}
					}
				})
			}
		}
	}
}

func TestInverseReconstructs(t *testing.T) {
	const tol = 1e-12 // relative to max |image|
	rng := rand.New(rand.NewPCG(2, 1))
	for _, b := range boundaries {
		for _, s := range append(sizes, struct{ nx, ny int }{257, 130}) {
			scales := starlet.MaxScales(s.nx, s.ny)
			t.Run(fmt.Sprintf("%v/%dx%d/J=%d", b, s.nx, s.ny, scales), func(t *testing.T) {
				tr := newTransform(t, s.nx, s.ny, scales, starlet.Options{Boundary: b})
				image := randomMap(rng, s.nx*s.ny)
				coeffs := tr.NewCoeffs()
				tr.Forward(coeffs, image)
				back := make([]float64, len(image))
				tr.Inverse(back, coeffs)
				if e := maxAbsDiff(back, image) / maxAbs(image); e > tol {
					t.Errorf("max |Inverse(Forward(x)) − x| / max |x| = %.3g, want ≤ %g", e, tol)
				}
			})
		}
	}
}

func TestAdjointDotProduct(t *testing.T) {
	const tol = 1e-10 // relative to |⟨W x, c⟩|
	cases := []struct {
		nx, ny, scales int
	}{
		{3, 3, 1}, {5, 5, 2}, {8, 8, 2}, {9, 9, 3}, {16, 12, 3}, {17, 31, 4}, {40, 33, 5}, {64, 64, 5}, {129, 100, 6},
	}
	rng := rand.New(rand.NewPCG(3, 1))
	for _, b := range boundaries {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%v/%dx%d/J=%d", b, c.nx, c.ny, c.scales), func(t *testing.T) {
				tr := newTransform(t, c.nx, c.ny, c.scales, starlet.Options{Boundary: b})
				x := randomMap(rng, c.nx*c.ny)
				coeffs := randomCoeffs(rng, tr)

				wx := tr.NewCoeffs()
				tr.Forward(wx, x)
				lhs := 0.0
				for j := range wx {
					lhs += dot(wx[j], coeffs[j])
				}
				wtc := make([]float64, len(x))
				tr.Adjoint(wtc, coeffs)
				rhs := dot(x, wtc)

				if e := math.Abs(lhs-rhs) / math.Abs(lhs); e > tol {
					t.Errorf("⟨W x, c⟩ = %.17g, ⟨x, Wᵀ c⟩ = %.17g: relative difference %.3g, want ≤ %g", lhs, rhs, e, tol)
				}
			})
		}
	}
}

// The adjoint is not the inverse: WᵀW ≠ I because the starlet frame is
// not tight, so Wᵀ applied to W x does not give x back.
func TestAdjointIsNotInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	for _, b := range boundaries {
		t.Run(b.String(), func(t *testing.T) {
			tr := newTransform(t, 32, 32, 3, starlet.Options{Boundary: b})
			x := randomMap(rng, 32*32)
			coeffs := tr.NewCoeffs()
			tr.Forward(coeffs, x)
			adj := make([]float64, len(x))
			tr.Adjoint(adj, coeffs)
			if d := maxAbsDiff(adj, x) / maxAbs(x); d < 0.01 {
				t.Errorf("max |Wᵀ W x − x| / max |x| = %.3g, expected the adjoint to differ from the inverse", d)
			}
		})
	}
}

func TestDeltaCoefficientSums(t *testing.T) {
	const tol = 1e-14
	const nx, ny, scales = 37, 24, 4
	tr := newTransform(t, nx, ny, scales, starlet.Options{Boundary: starlet.Periodic})
	coeffs := tr.NewCoeffs()
	// A corner, an edge and an interior pixel. In periodic mode the whole
	// filter fits around each of them.
	for _, at := range []struct{ x, y int }{{0, 0}, {36, 5}, {18, 12}} {
		t.Run(fmt.Sprintf("delta at (%d,%d)", at.x, at.y), func(t *testing.T) {
			const amplitude = 2.5
			image := make([]float64, nx*ny)
			image[at.y*nx+at.x] = amplitude
			tr.Forward(coeffs, image)
			for j := range scales {
				if s := sum(coeffs[j]); math.Abs(s) > tol {
					t.Errorf("wavelet scale %d sums to %.3g, want 0", j+1, s)
				}
			}
			if s := sum(coeffs[scales]); math.Abs(s-amplitude) > tol {
				t.Errorf("coarse scale sums to %.17g, want the image sum %g", s, amplitude)
			}
		})
	}
}

// Both boundaries keep a constant map constant, so its wavelet scales are
// zero and the coarse scale is the constant.
func TestConstantMap(t *testing.T) {
	const tol = 1e-14
	for _, b := range boundaries {
		t.Run(b.String(), func(t *testing.T) {
			const nx, ny, scales, value = 21, 30, 4, 3.25
			tr := newTransform(t, nx, ny, scales, starlet.Options{Boundary: b})
			image := make([]float64, nx*ny)
			for i := range image {
				image[i] = value
			}
			coeffs := tr.NewCoeffs()
			tr.Forward(coeffs, image)
			for j := range scales {
				if m := maxAbs(coeffs[j]); m > tol {
					t.Errorf("wavelet scale %d: max |w| = %.3g, want 0", j+1, m)
				}
			}
			if d := maxAbsDiff(coeffs[scales], image); d > tol {
				t.Errorf("coarse scale differs from the constant by up to %.3g", d)
			}
		})
	}
}

func TestLinearity(t *testing.T) {
	const tol = 1e-12
	const a, b = 1.75, -0.6
	rng := rand.New(rand.NewPCG(5, 1))
	for _, bd := range boundaries {
		t.Run(bd.String(), func(t *testing.T) {
			const nx, ny, scales = 45, 38, 4
			tr := newTransform(t, nx, ny, scales, starlet.Options{Boundary: bd})
			x, y := randomMap(rng, nx*ny), randomMap(rng, nx*ny)
			combined := make([]float64, nx*ny)
			for i := range combined {
				combined[i] = a*x[i] + b*y[i]
			}
			wx, wy, wc := tr.NewCoeffs(), tr.NewCoeffs(), tr.NewCoeffs()
			tr.Forward(wx, x)
			tr.Forward(wy, y)
			tr.Forward(wc, combined)
			for j := range wc {
				want := make([]float64, nx*ny)
				for i := range want {
					want[i] = a*wx[j][i] + b*wy[j][i]
				}
				if d := maxAbsDiff(wc[j], want); d > tol {
					t.Errorf("plane %d: max |W(a x + b y) − (a W x + b W y)| = %.3g, want ≤ %g", j, d, tol)
				}
			}
		})
	}
}

// Splitting the rows among workers must not change a single bit.
func TestWorkersGiveIdenticalResults(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	const nx, ny, scales = 70, 53, 5
	for _, b := range boundaries {
		t.Run(b.String(), func(t *testing.T) {
			image := randomMap(rng, nx*ny)
			serial := newTransform(t, nx, ny, scales, starlet.Options{Boundary: b, Workers: 1})
			parallel := newTransform(t, nx, ny, scales, starlet.Options{Boundary: b, Workers: 4})
			if parallel.Workers() != 4 {
				t.Fatalf("Workers() = %d, want 4", parallel.Workers())
			}
			want, got := serial.NewCoeffs(), parallel.NewCoeffs()
			serial.Forward(want, image)
			parallel.Forward(got, image)
			for j := range want {
				if d := maxAbsDiff(got[j], want[j]); d != 0 {
					t.Errorf("Forward plane %d: 4 workers differ from 1 by up to %.3g", j, d)
				}
			}

			adjWant, adjGot := make([]float64, nx*ny), make([]float64, nx*ny)
			serial.Adjoint(adjWant, want)
			parallel.Adjoint(adjGot, want)
			if d := maxAbsDiff(adjGot, adjWant); d != 0 {
				t.Errorf("Adjoint: 4 workers differ from 1 by up to %.3g", d)
			}

			invWant, invGot := make([]float64, nx*ny), make([]float64, nx*ny)
			serial.Inverse(invWant, want)
			parallel.Inverse(invGot, want)
			if d := maxAbsDiff(invGot, invWant); d != 0 {
				t.Errorf("Inverse: 4 workers differ from 1 by up to %.3g", d)
			}
		})
	}
}

func TestWorkersCappedAtRows(t *testing.T) {
	tr := newTransform(t, 100, 5, 2, starlet.Options{Workers: 8})
	if got := tr.Workers(); got != 5 {
		t.Errorf("Workers() = %d for a 5-row map with Workers: 8, want 5", got)
	}
}

func TestCallsDoNotAllocate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	const nx, ny, scales = 48, 40, 4
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			tr := newTransform(t, nx, ny, scales, starlet.Options{Workers: workers})
			image := randomMap(rng, nx*ny)
			coeffs := tr.NewCoeffs()
			calls := map[string]func(){
				"Forward": func() { tr.Forward(coeffs, image) },
				"Inverse": func() { tr.Inverse(image, coeffs) },
				"Adjoint": func() { tr.Adjoint(image, coeffs) },
			}
			for name, call := range calls {
				if allocs := testing.AllocsPerRun(10, call); allocs != 0 {
					t.Errorf("%s: %v allocations per call, want 0", name, allocs)
				}
			}
		})
	}
}

func TestWrongLengthsPanic(t *testing.T) {
	const nx, ny, scales = 10, 8, 2
	tr := newTransform(t, nx, ny, scales, starlet.Options{})
	good := tr.NewCoeffs()
	image := make([]float64, nx*ny)
	shortPlane := tr.NewCoeffs()
	shortPlane[1] = shortPlane[1][:nx*ny-1]

	cases := []struct {
		name string
		call func()
	}{
		{"Forward short image", func() { tr.Forward(good, image[:1]) }},
		{"Forward missing plane", func() { tr.Forward(good[:scales], image) }},
		{"Forward short plane", func() { tr.Forward(shortPlane, image) }},
		{"Inverse short image", func() { tr.Inverse(image[:nx*ny-1], good) }},
		{"Inverse extra plane", func() { tr.Inverse(image, append(good, make([]float64, nx*ny))) }},
		{"Adjoint short plane", func() { tr.Adjoint(image, shortPlane) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if msg := fmt.Sprint(r); !strings.HasPrefix(msg, "starlet: ") {
					t.Errorf("panic message %q lacks the \"starlet: \" prefix", msg)
				}
			}()
			c.call()
		})
	}
}
