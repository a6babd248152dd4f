package cosmology

import (
	"fmt"
	"math"
)

// Params are the parameters of a flat ΛCDM cosmology with w = −1 and
// massless neutrinos. The dark-energy density is Ω_Λ = 1 − Ω_m, and
// radiation is left out of the expansion rate (see the package
// documentation).
type Params struct {
	H        float64 // Hubble parameter h = H0 / (100 km s⁻¹ Mpc⁻¹)
	OmegaCDM float64 // cold dark matter density Ω_c at z = 0
	OmegaB   float64 // baryon density Ω_b at z = 0
	NS       float64 // scalar spectral index n_s
	Sigma8   float64 // rms linear density contrast in spheres of 8 Mpc/h at z = 0
	TCMB     float64 // CMB temperature in K; it sets the equality and drag epochs of the transfer function
}

// Planck2018 returns the Planck 2018 best fit to TT,TE,EE+lowE+lensing+BAO
// (Planck Collaboration 2020, A&A 641, A6, Table 2, last column):
// h = 0.6766, Ω_c h² = 0.11933, Ω_b h² = 0.02242, n_s = 0.9665,
// σ8 = 0.8102, with T_CMB = 2.7255 K.
//
// That fit has one massive neutrino of 0.06 eV, Ω_ν h² ≈ 0.00064, which is
// included in its Ω_m = 0.3111. Neutrinos are massless here, so
// Ω_m = (0.11933 + 0.02242)/0.6766² = 0.30964 and Ω_Λ = 0.69036.
func Planck2018() Params {
	const h = 0.6766
	return Params{
		H:        h,
		OmegaCDM: 0.11933 / (h * h),
		OmegaB:   0.02242 / (h * h),
		NS:       0.9665,
		Sigma8:   0.8102,
		TCMB:     2.7255,
	}
}

// OmegaM returns the matter density Ω_m = Ω_c + Ω_b at z = 0.
func (p Params) OmegaM() float64 { return p.OmegaCDM + p.OmegaB }

// OmegaLambda returns the dark-energy density Ω_Λ = 1 − Ω_m of the flat
// model.
func (p Params) OmegaLambda() float64 { return 1 - p.OmegaM() }

// Validate reports whether the parameters describe a cosmology that the
// package can compute: finite values, h, n_s, σ8 and T_CMB positive,
// Ω_c ≥ 0, Ω_b > 0 and 0 < Ω_m ≤ 1. The transfer function needs Ω_b > 0.
func (p Params) Validate() error {
	fields := []struct {
		name  string
		value float64
	}{
		{"H", p.H}, {"OmegaCDM", p.OmegaCDM}, {"OmegaB", p.OmegaB},
		{"NS", p.NS}, {"Sigma8", p.Sigma8}, {"TCMB", p.TCMB},
	}
	for _, f := range fields {
		if math.IsNaN(f.value) || math.IsInf(f.value, 0) {
			return fmt.Errorf("cosmology: invalid parameters: %s = %v is not finite", f.name, f.value)
		}
	}
	switch {
	case p.H <= 0:
		return fmt.Errorf("cosmology: invalid parameters: H = %v, want h > 0", p.H)
	case p.OmegaCDM < 0:
		return fmt.Errorf("cosmology: invalid parameters: OmegaCDM = %v, want Ω_c ≥ 0", p.OmegaCDM)
	case p.OmegaB <= 0:
		return fmt.Errorf("cosmology: invalid parameters: OmegaB = %v, want Ω_b > 0", p.OmegaB)
	case p.OmegaM() > 1:
		return fmt.Errorf("cosmology: invalid parameters: Ω_m = OmegaCDM + OmegaB = %v, want Ω_m ≤ 1 (flat, Ω_Λ ≥ 0)", p.OmegaM())
	case p.NS <= 0:
		return fmt.Errorf("cosmology: invalid parameters: NS = %v, want n_s > 0", p.NS)
	case p.Sigma8 <= 0:
		return fmt.Errorf("cosmology: invalid parameters: Sigma8 = %v, want σ8 > 0", p.Sigma8)
	case p.TCMB <= 0:
		return fmt.Errorf("cosmology: invalid parameters: TCMB = %v K, want T_CMB > 0 (Planck: 2.7255)", p.TCMB)
	}
	return nil
}

// Transfer selects the linear transfer function.
type Transfer int

const (
	// EisensteinHu is the fitting formula of Eisenstein & Hu (1998, ApJ
	// 496, 605, Sect. 3, eqs. 2–24), with baryon acoustic oscillations.
	EisensteinHu Transfer = iota
	// EisensteinHuNoWiggle is the zero-baryon-oscillation form of the
	// same paper (Sect. 4.2, eqs. 26–31): the baryon suppression below
	// the sound horizon without the acoustic wiggles.
	EisensteinHuNoWiggle
)

// String returns the name of the transfer function.
func (t Transfer) String() string {
	switch t {
	case EisensteinHu:
		return "EisensteinHu"
	case EisensteinHuNoWiggle:
		return "EisensteinHuNoWiggle"
	}
	return fmt.Sprintf("Transfer(%d)", int(t))
}

// Nonlinear selects the matter power spectrum that the lensing projection
// uses.
type Nonlinear int

const (
	// Halofit is the nonlinear power of Smith et al. (2003) with the
	// coefficients revised by Takahashi et al. (2012).
	Halofit Nonlinear = iota
	// Linear uses the linear power spectrum without nonlinear correction.
	Linear
)

// String returns the name of the nonlinear model.
func (n Nonlinear) String() string {
	switch n {
	case Halofit:
		return "Halofit"
	case Linear:
		return "Linear"
	}
	return fmt.Sprintf("Nonlinear(%d)", int(n))
}

// DefaultLimberPanels is the number of Gauss–Legendre panels in redshift
// that the Limber integral uses when Settings.LimberPanels is zero.
const DefaultLimberPanels = 32

// limberOrder is the number of Gauss–Legendre points in each Limber panel.
const limberOrder = 8

// Settings choose the models and the numerical resolution. The zero value
// is the default: the Eisenstein & Hu transfer function with wiggles,
// Halofit, and DefaultLimberPanels panels of 8 points in the Limber
// integral.
type Settings struct {
	Transfer  Transfer
	Nonlinear Nonlinear
	// LimberPanels is the number of Gauss–Legendre panels of the Limber
	// integral in redshift, equal in ln z above 1e-3 of the highest
	// source redshift. Zero means DefaultLimberPanels. The default gives
	// C_ℓ to 1e-6 relative of the value with eight times as many panels
	// for 10 ≤ ℓ ≤ 1e5 and single sources at z ≤ 6, as the package tests
	// check at z = 1 and 3.
	LimberPanels int
}

func (s Settings) validate() error {
	if s.Transfer != EisensteinHu && s.Transfer != EisensteinHuNoWiggle {
		return fmt.Errorf("cosmology: invalid settings: unknown transfer function %v", s.Transfer)
	}
	if s.Nonlinear != Halofit && s.Nonlinear != Linear {
		return fmt.Errorf("cosmology: invalid settings: unknown nonlinear model %v", s.Nonlinear)
	}
	if s.LimberPanels < 0 {
		return fmt.Errorf("cosmology: invalid settings: LimberPanels = %d, want ≥ 0 (0 means %d)", s.LimberPanels, DefaultLimberPanels)
	}
	return nil
}

func (s Settings) limberPanels() int {
	if s.LimberPanels == 0 {
		return DefaultLimberPanels
	}
	return s.LimberPanels
}
