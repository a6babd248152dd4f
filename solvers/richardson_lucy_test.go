package solvers_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/solvers"
)

// gaussianPSF returns a k × k Gaussian of standard deviation sigma pixels
// centred on pixel (k/2, k/2), normalised to unit sum.
func gaussianPSF(k int, sigma float64) []float64 {
	psf := make([]float64, k*k)
	for j := range k {
		for i := range k {
			dx, dy := float64(i-k/2), float64(j-k/2)
			psf[j*k+i] = math.Exp(-(dx*dx + dy*dy) / (2 * sigma * sigma))
		}
	}
	s := sum(psf)
	for i := range psf {
		psf[i] /= s
	}
	return psf
}

func newConvolution(t *testing.T, nx, ny int, psf []float64, k int, b operators.Boundary) *operators.Convolution {
	t.Helper()
	a, err := operators.NewConvolution(nx, ny, psf, k, k, b)
	if err != nil {
		t.Fatal(err)
	}
	a.SetWorkers(1)
	return a
}

// blurredBlobs returns a non-negative test image of a few Gaussian blobs
// and its blurred version.
func blurredBlobs(a operators.Operator, nx, ny int) (truth, y []float64) {
	truth = make([]float64, nx*ny)
	blobs := []struct{ x, y, w, flux float64 }{
		{0.3, 0.4, 1.0, 50}, {0.6, 0.6, 2.5, 200}, {0.7, 0.25, 0.7, 30},
	}
	for _, b := range blobs {
		for j := range ny {
			for i := range nx {
				dx, dy := float64(i)-b.x*float64(nx), float64(j)-b.y*float64(ny)
				truth[j*nx+i] += b.flux / (2 * math.Pi * b.w * b.w) * math.Exp(-(dx*dx+dy*dy)/(2*b.w*b.w))
			}
		}
	}
	y = make([]float64, nx*ny)
	a.Apply(y, truth)
	for i, v := range y {
		y[i] = math.Max(v, 0) // FFT rounding leaves tiny negative values
	}
	return truth, y
}

// With no offset every iteration conserves Σ A x = Σ y, which is Σ x for a
// periodic convolution with a unit-sum PSF.
func TestRLConservesFlux(t *testing.T) {
	const (
		nx, ny = 40, 36
		tol    = 1e-10 // relative to Σ y
	)
	for _, k := range []int{7, 6} {
		for _, b := range []operators.Boundary{operators.Periodic, operators.ZeroPad} {
			a := newConvolution(t, nx, ny, gaussianPSF(k, 1.3), k, b)
			_, y := blurredBlobs(a, nx, ny)
			x, _, err := solvers.RichardsonLucy(nil, a, y, 0, solvers.Settings{Tol: 1e-12, MaxIter: 50})
			if err != nil && !errors.As(err, new(*solvers.NotConvergedError)) {
				t.Fatal(err)
			}
			model := make([]float64, len(y))
			a.Apply(model, x)
			fy := sum(y)
			if d := math.Abs(sum(model) - fy); d > tol*fy {
				t.Errorf("PSF %dx%d, %v: Σ A x − Σ y = %.3g", k, k, b, d)
			}
			if d := math.Abs(sum(x) - fy); b == operators.Periodic && d > tol*fy {
				t.Errorf("PSF %dx%d, %v: Σ x − Σ y = %.3g", k, k, b, d)
			}
		}
	}
}

// Data that are exactly zero over large regions, and a starting point that
// is zero there, make the model vanish: the ratio must then count as 0,
// leaving no NaN or Inf.
func TestRLZeroRegionsGiveNoNaN(t *testing.T) {
	const nx, ny = 48, 40
	for _, b := range []operators.Boundary{operators.Periodic, operators.ZeroPad} {
		t.Run(b.String(), func(t *testing.T) {
			a := newConvolution(t, nx, ny, gaussianPSF(5, 0.8), 5, b)
			_, y := blurredBlobs(a, nx, ny)

			// Zero the left third of the data and of the starting point,
			// and put a bright pixel in the data where the model is zero.
			start := make([]float64, nx*ny)
			for j := range ny {
				for i := range nx {
					if i < nx/3 {
						y[j*nx+i] = 0
					} else {
						start[j*nx+i] = 1
					}
				}
			}
			y[(ny/2)*nx+nx/6] = 5

			x, res, err := solvers.RichardsonLucy(start, a, y, 0, solvers.Settings{Tol: 1e-12, MaxIter: 200})
			if err != nil && !errors.As(err, new(*solvers.NotConvergedError)) {
				t.Fatal(err)
			}
			if bad := countNonFinite(x); bad > 0 {
				t.Errorf("%d NaN or Inf pixels", bad)
			}
			if res.ZeroModel == 0 {
				t.Errorf("no zero-model pixel was counted, result %+v", res)
			}
			if math.IsNaN(res.Residual) || math.IsNaN(res.Change) {
				t.Errorf("result %+v", res)
			}
			t.Logf("result %+v", res)
		})
	}
}

// Negative data are rejected with their count and the offset that would
// make them valid, never clipped.
func TestRLRejectsNegativeData(t *testing.T) {
	const nx, ny = 24, 20
	a := newConvolution(t, nx, ny, gaussianPSF(5, 1), 5, operators.ZeroPad)
	_, y := blurredBlobs(a, nx, ny)
	y[3], y[50], y[nx*ny-1] = -0.2, -0.5, -0.4

	x, _, err := solvers.RichardsonLucy(nil, a, y, 0, solvers.Settings{})
	var neg *solvers.NegativeDataError
	if !errors.As(err, &neg) {
		t.Fatalf("err = %v, want a *NegativeDataError", err)
	}
	if neg.Count != 3 {
		t.Errorf("count %d, want 3", neg.Count)
	}
	if neg.Min != -0.5 {
		t.Errorf("minimum %g, want -0.5", neg.Min)
	}
	if !strings.Contains(err.Error(), "3 data pixels") {
		t.Errorf("message %q does not give the count", err)
	}
	if x != nil {
		t.Errorf("an estimate came back with the error")
	}

	// An offset just below the reported one still fails, and one just
	// above it succeeds; the corner pixel, where A1 < 1, sets it.
	if _, _, err := solvers.RichardsonLucy(nil, a, y, 0.99*neg.MinOffset, solvers.Settings{}); !errors.As(err, new(*solvers.NegativeDataError)) {
		t.Errorf("offset 0.99 x %g: err = %v, want a *NegativeDataError", neg.MinOffset, err)
	}
	if !(neg.MinOffset > 0.5) {
		t.Errorf("smallest offset %g, want above 0.5 because A1 < 1 at the border", neg.MinOffset)
	}
	x, _, err = solvers.RichardsonLucy(nil, a, y, 1.01*neg.MinOffset, solvers.Settings{Tol: 1e-12, MaxIter: 20})
	if err != nil && !errors.As(err, new(*solvers.NotConvergedError)) {
		t.Fatalf("offset 1.01 x %g: %v", neg.MinOffset, err)
	}
	if bad := countNonFinite(x); bad > 0 {
		t.Errorf("%d NaN or Inf pixels", bad)
	}
}

// On noiseless data the iteration converges towards the truth and stops on
// the tolerance, reporting each relative change to Progress.
func TestRLStopsOnTolerance(t *testing.T) {
	const (
		nx, ny = 32, 32
		tol    = 1e-3
	)
	a := newConvolution(t, nx, ny, gaussianPSF(7, 1.2), 7, operators.Periodic)
	truth, y := blurredBlobs(a, nx, ny)

	var changes []float64
	s := solvers.Settings{Tol: tol, MaxIter: 1000, Progress: func(it int, change float64) {
		if it != len(changes)+1 {
			t.Errorf("progress called with iteration %d after %d calls", it, len(changes))
		}
		changes = append(changes, change)
	}}
	x, res, err := solvers.RichardsonLucy(nil, a, y, 0, s)
	if err != nil {
		t.Fatalf("%v (result %+v)", err, res)
	}

	if res.Iterations >= 1000 || res.Iterations != len(changes) {
		t.Errorf("%d iterations, %d progress calls", res.Iterations, len(changes))
	}
	if !(res.Change <= tol) || res.Change != changes[len(changes)-1] {
		t.Errorf("final change %g, last reported %g, tolerance %g", res.Change, changes[len(changes)-1], tol)
	}
	if before, after := rmsDiff(y, truth), rmsDiff(x, truth); !(after < 0.5*before) {
		t.Errorf("RMS error %.4g after %d iterations, %.4g before: want at least halved", after, res.Iterations, before)
	}
	if !(res.Residual < 0.01) {
		t.Errorf("data residual %g, want < 0.01 on noiseless data", res.Residual)
	}
	t.Logf("%d iterations, data residual %.3g", res.Iterations, res.Residual)
}

func TestRLReportsNonConvergence(t *testing.T) {
	const nx, ny = 20, 20
	a := newConvolution(t, nx, ny, gaussianPSF(5, 1), 5, operators.Periodic)
	_, y := blurredBlobs(a, nx, ny)
	x, res, err := solvers.RichardsonLucy(nil, a, y, 0, solvers.Settings{Tol: 1e-12, MaxIter: 3})
	var nc *solvers.NotConvergedError
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v, want a *NotConvergedError", err)
	}
	if nc.Iterations != 3 || res.Iterations != 3 {
		t.Errorf("error %+v, result %+v: want 3 iterations", nc, res)
	}
	if nc.Residual != res.Change {
		t.Errorf("error residual %g, want the last relative change %g", nc.Residual, res.Change)
	}
	if len(x) != nx*ny {
		t.Errorf("last iterate has %d values", len(x))
	}
}

func TestRLRejectsInvalidInput(t *testing.T) {
	const nx, ny = 16, 16
	conv := newConvolution(t, nx, ny, gaussianPSF(3, 1), 3, operators.Periodic)
	rng := rand.New(rand.NewPCG(3, 3))
	y := positiveImage(rng, nx*ny)
	nan := append([]float64(nil), y...)
	nan[7] = math.NaN()
	keep := make([]bool, nx*ny)
	for i := range keep {
		keep[i] = i%2 == 0
	}
	mask, err := operators.NewMask(conv.Domain(), keep)
	if err != nil {
		t.Fatal(err)
	}
	belowOffset := make([]float64, nx*ny)
	belowOffset[4] = -2

	cases := []struct {
		name   string
		a      operators.Operator
		x, y   []float64
		offset float64
		s      solvers.Settings
	}{
		{"negative offset", conv, nil, y, -1, solvers.Settings{}},
		{"NaN offset", conv, nil, y, math.NaN(), solvers.Settings{}},
		{"NaN in the data", conv, nil, nan, 0, solvers.Settings{}},
		{"start below the offset", conv, belowOffset, y, 1, solvers.Settings{}},
		{"pixels the operator misses", mask, nil, y, 0, solvers.Settings{}},
		{"data summing to zero", conv, nil, make([]float64, nx*ny), 0, solvers.Settings{}},
		{"negative tolerance", conv, nil, y, 0, solvers.Settings{Tol: -1}},
		{"negative iteration cap", conv, nil, y, 0, solvers.Settings{MaxIter: -1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := solvers.RichardsonLucy(c.x, c.a, c.y, c.offset, c.s); err == nil {
				t.Error("no error")
			}
		})
	}
}
