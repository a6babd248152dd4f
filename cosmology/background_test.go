package cosmology_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate"

	"github.com/skyinv/skyinv/cosmology"
)

// newModel returns a Model or stops the test.
func newModel(t testing.TB, p cosmology.Params, s cosmology.Settings) *cosmology.Model {
	t.Helper()
	m, err := cosmology.New(p, s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// einsteinDeSitter returns Ω_m = 1 parameters (Ω_Λ = 0).
func einsteinDeSitter() cosmology.Params {
	p := cosmology.Planck2018()
	p.OmegaB = 0.05
	p.OmegaCDM = 0.95
	return p
}

func relErr(got, want float64) float64 { return math.Abs(got/want - 1) }

func TestComovingDistanceEinsteinDeSitter(t *testing.T) {
	const tol = 1e-12
	m := newModel(t, einsteinDeSitter(), cosmology.Settings{})
	for _, z := range []float64{0.01, 0.5, 1, 3, 10, 1100} {
		want := 2 * cosmology.HubbleDistanceMpcH * (1 - 1/math.Sqrt(1+z))
		if got := m.ComovingDistanceMpcH(z); relErr(got, want) > tol {
			t.Errorf("χ(%v) = %.15g Mpc/h, want 2c/H0 (1 − 1/√(1+z)) = %.15g", z, got, want)
		}
	}
}

// TestComovingDistanceSimpson checks the Gauss–Legendre distance against
// Simpson's rule in z on 20001 points, with E(z) written out in the test.
func TestComovingDistanceSimpson(t *testing.T) {
	const tol = 1e-11
	p := cosmology.Planck2018()
	m := newModel(t, p, cosmology.Settings{})
	om := p.OmegaCDM + p.OmegaB
	for _, zMax := range []float64{0.3, 1, 4} {
		const n = 20001
		x := make([]float64, n)
		f := make([]float64, n)
		for i := range x {
			z := zMax * float64(i) / (n - 1)
			x[i] = z
			f[i] = 1 / math.Sqrt(om*math.Pow(1+z, 3)+1-om)
		}
		want := 2997.92458 * integrate.Simpsons(x, f)
		if got := m.ComovingDistanceMpcH(zMax); relErr(got, want) > tol {
			t.Errorf("χ(%v) = %.15g Mpc/h, Simpson gives %.15g", zMax, got, want)
		}
	}
}

// TestComovingDistanceAstropy compares with astropy 5.2.1
// FlatLambdaCDM(H0=67.66, Om0=0.30964, Tcmb0=0).comoving_distance, printed
// by testdata/reference.py.
func TestComovingDistanceAstropy(t *testing.T) {
	const tol = 1e-10
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	for _, c := range []struct{ z, mpc float64 }{
		{0.5, 1947.4563309518},
		{1.0, 3398.7549059253},
		{3.0, 6514.2173297944},
	} {
		if got := m.ComovingDistanceMpc(c.z); relErr(got, c.mpc) > tol {
			t.Errorf("χ(%v) = %.10f Mpc, astropy gives %.10f", c.z, got, c.mpc)
		}
		if got, want := m.ComovingDistanceMpcH(c.z), c.mpc*0.6766; relErr(got, want) > tol {
			t.Errorf("χ(%v) = %.10f Mpc/h, want %.10f", c.z, got, want)
		}
	}
	if got := m.ComovingDistanceMpcH(0); got != 0 {
		t.Errorf("χ(0) = %v, want 0", got)
	}
}

func TestExpansionRate(t *testing.T) {
	p := cosmology.Planck2018()
	m := newModel(t, p, cosmology.Settings{})
	if got := m.E(0); math.Abs(got-1) > 1e-15 {
		t.Errorf("E(0) = %v, want 1", got)
	}
	want := math.Sqrt(p.OmegaM()*8 + p.OmegaLambda())
	if got := m.E(1); relErr(got, want) > 1e-15 {
		t.Errorf("E(1) = %v, want %v", got, want)
	}
	if got := m.OmegaMAt(0); relErr(got, p.OmegaM()) > 1e-15 {
		t.Errorf("Ω_m(0) = %v, want %v", got, p.OmegaM())
	}
}

func TestGrowthEinsteinDeSitter(t *testing.T) {
	const tol = 1e-12
	m := newModel(t, einsteinDeSitter(), cosmology.Settings{})
	for _, z := range []float64{0, 0.5, 1, 5, 100} {
		if got, want := m.Growth(z), 1/(1+z); relErr(got, want) > tol {
			t.Errorf("D(%v) = %.15g, want a = %.15g", z, got, want)
		}
	}
}

// TestGrowthODE integrates the linear growth equation in ln a,
//
//	D″ + (2 + dln E/dln a) D′ = (3/2) Ω_m(a) D,
//
// with fourth-order Runge–Kutta from the matter era (D = a) and compares
// D(z)/D(0) with Model.Growth.
func TestGrowthODE(t *testing.T) {
	const tol = 1e-9
	p := cosmology.Planck2018()
	m := newModel(t, p, cosmology.Settings{})
	om, ol := p.OmegaM(), p.OmegaLambda()
	rhs := func(lna float64, y [2]float64) [2]float64 {
		a3 := math.Exp(3 * lna)
		e2 := om/a3 + ol
		dlnE := -1.5 * om / a3 / e2
		return [2]float64{y[1], -(2+dlnE)*y[1] + 1.5*om/a3/e2*y[0]}
	}
	const steps = 20000
	lna0 := math.Log(1e-4)
	h := -lna0 / steps
	y := [2]float64{1e-4, 1e-4}
	want := map[int]float64{} // step index → D
	zs := []float64{3, 1, 0.5}
	stepOf := func(z float64) int { return int(math.Round((-math.Log(1+z) - lna0) / h)) }
	for i := range steps {
		for _, z := range zs {
			if stepOf(z) == i {
				want[i] = y[0]
			}
		}
		x := lna0 + float64(i)*h
		k1 := rhs(x, y)
		k2 := rhs(x+h/2, [2]float64{y[0] + h/2*k1[0], y[1] + h/2*k1[1]})
		k3 := rhs(x+h/2, [2]float64{y[0] + h/2*k2[0], y[1] + h/2*k2[1]})
		k4 := rhs(x+h, [2]float64{y[0] + h*k3[0], y[1] + h*k3[1]})
		y[0] += h / 6 * (k1[0] + 2*k2[0] + 2*k3[0] + k4[0])
		y[1] += h / 6 * (k1[1] + 2*k2[1] + 2*k3[1] + k4[1])
	}
	d0 := y[0]
	for _, z := range zs {
		i := stepOf(z)
		zGrid := math.Exp(-(lna0 + float64(i)*h)) - 1 // the redshift of that step
		if got, want := m.Growth(zGrid), want[i]/d0; relErr(got, want) > tol {
			t.Errorf("D(%v) = %.12f, Runge–Kutta gives %.12f", zGrid, got, want)
		}
	}

	// scipy solve_ivp of the same equation, printed by testdata/reference.py.
	if got, want := m.Growth(1), 0.6085268476; math.Abs(got-want) > 1e-10 {
		t.Errorf("D(1) = %.10f, scipy gives %.10f", got, want)
	}
	if got, want := m.Growth(3), 0.3166060401; math.Abs(got-want) > 1e-10 {
		t.Errorf("D(3) = %.10f, scipy gives %.10f", got, want)
	}
}

func TestNewRejectsInvalidParams(t *testing.T) {
	cases := map[string]func(p *cosmology.Params){
		"zero h":          func(p *cosmology.Params) { p.H = 0 },
		"NaN sigma8":      func(p *cosmology.Params) { p.Sigma8 = math.NaN() },
		"no baryons":      func(p *cosmology.Params) { p.OmegaB = 0 },
		"negative CDM":    func(p *cosmology.Params) { p.OmegaCDM = -0.1 },
		"omega_m above 1": func(p *cosmology.Params) { p.OmegaCDM = 1 },
		"zero TCMB":       func(p *cosmology.Params) { p.TCMB = 0 },
		"infinite ns":     func(p *cosmology.Params) { p.NS = math.Inf(1) },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			p := cosmology.Planck2018()
			change(&p)
			if _, err := cosmology.New(p, cosmology.Settings{}); err == nil {
				t.Errorf("New(%+v) returned no error", p)
			}
		})
	}
	if _, err := cosmology.New(cosmology.Planck2018(), cosmology.Settings{LimberPanels: -1}); err == nil {
		t.Error("New with LimberPanels = −1 returned no error")
	}
	if _, err := cosmology.New(cosmology.Planck2018(), cosmology.Settings{Transfer: 7}); err == nil {
		t.Error("New with Transfer(7) returned no error")
	}
}

func TestPlanck2018(t *testing.T) {
	p := cosmology.Planck2018()
	h2 := p.H * p.H
	if got := p.OmegaCDM * h2; math.Abs(got-0.11933) > 1e-15 {
		t.Errorf("Ω_c h² = %v, want 0.11933", got)
	}
	if got := p.OmegaB * h2; math.Abs(got-0.02242) > 1e-15 {
		t.Errorf("Ω_b h² = %v, want 0.02242", got)
	}
	if got := p.OmegaM(); math.Abs(got-0.30964) > 1e-5 {
		t.Errorf("Ω_m = %v, want 0.30964 (massless neutrinos)", got)
	}
}
