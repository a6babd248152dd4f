package cosmology

import "math"

// halofit holds the Halofit coefficients at one redshift: Smith et al.
// (2003, MNRAS 341, 1311, Appendix C) with the coefficients revised by
// Takahashi et al. (2012, ApJ 761, 152, Appendix, eqs. A6–A13) for flat
// ΛCDM with w = −1, where the (1 + w) terms of a_n and b_n vanish.
type halofit struct {
	linear  bool    // no nonlinear scale on the k grid: return the linear power
	growth2 float64 // D²(z)

	kSigma, nEff, curvature float64

	an, bn, cn, gamma, alpha, beta, nu float64
	f1, f2, f3                         float64
}

// maxNewtonSteps bounds the safeguarded Newton search for k_σ. Each step
// at least halves the bracket when Newton fails, so 200 steps exceed what
// float64 resolution allows.
const maxNewtonSteps = 200

// gaussianMoments returns, for the linear power at z = 0 and a Gaussian
// filter of radius R = exp(lnR) in Mpc/h, the variance
// σ² = ∫ dln k Δ²(k) exp(−k²R²) and its first and second derivatives
// with respect to ln R. The trapezoid rule on the uniform ln k grid
// converges faster than any power of the step here, because the integrand
// vanishes smoothly at both ends of the grid (as k⁴ below and as
// exp(−k²R²) above).
func (m *Model) gaussianMoments(lnR float64) (s0, s1, s2 float64) {
	r2 := math.Exp(2 * lnR)
	for i, d := range m.delta2 {
		y2 := m.k2[i] * r2
		if y2 > 50 {
			break
		}
		w := d * math.Exp(-y2)
		s0 += w
		s1 += -2 * y2 * w
		s2 += (4*y2*y2 - 4*y2) * w
	}
	return s0 * m.lnkStep, s1 * m.lnkStep, s2 * m.lnkStep
}

// NonlinearScale returns Halofit's nonlinear wavenumber k_σ in h/Mpc, the
// effective spectral index n_eff and the spectral curvature C at redshift
// z, as Smith et al. (2003, MNRAS 341, 1311, Appendix C) define them and
// Takahashi et al. (2012, ApJ 761, 152, Appendix) keep them. k_σ = 1/R,
// where the Gaussian-filtered linear variance is one,
//
//	σ²(R, z) = ∫ dln k Δ²_L(k, z) exp(−k²R²) = 1,
//
// and n_eff = −3 − dln σ²/dln R, C = −d²ln σ²/dln R², both at that R.
// ok is false when σ² < 1 for every R the k grid of the Model resolves,
// that is when k_σ would exceed about 1.4e4 h/Mpc (z ≳ 19 for
// Planck2018). The nonlinear power is then the linear power.
func (m *Model) NonlinearScale(z float64) (kSigma, nEff, curvature float64, ok bool) {
	h, _ := m.halofitAt(z, math.NaN())
	if h.linear {
		return math.Inf(1), math.NaN(), math.NaN(), false
	}
	return h.kSigma, h.nEff, h.curvature, true
}

// halofitAt returns the Halofit coefficients at redshift z, starting the
// search for ln R = −ln k_σ at lnRGuess when it is not NaN. It also
// returns the ln R found, or NaN when there is none.
func (m *Model) halofitAt(z, lnRGuess float64) (halofit, float64) {
	d := m.Growth(z)
	lnD2 := 2 * math.Log(d)

	// Bracket the root of g(ln R) = ln σ²(R, z): the smallest radius whose
	// filter the grid resolves (k_max R ≈ 7) and 1e4 Mpc/h.
	lo := math.Log(7 / gridKMax)
	hi := math.Log(1e4)
	g := func(lnR float64) (value, slope float64) {
		s0, s1, _ := m.gaussianMoments(lnR)
		return math.Log(s0) + lnD2, s1 / s0
	}
	if v, _ := g(lo); !(v > 0) {
		return halofit{linear: true, growth2: d * d}, math.NaN()
	}
	if v, _ := g(hi); !(v < 0) {
		return halofit{linear: true, growth2: d * d}, math.NaN()
	}

	// Safeguarded Newton: σ² falls monotonically with R, so keep
	// g(lo) > 0 > g(hi) and bisect whenever a Newton step leaves the
	// bracket.
	t := lnRGuess
	if math.IsNaN(t) || t <= lo || t >= hi {
		t = 0.5 * (lo + hi)
	}
	for range maxNewtonSteps {
		v, slope := g(t)
		if v > 0 {
			lo = t
		} else {
			hi = t
		}
		next := t - v/slope
		if !(next > lo && next < hi) {
			next = 0.5 * (lo + hi)
		}
		if math.Abs(next-t) < 1e-12 {
			t = next
			break
		}
		t = next
	}

	s0, s1, s2 := m.gaussianMoments(t)
	first := s1 / s0
	nEff := -3 - first
	curvature := -(s2/s0 - first*first)
	h := m.halofitCoefficients(z, math.Exp(-t), nEff, curvature)
	h.growth2 = d * d
	return h, t
}

// halofitCoefficients evaluates Takahashi et al. (2012) eqs. A6–A13 with
// w = −1, and the Ω_m(z) powers f1, f2, f3 of Smith et al. (2003) for a
// flat universe with a cosmological constant.
func (m *Model) halofitCoefficients(z, kSigma, n, c float64) halofit {
	n2 := n * n
	n3 := n2 * n
	n4 := n3 * n
	om := m.OmegaMAt(z)
	return halofit{
		kSigma:    kSigma,
		nEff:      n,
		curvature: c,
		an:        math.Pow(10, 1.5222+2.8553*n+2.3706*n2+0.9903*n3+0.2250*n4-0.6038*c),
		bn:        math.Pow(10, -0.5642+0.5864*n+0.5716*n2-1.5474*c),
		cn:        math.Pow(10, 0.3698+2.0404*n+0.8161*n2+0.5869*c),
		gamma:     0.1971 - 0.0843*n + 0.8460*c,
		alpha:     math.Abs(6.0835 + 1.3373*n - 0.1959*n2 - 5.5274*c),
		beta:      2.0379 - 0.7354*n + 0.3157*n2 + 1.2490*n3 + 0.3980*n4 - 0.1682*c,
		nu:        math.Pow(10, 5.2105+3.6902*n),
		f1:        math.Pow(om, -0.0307),
		f2:        math.Pow(om, -0.0585),
		f3:        math.Pow(om, 0.0743),
	}
}

// delta2 returns the nonlinear Δ²_NL = Δ²_Q + Δ²_H at wavenumber k in h/Mpc
// from the linear Δ²_L at the same k and redshift. The quasi-linear term
// is
//
//	Δ²_Q = Δ²_L (1 + Δ²_L)^β_n / (1 + α_n Δ²_L) · exp(−y/4 − y²/8),
//
// and the halo term, with μ_n = 0 in the revised fit,
//
//	Δ²_H = a_n y^(3f1) / (1 + b_n y^f2 + (c_n f3 y)^(3−γ_n)) / (1 + ν_n/y²),
//
// where y = k/k_σ.
func (h *halofit) delta2(k, delta2Lin float64) float64 {
	if h.linear {
		return delta2Lin
	}
	y := k / h.kSigma
	q := delta2Lin * math.Pow(1+delta2Lin, h.beta) / (1 + h.alpha*delta2Lin) * math.Exp(-y/4-y*y/8)
	halo := h.an * math.Pow(y, 3*h.f1) /
		(1 + h.bn*math.Pow(y, h.f2) + math.Pow(h.cn*h.f3*y, 3-h.gamma))
	halo /= 1 + h.nu/(y*y)
	return q + halo
}

// NonlinearPower returns the Halofit nonlinear matter power spectrum in
// (Mpc/h)³ at wavenumber k in h/Mpc and redshift z ≥ 0. Each call searches
// for the nonlinear scale of z again, so use NonlinearPowerSpectrum for
// many wavenumbers at one redshift. It returns NaN for a negative or NaN k or z.
func (m *Model) NonlinearPower(k, z float64) float64 {
	return m.NonlinearPowerSpectrum(nil, []float64{k}, z)[0]
}

// NonlinearPowerSpectrum stores in dst the Halofit nonlinear power in
// (Mpc/h)³ at the wavenumbers k in h/Mpc and redshift z ≥ 0, and returns
// dst. A nil dst is allocated; a dst of another length than k panics.
// Entries are NaN for a negative or NaN wavenumber, and all are NaN for a
// negative or NaN z.
func (m *Model) NonlinearPowerSpectrum(dst, k []float64, z float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(k))
	}
	if len(dst) != len(k) {
		panic("cosmology: NonlinearPowerSpectrum: dst and k lengths differ")
	}
	if !(z >= 0) {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return dst
	}
	h, _ := m.halofitAt(z, math.NaN())
	for i, ki := range k {
		dst[i] = m.nonlinearPowerWith(&h, ki)
	}
	return dst
}

// nonlinearPowerWith returns the nonlinear power at k with the Halofit
// coefficients and the squared growth factor stored in h for one redshift.
func (m *Model) nonlinearPowerWith(h *halofit, k float64) float64 {
	if !(k > 0) {
		if k == 0 {
			return 0
		}
		return math.NaN()
	}
	pLin := m.linearPower0(k) * h.growth2
	k3 := k * k * k / (2 * math.Pi * math.Pi)
	return h.delta2(k, k3*pLin) / k3
}
