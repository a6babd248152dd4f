package priors

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/fft"
)

// Gaussian is the zero-mean Gaussian prior of a stationary field on an
// NX × NY grid, diagonal in Fourier space:
//
//	log p(κ) = −½ Σ_k |κ̂_k|² / P_k + const,   κ̂ = F κ,
//
// with F the unnormalised FFT (package fft) and P_k the variance of each
// coefficient, as powerspec.PowerMap returns it for a spectrum C_ℓ. Modes
// with P_k = 0 (the mean, usually) are outside the prior's support: the
// log-density ignores them and the gradient leaves them at zero, which is
// the same as projecting them out. With N the pixel count, the pixel-space
// covariance is S = F⁻¹ diag(P/N) F.
//
// A Gaussian keeps an FFT plan and a buffer, so it is not safe for
// concurrent use.
type Gaussian struct {
	nx, ny int
	power  []float64
	plan   *fft.Plan2D
	buf    []complex128
}

// NewGaussian returns the prior with coefficient variances power, in FFT
// layout (index ky*nx + kx). It returns an error for a wrong length or a
// negative, NaN or infinite variance.
func NewGaussian(power []float64, nx, ny int) (*Gaussian, error) {
	if nx < 1 || ny < 1 || len(power) != nx*ny {
		return nil, fmt.Errorf("priors: power map of %d values for a %d x %d grid", len(power), nx, ny)
	}
	for i, p := range power {
		if !(p >= 0) || math.IsInf(p, 0) {
			return nil, fmt.Errorf("priors: power %g at Fourier index %d: it must be finite and non-negative", p, i)
		}
	}
	return &Gaussian{nx: nx, ny: ny, power: power, plan: fft.NewPlan2D(nx, ny), buf: make([]complex128, nx*ny)}, nil
}

// Size returns the grid size.
func (g *Gaussian) Size() (nx, ny int) { return g.nx, g.ny }

// SetWorkers sets the number of goroutines of each transform (see
// fft.Plan2D.SetWorkers), for example 1 when the caller runs several priors
// at once.
func (g *Gaussian) SetWorkers(n int) { g.plan.SetWorkers(n) }

// LogDensity returns −½ Σ_k |κ̂_k|²/P_k over the modes with P_k > 0: the
// log-density of kappa up to its normalisation constant.
func (g *Gaussian) LogDensity(kappa []float64) float64 {
	g.forward(kappa)
	s := 0.0
	for i, v := range g.buf {
		if p := g.power[i]; p > 0 {
			s += (real(v)*real(v) + imag(v)*imag(v)) / p
		}
	}
	return -s / 2
}

// Gradient writes ∇ log p(κ) = −S⁻¹ κ = −F⁻¹[(N/P) F κ] into dst. dst may be
// kappa. It allocates nothing.
func (g *Gaussian) Gradient(dst, kappa []float64) {
	g.Score(dst, kappa, 0)
}

// Score writes the score of the prior convolved with white Gaussian noise
// of standard deviation sigma per pixel, ∇ log p_σ(x) = −(S + σ² I)⁻¹ x =
// −F⁻¹[N/(P + σ² N) F x], into dst: the analytic part of a
// noise-conditional score for annealed samplers (the Gaussian term of Remy
// et al. 2023, A&A 672, A51). Score with sigma = 0 is Gradient. dst may be
// x. It allocates nothing.
func (g *Gaussian) Score(dst, x []float64, sigma float64) {
	n := float64(g.nx * g.ny)
	g.forward(x)
	s2n := sigma * sigma * n
	for i := range g.buf {
		den := g.power[i] + s2n
		if g.power[i] == 0 && sigma == 0 || den == 0 {
			g.buf[i] = 0
			continue
		}
		// −N/(P + σ²N), times the 1/N that the unnormalised inverse
		// transform leaves out.
		g.buf[i] *= complex(-1/den, 0)
	}
	g.plan.Inverse(g.buf, g.buf)
	for i, v := range g.buf {
		dst[i] = real(v)
	}
}

func (g *Gaussian) forward(x []float64) {
	if len(x) != g.nx*g.ny {
		panic(fmt.Sprintf("priors: map of %d values for a %d x %d grid", len(x), g.nx, g.ny))
	}
	for i, v := range x {
		g.buf[i] = complex(v, 0)
	}
	g.plan.Forward(g.buf, g.buf)
}
