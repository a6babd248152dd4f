package cosmology

import (
	"fmt"
	"math"
)

// Model is a cosmology ready for computation: the parameters, the settings
// and the tables that depend only on them (the power-spectrum amplitude
// that gives the requested σ8 and the linear power on a grid of
// wavenumbers). A Model is immutable after New, so its methods may be
// called from several goroutines at once.
type Model struct {
	p              Params
	s              Settings
	omegaM, omegaL float64
	gl             gaussLegendre
	growth0        float64 // growth integral at z = 0, before normalisation
	eh             eisensteinHu

	// amplitude is A in P_lin(k, z) = A kⁿˢ T²(k) D²(z).
	amplitude float64

	// delta2 is the dimensionless linear power Δ²(k) = k³ P_lin(k, 0)/(2π²)
	// at k = exp(lnkMin + i·lnkStep), and k2 is k², for the
	// Gaussian-filtered variances of Halofit.
	lnkMin, lnkStep float64
	k2, delta2      []float64
}

// Range and step of the ln k grid of Model.delta2, k in h/Mpc. The grid
// reaches k = 1e5 h/Mpc, so Halofit finds its nonlinear scale while
// k_σ ≲ 1.4e4 h/Mpc, which is up to z ≈ 19 for Planck2018.
const (
	gridKMin  = 1e-5
	gridKMax  = 1e5
	gridLnKdx = 0.02
)

// New returns a Model of the cosmology p with settings s, with the
// linear power spectrum normalised to p.Sigma8. It returns an error when
// p or s is invalid.
func New(p Params, s Settings) (*Model, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	m := &Model{
		p:      p,
		s:      s,
		omegaM: p.OmegaM(),
		omegaL: p.OmegaLambda(),
		gl:     newGaussLegendre(backgroundNodes),
		eh:     newEisensteinHu(p),
	}
	m.growth0 = m.growthUnnormalised(0)

	// Normalise to σ8: σ² is proportional to the amplitude.
	m.amplitude = 1
	sigma := m.SigmaTopHat(8, 0)
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("cosmology: σ(8 Mpc/h) of the unnormalised spectrum is %v, cannot normalise to σ8 = %v", sigma, p.Sigma8)
	}
	m.amplitude = (p.Sigma8 / sigma) * (p.Sigma8 / sigma)

	// Tabulate Δ²(k, z = 0) for the Halofit variances.
	m.lnkMin = math.Log(gridKMin)
	m.lnkStep = gridLnKdx
	n := int(math.Ceil(math.Log(gridKMax/gridKMin)/gridLnKdx)) + 1
	m.k2 = make([]float64, n)
	m.delta2 = make([]float64, n)
	for i := range m.delta2 {
		k := math.Exp(m.lnkMin + float64(i)*m.lnkStep)
		m.k2[i] = k * k
		m.delta2[i] = k * k * k * m.linearPower0(k) / (2 * math.Pi * math.Pi)
	}
	return m, nil
}

// Params returns the parameters of the model.
func (m *Model) Params() Params { return m.p }

// Settings returns the settings of the model.
func (m *Model) Settings() Settings { return m.s }

// LinearPower returns the linear matter power spectrum in (Mpc/h)³ at
// wavenumber k in h/Mpc and redshift z:
//
//	P_lin(k, z) = A kⁿˢ T²(k) D²(z),
//
// with the primordial power law kⁿˢ, the transfer function T of
// Model.Transfer, the growth factor D of Model.Growth, and A set so that
// the top-hat variance at 8 Mpc/h and z = 0 is σ8². It returns NaN for a
// negative or NaN k.
func (m *Model) LinearPower(k, z float64) float64 {
	d := m.Growth(z)
	return m.linearPower0(k) * d * d
}

// linearPower0 returns the linear power at z = 0.
func (m *Model) linearPower0(k float64) float64 {
	t := m.Transfer(k)
	return m.amplitude * math.Pow(k, m.p.NS) * t * t
}

// sigmaPanelWidth is the width in ln k of the Gauss–Legendre panels of the
// top-hat variance, and sigmaXMin, sigmaXMax bound its integral in kR. The
// power below kR = 1e-5 and the W² ≈ 9 cos²(kR)/(kR)⁴ tail beyond kR = 500
// change σ² by less than 1e-9 relative.
const (
	sigmaPanelWidth = 0.05
	sigmaXMin       = 1e-5
	sigmaXMax       = 500
	sigmaOrder      = 8
)

// SigmaTopHat returns the rms linear density contrast σ(R, z) in a
// spherical top hat of radius r in Mpc/h at redshift z:
//
//	σ²(R) = ∫ dln k Δ²(k, z) W²(kR),   W(x) = 3 (sin x − x cos x)/x³,
//
// with Δ² = k³ P_lin/(2π²). The integral runs from kR = 1e-5 to 500 in
// Gauss–Legendre panels of width 0.05 in ln k; SigmaTopHat(8, 0) is σ8.
func (m *Model) SigmaTopHat(r, z float64) float64 {
	if !(r > 0) {
		return math.NaN()
	}
	gl := newGaussLegendre(sigmaOrder)
	lo, hi := math.Log(sigmaXMin/r), math.Log(sigmaXMax/r)
	panels := int(math.Ceil((hi - lo) / sigmaPanelWidth))
	width := (hi - lo) / float64(panels)
	integrand := func(lnk float64) float64 {
		k := math.Exp(lnk)
		w := topHatWindow(k * r)
		return k * k * k * m.LinearPower(k, z) / (2 * math.Pi * math.Pi) * w * w
	}
	var sum float64
	for i := range panels {
		a := lo + float64(i)*width
		sum += gl.integrate(integrand, a, a+width)
	}
	return math.Sqrt(sum)
}

// topHatWindow returns the Fourier transform of a normalised spherical top
// hat, 3 (sin x − x cos x)/x³, with its series 1 − x²/10 + x⁴/280 below
// x = 1e-3 where the closed form loses digits.
func topHatWindow(x float64) float64 {
	if x < 1e-3 {
		x2 := x * x
		return 1 - x2/10 + x2*x2/280
	}
	return 3 * (math.Sin(x) - x*math.Cos(x)) / (x * x * x)
}
