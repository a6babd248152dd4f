package simulate_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/simulate"
)

func TestLognormalMoments(t *testing.T) {
	const n, realisations, shift = 128, 100, 0.02
	p := 0.29 * arcmin
	power := powerspec.PowerMap(powerLaw, n, n, p)
	target := 0.0 // the pixel variance of the power map
	for _, v := range power {
		target += v
	}
	target /= n * n * n * n

	gen, err := simulate.NewLognormal(power, n, n, shift)
	if err != nil {
		t.Fatal(err)
	}
	gen.SetWorkers(1)
	modes, clipped := gen.Clipped()
	t.Logf("σ_κ = %.4f, λ = %g, σ_g² = %.4f; clipped %.2f%% of the modes, %.2g of the Gaussian power",
		math.Sqrt(target), shift, gen.GaussianVariance(), 100*modes, clipped)

	lmin, lmax := powerspec.EllRange(n, n, p)
	est, err := powerspec.NewEstimator(n, n, p, powerspec.LogBins(lmin, lmax, 8), powerspec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	est.SetWorkers(1)
	theory := est.BinTheory(powerLaw)
	clSum := make([]float64, len(theory))
	clSumSq := make([]float64, len(theory))

	rng := rand.New(rand.NewPCG(31, 32))
	m := make([]float64, n*n)
	var means []float64
	var s2, s3 float64
	minimum := math.Inf(1)
	for range realisations {
		gen.Field(m, rng)
		mean := 0.0
		for _, v := range m {
			mean += v
			s2 += v * v
			s3 += v * v * v
			minimum = math.Min(minimum, v)
		}
		means = append(means, mean/(n*n))

		spec, err := est.Measure(m)
		if err != nil {
			t.Fatal(err)
		}
		for b, band := range spec.Bands {
			clSum[b] += band.Cl
			clSumSq[b] += band.Cl * band.Cl
		}
	}

	// Moments about the requested mean 0, pooled over all pixels.
	count := float64(realisations * n * n)
	variance := s2 / count
	skewness := s3 / count / math.Pow(variance, 1.5)

	grand, scatter := 0.0, 0.0
	for _, v := range means {
		grand += v / realisations
	}
	for _, v := range means {
		scatter += (v - grand) * (v - grand) / (realisations - 1)
	}
	stdErr := math.Sqrt(scatter / realisations)
	t.Logf("mean %.3g ± %.2g, variance / target %.4f (Variance() / target %.4f), skewness %.3f, minimum %.5f",
		grand, stdErr, variance/target, gen.Variance()/target, skewness, minimum)

	if math.Abs(grand) > 3*stdErr {
		t.Errorf("mean %.3g is %.1f standard errors from 0", grand, grand/stdErr)
	}
	if r := variance / target; math.Abs(r-1) > 0.05 {
		t.Errorf("variance %.4g, target %.4g: ratio %.4f, want within 5%% of 1", variance, target, r)
	}
	if !(skewness > 0) {
		t.Errorf("skewness %.3f, want > 0", skewness)
	}
	// The skewness of a shifted lognormal variable, (e^σ² + 2) √(e^σ² − 1).
	e := math.Expm1(gen.GaussianVariance())
	if want := (e + 3) * math.Sqrt(e); math.Abs(skewness-want) > 0.1*want {
		t.Errorf("skewness %.3f, lognormal value %.3f: want within 10%%", skewness, want)
	}
	if minimum < -shift {
		t.Errorf("minimum %.6f is below −λ = %g", minimum, -shift)
	}

	// The power spectrum is that of the power map, within 3 standard errors
	// estimated from the scatter of the realisations.
	maxZ := 0.0
	for b := range theory {
		r := float64(realisations)
		mean := clSum[b] / r
		std := math.Sqrt((clSumSq[b] - r*mean*mean) / (r - 1))
		z := (mean - theory[b]) / (std / math.Sqrt(r))
		maxZ = math.Max(maxZ, math.Abs(z))
		if !(math.Abs(z) <= 3) {
			t.Errorf("band %d: mean C_ℓ = %.5g, power map %.5g: %.2f standard errors apart", b, mean, theory[b], z)
		}
	}
	t.Logf("power spectrum: max |z| = %.2f over %d bands", maxZ, len(theory))
}

func TestLognormalRejectsSmallShift(t *testing.T) {
	const n = 32
	// Power at the Nyquist frequency of x alone makes ξ(r) alternate in
	// sign with the same amplitude as ξ(0).
	power := make([]float64, n*n)
	power[n/2] = 1
	_, err := simulate.NewLognormal(power, n, n, 1e-4)
	if err == nil {
		t.Fatal("NewLognormal accepted a shift with ξ_κ < −λ²")
	}
	if !strings.Contains(err.Error(), "use a shift above") {
		t.Errorf("error %q does not suggest a larger shift", err)
	}
}
