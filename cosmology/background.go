package cosmology

import (
	"math"

	"gonum.org/v1/gonum/integrate/quad"
)

// HubbleDistanceMpcH is c/H0 in Mpc/h: the speed of light in km/s divided
// by 100 km s⁻¹ Mpc⁻¹.
const HubbleDistanceMpcH = 299792.458 / 100

// backgroundNodes is the order of the Gauss–Legendre rules of the distance
// and growth integrals. Their integrands are smooth after the changes of
// variable below, and 48 points give them to about 1e-12 relative.
const backgroundNodes = 48

// gaussLegendre is a Gauss–Legendre rule on [0, 1].
type gaussLegendre struct {
	x, w []float64
}

func newGaussLegendre(n int) gaussLegendre {
	g := gaussLegendre{x: make([]float64, n), w: make([]float64, n)}
	quad.Legendre{}.FixedLocations(g.x, g.w, 0, 1)
	return g
}

// integrate returns the integral of f from a to b.
func (g gaussLegendre) integrate(f func(float64) float64, a, b float64) float64 {
	var s float64
	for i, x := range g.x {
		s += g.w[i] * f(a+(b-a)*x)
	}
	return s * (b - a)
}

// E returns the dimensionless expansion rate H(z)/H0 = √(Ω_m (1+z)³ + Ω_Λ).
func (m *Model) E(z float64) float64 {
	zp := 1 + z
	return math.Sqrt(m.omegaM*zp*zp*zp + m.omegaL)
}

// OmegaMAt returns the matter density parameter at redshift z,
// Ω_m (1+z)³ / E(z)².
func (m *Model) OmegaMAt(z float64) float64 {
	zp := 1 + z
	e := m.E(z)
	return m.omegaM * zp * zp * zp / (e * e)
}

// ComovingDistanceMpcH returns the line-of-sight comoving distance to
// redshift z in Mpc/h, χ = (c/H0) ∫₀^z dz′/E(z′). With u = (1+z)^(−1/2)
// the integral becomes
//
//	χ = (c/H0) ∫_u^1 2 du / √(Ω_m + Ω_Λ u⁶),
//
// whose integrand is smooth and bounded for every z ≥ 0, so a fixed
// Gauss–Legendre rule is accurate to about 1e-12 relative. It returns 0
// for z ≤ 0 and NaN for NaN.
func (m *Model) ComovingDistanceMpcH(z float64) float64 {
	if math.IsNaN(z) {
		return math.NaN()
	}
	if z <= 0 {
		return 0
	}
	u := 1 / math.Sqrt(1+z)
	f := func(u float64) float64 {
		u3 := u * u * u
		return 2 / math.Sqrt(m.omegaM+m.omegaL*u3*u3)
	}
	return HubbleDistanceMpcH * m.gl.integrate(f, u, 1)
}

// ComovingDistanceMpc returns the comoving distance to redshift z in Mpc.
func (m *Model) ComovingDistanceMpc(z float64) float64 {
	return m.ComovingDistanceMpcH(z) / m.p.H
}

// Growth returns the linear growth factor D(z) of matter density
// perturbations, normalised to D(0) = 1. For pressureless matter and a
// cosmological constant the growing mode is the integral solution
// (Heath 1977, MNRAS 179, 351)
//
//	D(a) ∝ E(a) ∫₀^a da′ / (a′ E(a′))³,
//
// with a = 1/(1+z). Writing a′E(a′) = √(Ω_m/a′ + Ω_Λ a′²) and a′ = v²
// turns the integral into ∫₀^√a 2v⁴ (Ω_m + Ω_Λ v⁶)^(−3/2) dv, whose
// integrand is a smooth function of v. In an Einstein–de Sitter universe
// D = a.
func (m *Model) Growth(z float64) float64 {
	return m.growthUnnormalised(z) / m.growth0
}

func (m *Model) growthUnnormalised(z float64) float64 {
	if math.IsNaN(z) || z <= -1 {
		return math.NaN()
	}
	a := 1 / (1 + z)
	f := func(v float64) float64 {
		v2 := v * v
		g := m.omegaM + m.omegaL*v2*v2*v2
		return 2 * v2 * v2 / (g * math.Sqrt(g))
	}
	return m.E(z) * m.gl.integrate(f, 0, math.Sqrt(a))
}
