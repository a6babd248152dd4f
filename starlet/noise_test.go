package starlet_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/starlet"
)

// The first scale has the closed form ψ_1 = δ⊗δ − h⊗h, so
// σ_1² = 1 − 2·h₀² + (Σ_k h_k²)² with h₀ = 6/16 and Σ_k h_k² = 70/256.
func TestNoiseLevelsFirstScale(t *testing.T) {
	const tol = 1e-15
	sumSquares := 70.0 / 256
	want := math.Sqrt(1 - 2*(6.0/16)*(6.0/16) + sumSquares*sumSquares)
	got := starlet.NoiseLevels(1)[0]
	if math.Abs(got-want) > tol {
		t.Errorf("NoiseLevels(1)[0] = %.17g, want %.17g", got, want)
	}
}

// The coefficients of a unit impulse are the equivalent filters, so their
// norms are the noise levels wherever the filters neither wrap nor reach an
// edge.
func TestNoiseLevelsMatchImpulseResponse(t *testing.T) {
	const tol = 1e-12 // relative
	const scales = 5  // the widest filter has 4·2^5 − 3 = 125 taps
	cases := []struct {
		boundary starlet.Boundary
		n, x, y  int
	}{
		// Periodic: the filter fits in 128 pixels, so the impulse may sit
		// anywhere, a corner included.
		{starlet.Periodic, 128, 0, 0},
		{starlet.Periodic, 128, 70, 3},
		// Mirror: the filter reaches 62 pixels from the impulse, which
		// stays 66 pixels from every edge.
		{starlet.Mirror, 256, 128, 128},
	}
	want := starlet.NoiseLevels(scales)
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v/impulse at (%d,%d)", c.boundary, c.x, c.y), func(t *testing.T) {
			tr := newTransform(t, c.n, c.n, scales, starlet.Options{Boundary: c.boundary})
			image := make([]float64, c.n*c.n)
			image[c.y*c.n+c.x] = 1
			coeffs := tr.NewCoeffs()
			tr.Forward(coeffs, image)
			for j := range scales {
				got := math.Sqrt(dot(coeffs[j], coeffs[j]))
				if e := math.Abs(got-want[j]) / want[j]; e > tol {
					t.Errorf("scale %d: impulse response norm %.17g, NoiseLevels %.17g: relative difference %.3g", j+1, got, want[j], e)
				}
			}
		})
	}
}

// The standard deviation of the coefficients of seeded white noise must
// match NoiseLevels. The coefficients of a scale are correlated over the
// width of its filter, which limits the precision of the estimate. From
// 128 maps of 256×256 pixels its relative standard error is 0.05% at scale
// 1, growing to 0.48% at scale 5, a quarter of the tolerance. (These errors
// are 0.5·√(2·Σρ²/N) for N pixels and the filter's normalised
// autocorrelation ρ, evaluated with numpy on the unbounded plane.)
func TestNoiseLevelsMonteCarlo(t *testing.T) {
	const tol = 0.02 // relative
	const n, scales, maps = 256, 5, 128
	const sigma = 3.0 // the noise's standard deviation; the levels scale with it
	tr := newTransform(t, n, n, scales, starlet.Options{Boundary: starlet.Periodic})
	rng := rand.New(rand.NewPCG(11, 3))
	image := make([]float64, n*n)
	coeffs := tr.NewCoeffs()
	sumSquares := make([]float64, scales)
	for range maps {
		for i := range image {
			image[i] = sigma * rng.NormFloat64()
		}
		tr.Forward(coeffs, image)
		for j := range scales {
			sumSquares[j] += dot(coeffs[j], coeffs[j])
		}
	}

	want := starlet.NoiseLevels(scales)
	for j := range scales {
		// Each wavelet scale has zero mean in periodic mode, so the mean
		// square is the variance.
		got := math.Sqrt(sumSquares[j]/(maps*n*n)) / sigma
		if e := math.Abs(got-want[j]) / want[j]; e > tol {
			t.Errorf("scale %d: Monte Carlo σ = %.5f, NoiseLevels %.5f: relative difference %.3g, want ≤ %g", j+1, got, want[j], e, tol)
		}
	}
}

func TestNoiseLevelsRejectsZeroScales(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NoiseLevels(0) did not panic")
		}
	}()
	starlet.NoiseLevels(0)
}
