package cosmology_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate"

	"github.com/skyinv/skyinv/cosmology"
)

func TestHalofitLargeScales(t *testing.T) {
	const tol = 0.005
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	for _, z := range []float64{0, 1, 3} {
		ratio := m.NonlinearPower(1e-3, z) / m.LinearPower(1e-3, z)
		if math.Abs(ratio-1) > tol {
			t.Errorf("P_nl/P_lin at k = 0.001 h/Mpc, z = %v: %v, want 1 within %v", z, ratio, tol)
		}
	}
}

func TestHalofitSmallScales(t *testing.T) {
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	pnl, plin := m.NonlinearPower(1, 0), m.LinearPower(1, 0)
	t.Logf("k = 1 h/Mpc, z = 0: P_nl = %.4g, P_lin = %.4g (Mpc/h)³, ratio %.3f", pnl, plin, pnl/plin)
	if !(pnl > plin) {
		t.Errorf("P_nl(1 h/Mpc, 0) = %v, want more than P_lin = %v", pnl, plin)
	}
}

// TestNonlinearScaleVariance checks with Simpson's rule that the
// Gaussian-filtered linear variance is one at R = 1/k_σ.
func TestNonlinearScaleVariance(t *testing.T) {
	const tol = 1e-8
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	for _, z := range []float64{0, 2} {
		kSigma, _, _, ok := m.NonlinearScale(z)
		if !ok {
			t.Fatalf("no nonlinear scale at z = %v", z)
		}
		const n = 40001
		lo, hi := math.Log(1e-6), math.Log(10*kSigma)
		x := make([]float64, n)
		f := make([]float64, n)
		for i := range x {
			x[i] = lo + (hi-lo)*float64(i)/(n-1)
			k := math.Exp(x[i])
			f[i] = k * k * k * m.LinearPower(k, z) / (2 * math.Pi * math.Pi) * math.Exp(-k*k/(kSigma*kSigma))
		}
		if got := integrate.Simpsons(x, f); math.Abs(got-1) > tol {
			t.Errorf("z = %v: σ²(1/k_σ) = %.12f, want 1", z, got)
		}
	}
}

// TestHalofitReference compares with testdata/reference.py: Brent's root
// finder with scipy quadrature for k_σ, finite differences of ln σ² for
// n_eff and C, and the Takahashi et al. (2012) formulas written out again.
func TestHalofitReference(t *testing.T) {
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	scales := []struct{ z, kSigma, nEff, c float64 }{
		{0, 0.3666231092, -1.7557678314, 0.3350687018},
		{1, 0.8968572823, -2.0086581471, 0.2374346211},
	}
	for _, s := range scales {
		kSigma, nEff, c, ok := m.NonlinearScale(s.z)
		if !ok {
			t.Fatalf("no nonlinear scale at z = %v", s.z)
		}
		if relErr(kSigma, s.kSigma) > 1e-8 {
			t.Errorf("z = %v: k_σ = %.10f h/Mpc, reference %.10f", s.z, kSigma, s.kSigma)
		}
		// The finite differences of the reference carry about 1e-8.
		if math.Abs(nEff-s.nEff) > 1e-7 {
			t.Errorf("z = %v: n_eff = %.10f, reference %.10f", s.z, nEff, s.nEff)
		}
		if math.Abs(c-s.c) > 1e-7 {
			t.Errorf("z = %v: C = %.10f, reference %.10f", s.z, c, s.c)
		}
	}

	powers := []struct{ k, z, p float64 }{
		{0.1, 0, 5.6619110254e+03},
		{1, 0, 3.9698161804e+02},
		{10, 0, 9.4260326718e+00},
		{0.1, 1, 2.0815858652e+03},
		{1, 1, 7.8697901057e+01},
		{10, 1, 2.4302841622e+00},
	}
	for _, c := range powers {
		if got := m.NonlinearPower(c.k, c.z); relErr(got, c.p) > 1e-7 {
			t.Errorf("P_nl(%v h/Mpc, z = %v) = %.10e, reference %.10e", c.k, c.z, got, c.p)
		}
	}
}

// TestHalofitBeyondGrid checks the fallback to linear power at redshifts
// whose nonlinear scale lies beyond the k grid.
func TestHalofitBeyondGrid(t *testing.T) {
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	if _, _, _, ok := m.NonlinearScale(18); !ok {
		t.Error("no nonlinear scale at z = 18")
	}
	kSigma, _, _, ok := m.NonlinearScale(30)
	if ok || !math.IsInf(kSigma, 1) {
		t.Errorf("NonlinearScale(30) = %v, %v, want +Inf, false", kSigma, ok)
	}
	if got, want := m.NonlinearPower(1, 30), m.LinearPower(1, 30); relErr(got, want) > 1e-14 {
		t.Errorf("P_nl(1, z = 30) = %v, want the linear %v", got, want)
	}
}

func TestNonlinearPowerSpectrum(t *testing.T) {
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	k := []float64{0, 0.01, 0.5, 5, -1}
	got := m.NonlinearPowerSpectrum(nil, k, 0.7)
	for i, ki := range k {
		want := m.NonlinearPower(ki, 0.7)
		if !(got[i] == want || math.IsNaN(got[i]) && math.IsNaN(want)) {
			t.Errorf("NonlinearPowerSpectrum at k = %v: %v, NonlinearPower gives %v", ki, got[i], want)
		}
	}
	if got[0] != 0 {
		t.Errorf("P_nl(0) = %v, want 0", got[0])
	}
	if !math.IsNaN(got[4]) {
		t.Errorf("P_nl(−1) = %v, want NaN", got[4])
	}
	if p := m.NonlinearPower(0.1, -0.5); !math.IsNaN(p) {
		t.Errorf("P_nl at z = −0.5 = %v, want NaN", p)
	}
	defer func() {
		if recover() == nil {
			t.Error("NonlinearPowerSpectrum with a short dst did not panic")
		}
	}()
	m.NonlinearPowerSpectrum(make([]float64, 2), k, 0)
}
