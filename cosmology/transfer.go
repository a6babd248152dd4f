package cosmology

import "math"

// eisensteinHu holds the wavenumber-independent quantities of the
// Eisenstein & Hu (1998, ApJ 496, 605) transfer functions. Lengths are in
// Mpc and wavenumbers in 1/Mpc, as in the paper; Model.Transfer converts
// from h/Mpc. Equation numbers below are those of the paper.
type eisensteinHu struct {
	h                  float64
	omegaMH2, omegaBH2 float64 // Ω_m h², Ω_b h²
	fb, fc             float64 // Ω_b/Ω_m, Ω_c/Ω_m
	theta              float64 // T_CMB / 2.7 K

	// Full fit with baryon oscillations (Sect. 3).
	kEq      float64 // wavenumber of the particle horizon at equality, eq. 3
	s        float64 // sound horizon at the drag epoch, eq. 6
	kSilk    float64 // Silk damping scale, eq. 7
	alphaC   float64 // CDM suppression, eq. 11
	betaC    float64 // CDM log shift, eq. 12
	alphaB   float64 // baryon amplitude, eq. 14
	betaB    float64 // baryon envelope shift, eq. 24
	betaNode float64 // node shift of the oscillations, eq. 23

	// Zero-oscillation fit (Sect. 4.2).
	sFit       float64 // approximate sound horizon, eq. 26
	alphaGamma float64 // eq. 31
}

func newEisensteinHu(p Params) eisensteinHu {
	h := p.H
	om := p.OmegaM() * h * h
	ob := p.OmegaB * h * h
	theta := p.TCMB / 2.7
	theta2 := theta * theta
	e := eisensteinHu{
		h:        h,
		omegaMH2: om,
		omegaBH2: ob,
		fb:       p.OmegaB / p.OmegaM(),
		fc:       p.OmegaCDM / p.OmegaM(),
		theta:    theta,
	}

	// Equality (eqs. 2 and 3) and the drag epoch (eq. 4).
	zEq := 2.50e4 * om / (theta2 * theta2)
	e.kEq = 7.46e-2 * om / theta2
	b1 := 0.313 * math.Pow(om, -0.419) * (1 + 0.607*math.Pow(om, 0.674))
	b2 := 0.238 * math.Pow(om, 0.223)
	zD := 1291 * math.Pow(om, 0.251) / (1 + 0.659*math.Pow(om, 0.828)) * (1 + b1*math.Pow(ob, b2))

	// Baryon-to-photon momentum density ratio R (eq. 5) at drag and at
	// equality, and the sound horizon (eq. 6).
	ratio := func(z float64) float64 { return 31.5 * ob / (theta2 * theta2) / (z / 1e3) }
	rD, rEq := ratio(zD), ratio(zEq)
	e.s = 2 / (3 * e.kEq) * math.Sqrt(6/rEq) *
		math.Log((math.Sqrt(1+rD)+math.Sqrt(rD+rEq))/(1+math.Sqrt(rEq)))

	// Silk damping (eq. 7).
	e.kSilk = 1.6 * math.Pow(ob, 0.52) * math.Pow(om, 0.73) * (1 + math.Pow(10.4*om, -0.95))

	// CDM suppression and log shift (eqs. 11 and 12).
	a1 := math.Pow(46.9*om, 0.670) * (1 + math.Pow(32.1*om, -0.532))
	a2 := math.Pow(12.0*om, 0.424) * (1 + math.Pow(45.0*om, -0.582))
	e.alphaC = math.Pow(a1, -e.fb) * math.Pow(a2, -e.fb*e.fb*e.fb)
	bc1 := 0.944 / (1 + math.Pow(458*om, -0.708))
	bc2 := math.Pow(0.395*om, -0.0266)
	e.betaC = 1 / (1 + bc1*(math.Pow(e.fc, bc2)-1))

	// Baryon amplitude (eqs. 14 and 15), envelope shift (eq. 24) and node
	// shift (eq. 23).
	y := (1 + zEq) / (1 + zD)
	sq := math.Sqrt(1 + y)
	g := y * (-6*sq + (2+3*y)*math.Log((sq+1)/(sq-1)))
	e.alphaB = 2.07 * e.kEq * e.s * math.Pow(1+rD, -0.75) * g
	e.betaB = 0.5 + e.fb + (3-2*e.fb)*math.Sqrt(math.Pow(17.2*om, 2)+1)
	e.betaNode = 8.41 * math.Pow(om, 0.435)

	// Zero-oscillation fit: sound horizon (eq. 26) and α_Γ (eq. 31).
	e.sFit = 44.5 * math.Log(9.83/om) / math.Sqrt(1+10*math.Pow(ob, 0.75))
	e.alphaGamma = 1 - 0.328*math.Log(431*om)*e.fb + 0.38*math.Log(22.3*om)*e.fb*e.fb
	return e
}

// tildeT0 is the pressureless transfer function T̃0(k, α_c, β_c) of eqs. 19
// and 20, with q from eq. 10.
func tildeT0(q, alphaC, betaC float64) float64 {
	l := math.Log(math.E + 1.8*betaC*q)
	c := 14.2/alphaC + 386/(1+69.9*math.Pow(q, 1.08))
	return l / (l + c*q*q)
}

// wiggle returns the full transfer function T = f_b T_b + f_c T_c (eq. 8)
// at k in 1/Mpc.
func (e *eisensteinHu) wiggle(k float64) float64 {
	q := k / (13.41 * e.kEq)
	ks := k * e.s

	// CDM (eqs. 17 and 18).
	ks4 := ks / 5.4
	ks4 *= ks4
	f := 1 / (1 + ks4*ks4)
	tc := f*tildeT0(q, 1, e.betaC) + (1-f)*tildeT0(q, e.alphaC, e.betaC)

	// Baryons (eqs. 21 and 22). At k = 0 the node shift sends s̃ to 0
	// and j0 to 1.
	sTilde := e.s / math.Cbrt(1+math.Pow(e.betaNode/ks, 3))
	x := k * sTilde
	j0 := 1.0
	if x > 1e-8 {
		j0 = math.Sin(x) / x
	}
	ks52 := ks / 5.2
	tb := tildeT0(q, 1, 1) / (1 + ks52*ks52)
	tb += e.alphaB / (1 + math.Pow(e.betaB/ks, 3)) * math.Exp(-math.Pow(k/e.kSilk, 1.4))
	tb *= j0

	return e.fb*tb + e.fc*tc
}

// noWiggle returns the zero-oscillation transfer function (eqs. 28–31) at
// k in 1/Mpc.
func (e *eisensteinHu) noWiggle(k float64) float64 {
	ks := 0.43 * k * e.sFit
	ks *= ks
	gammaEff := e.omegaMH2 / e.h * (e.alphaGamma + (1-e.alphaGamma)/(1+ks*ks))
	q := k / e.h * e.theta * e.theta / gammaEff
	l := math.Log(2*math.E + 1.8*q)
	c := 14.2 + 731/(1+62.5*q)
	return l / (l + c*q*q)
}

// Transfer returns the linear matter transfer function T(k) at wavenumber
// k in h/Mpc, normalised to T → 1 as k → 0, from the formula that
// Settings.Transfer selects. It returns NaN for a negative or NaN k.
func (m *Model) Transfer(k float64) float64 {
	if !(k >= 0) {
		return math.NaN()
	}
	kMpc := k * m.p.H
	if m.s.Transfer == EisensteinHuNoWiggle {
		return m.eh.noWiggle(kMpc)
	}
	return m.eh.wiggle(kMpc)
}
