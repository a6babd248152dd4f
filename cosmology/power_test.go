package cosmology_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate"

	"github.com/skyinv/skyinv/cosmology"
)

// kappaTNG returns the IllustrisTNG (Planck 2015) cosmology of the kappaTNG
// maps (Osato et al. 2021, MNRAS 502, 5593).
func kappaTNG() cosmology.Params {
	const h = 0.6774
	return cosmology.Params{H: h, OmegaCDM: 0.3089 - 0.0486, OmegaB: 0.0486, NS: 0.9667, Sigma8: 0.8159, TCMB: 2.7255}
}

// sigmaSimpson returns σ(R) at z = 0 by Simpson's rule on a uniform grid
// of 2¹⁷ + 1 points in ln k from 1e-6 to 1e3 h/Mpc, with the top-hat
// window written out here.
func sigmaSimpson(m *cosmology.Model, r float64) float64 {
	const n = 1<<17 + 1
	lo, hi := math.Log(1e-6), math.Log(1e3)
	x := make([]float64, n)
	f := make([]float64, n)
	for i := range x {
		lnk := lo + (hi-lo)*float64(i)/(n-1)
		k := math.Exp(lnk)
		kr := k * r
		w := 3 * (math.Sin(kr) - kr*math.Cos(kr)) / (kr * kr * kr)
		if kr < 1e-3 {
			w = 1 - kr*kr/10
		}
		x[i] = lnk
		f[i] = k * k * k * m.LinearPower(k, 0) / (2 * math.Pi * math.Pi) * w * w
	}
	return math.Sqrt(integrate.Simpsons(x, f))
}

func TestSigma8Normalisation(t *testing.T) {
	const tol = 1e-4 // required; the two quadratures agree to about 1e-9
	cases := []struct {
		name string
		p    cosmology.Params
		s    cosmology.Settings
	}{
		{"Planck2018", cosmology.Planck2018(), cosmology.Settings{}},
		{"Planck2018 no wiggle", cosmology.Planck2018(), cosmology.Settings{Transfer: cosmology.EisensteinHuNoWiggle}},
		{"kappaTNG", kappaTNG(), cosmology.Settings{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newModel(t, c.p, c.s)
			got := sigmaSimpson(m, 8)
			t.Logf("σ8 from Simpson's rule: %.10f, requested %.4f, relative difference %.1e", got, c.p.Sigma8, got/c.p.Sigma8-1)
			if relErr(got, c.p.Sigma8) > tol {
				t.Errorf("σ8 = %.8f, want %.4f to %.0e relative", got, c.p.Sigma8, tol)
			}
			if got, want := m.SigmaTopHat(8, 0), c.p.Sigma8; relErr(got, want) > 1e-12 {
				t.Errorf("SigmaTopHat(8, 0) = %.14f, want %.4f", got, want)
			}
		})
	}
}

func TestSigmaTopHatScales(t *testing.T) {
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	for _, r := range []float64{1, 20} {
		if got, want := m.SigmaTopHat(r, 0), sigmaSimpson(m, r); relErr(got, want) > 1e-7 {
			t.Errorf("σ(%v Mpc/h) = %.10f, Simpson gives %.10f", r, got, want)
		}
	}
	if got, want := m.SigmaTopHat(8, 1), 0.8102*m.Growth(1); relErr(got, want) > 1e-12 {
		t.Errorf("σ8(z = 1) = %v, want σ8 D(1) = %v", got, want)
	}
}

func TestTransferLimits(t *testing.T) {
	for _, tr := range []cosmology.Transfer{cosmology.EisensteinHu, cosmology.EisensteinHuNoWiggle} {
		t.Run(tr.String(), func(t *testing.T) {
			m := newModel(t, cosmology.Planck2018(), cosmology.Settings{Transfer: tr})
			if got := m.Transfer(0); got != 1 {
				t.Errorf("T(0) = %v, want 1", got)
			}
			if got := m.Transfer(1e-6); math.Abs(got-1) > 1e-5 {
				t.Errorf("T(1e-6 h/Mpc) = %v, want 1 within 1e-5", got)
			}
			if got := m.Transfer(-1); !math.IsNaN(got) {
				t.Errorf("T(−1) = %v, want NaN", got)
			}
			// T falls by orders of magnitude from large to small scales.
			if t1, t10 := m.Transfer(1), m.Transfer(10); !(t1 < 0.01 && t10 < t1/10) {
				t.Errorf("T(1) = %v, T(10) = %v, want T(1) < 0.01 and T(10) < T(1)/10", t1, t10)
			}
		})
	}
}

// TestTransferWiggles checks that the full fit oscillates about the
// no-wiggle fit on the acoustic scales by a few per cent and matches it on
// large scales.
func TestTransferWiggles(t *testing.T) {
	p := cosmology.Planck2018()
	full := newModel(t, p, cosmology.Settings{})
	smooth := newModel(t, p, cosmology.Settings{Transfer: cosmology.EisensteinHuNoWiggle})
	if got := full.Transfer(1e-3) / smooth.Transfer(1e-3); math.Abs(got-1) > 2e-3 {
		t.Errorf("T_full/T_nowiggle at k = 1e-3 h/Mpc = %v, want 1 within 2e-3", got)
	}
	var crossings int
	var maxDev float64
	prev := 0.0
	for k := 0.02; k < 0.4; k *= 1.01 {
		d := full.Transfer(k)/smooth.Transfer(k) - 1
		maxDev = math.Max(maxDev, math.Abs(d))
		if prev != 0 && (d > 0) != (prev > 0) {
			crossings++
		}
		prev = d
	}
	t.Logf("0.02 < k < 0.4 h/Mpc: %d sign changes of T_full/T_nowiggle − 1, max |deviation| %.3f", crossings, maxDev)
	if crossings < 6 {
		t.Errorf("%d sign changes of T_full/T_nowiggle − 1, want at least 6 (acoustic oscillations)", crossings)
	}
	if maxDev < 0.01 || maxDev > 0.1 {
		t.Errorf("max |T_full/T_nowiggle − 1| = %v, want between 0.01 and 0.1", maxDev)
	}
}

// TestLinearPowerReference compares with testdata/reference.py, which
// normalises its own transcription of the EH98 fit with scipy's adaptive
// quadrature.
func TestLinearPowerReference(t *testing.T) {
	const tol = 1e-8
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	for _, c := range []struct{ k, p float64 }{
		{0.01, 2.1443239182e+04},
		{0.1, 5.5962187501e+03},
		{1.0, 6.6171946248e+01},
	} {
		if got := m.LinearPower(c.k, 0); relErr(got, c.p) > tol {
			t.Errorf("P_lin(%v h/Mpc, 0) = %.10e, reference %.10e", c.k, got, c.p)
		}
	}
}

func TestLinearPowerGrowth(t *testing.T) {
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	d := m.Growth(2)
	if got, want := m.LinearPower(0.3, 2), m.LinearPower(0.3, 0)*d*d; relErr(got, want) > 1e-14 {
		t.Errorf("P_lin(0.3, z = 2) = %v, want D² P_lin(0.3, 0) = %v", got, want)
	}
}
