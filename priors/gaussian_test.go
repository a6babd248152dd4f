package priors

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/simulate"
)

func powerLaw(ell float64) float64 { return 1e-9 * math.Pow(ell/1000, -1.2) }

func newTestPrior(t *testing.T, nx, ny int) (*Gaussian, []float64) {
	t.Helper()
	const pixelRad = 1.0 / 60 * math.Pi / 180
	power := powerspec.PowerMap(powerLaw, nx, ny, pixelRad)
	g, err := NewGaussian(power, nx, ny)
	if err != nil {
		t.Fatal(err)
	}
	return g, power
}

func TestGradientMatchesFiniteDifferences(t *testing.T) {
	g, _ := newTestPrior(t, 16, 12)
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 16*12)
	for i := range x {
		x[i] = 0.01 * rng.NormFloat64()
	}
	grad := make([]float64, len(x))
	g.Gradient(grad, x)
	const h = 1e-6
	for _, i := range []int{0, 7, 50, 191} {
		xp := append([]float64{}, x...)
		xm := append([]float64{}, x...)
		xp[i] += h
		xm[i] -= h
		fd := (g.LogDensity(xp) - g.LogDensity(xm)) / (2 * h)
		if math.Abs(fd-grad[i]) > 1e-6*math.Abs(grad[i]) {
			t.Errorf("pixel %d: gradient %.10g, finite difference %.10g", i, grad[i], fd)
		}
	}
}

// For fields drawn from the prior, −2 log p is a χ² with one degree of
// freedom per mode of non-zero power: its mean over draws is N − 1.
func TestLogDensityOfPriorDraws(t *testing.T) {
	nx, ny := 32, 24
	g, power := newTestPrior(t, nx, ny)
	gen, err := simulate.NewGaussian(power, nx, ny)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	const draws = 200
	sum := 0.0
	for range draws {
		sum += -2 * g.LogDensity(gen.Field(nil, rng))
	}
	mean := sum / draws
	dof := float64(nx*ny - 1)
	// The mean of 200 χ² draws with N − 1 degrees of freedom scatters by
	// √(2(N−1)/200) ≈ 2.8.
	if math.Abs(mean-dof) > 4*math.Sqrt(2*dof/draws) {
		t.Errorf("mean −2 log p = %.2f, want %.0f", mean, dof)
	}
}

// The score at noise level σ is the gradient of the log-density of the
// prior with its power raised by σ² per pixel.
func TestScoreIsGradientOfNoisyPrior(t *testing.T) {
	nx, ny := 20, 18
	g, power := newTestPrior(t, nx, ny)
	const sigma = 0.03
	noisy := make([]float64, len(power))
	for i, p := range power {
		noisy[i] = p + sigma*sigma*float64(nx*ny)
	}
	gn, _ := NewGaussian(noisy, nx, ny)
	rng := rand.New(rand.NewPCG(3, 3))
	x := make([]float64, nx*ny)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	got, want := make([]float64, len(x)), make([]float64, len(x))
	g.Score(got, x, sigma)
	gn.Gradient(want, x)
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("pixel %d: score %g, gradient of the noisy prior %g", i, got[i], want[i])
		}
	}
	if allocs := testing.AllocsPerRun(5, func() { g.Score(got, x, sigma) }); allocs != 0 {
		t.Errorf("Score allocates %g times per call", allocs)
	}
}

func TestNewGaussianRejectsBadPower(t *testing.T) {
	if _, err := NewGaussian([]float64{0, 1, -1, 2}, 2, 2); err == nil {
		t.Error("negative power: no error")
	}
	if _, err := NewGaussian([]float64{0, 1}, 2, 2); err == nil {
		t.Error("short power map: no error")
	}
}
