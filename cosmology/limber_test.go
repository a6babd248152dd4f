package cosmology_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/skyinv/skyinv/cosmology"
)

// logEllsFrom returns n multipoles spaced evenly in ln ℓ from lo to hi.
func logEllsFrom(lo, hi float64, n int) []float64 {
	ells := make([]float64, n)
	for i := range ells {
		ells[i] = lo * math.Pow(hi/lo, float64(i)/float64(n-1))
	}
	return ells
}

// TestConvergenceClReference compares with testdata/reference.py, which
// integrates the Limber integral with scipy's adaptive quadrature in z
// over a cubic spline of the Halofit scales.
func TestConvergenceClReference(t *testing.T) {
	const tol = 2e-5
	ells := []float64{100, 1000, 10000}
	want := []float64{7.9204348899e-09, 4.2578588324e-10, 1.0430983512e-11}
	got, err := cosmology.ConvergenceCl(cosmology.Planck2018(), cosmology.SingleSource(1), ells)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ells {
		if relErr(got[i], want[i]) > tol {
			t.Errorf("C_ℓ(%v, z_s = 1) = %.10e, reference %.10e", ells[i], got[i], want[i])
		}
	}
}

// TestConvergenceClPanels checks the default Limber resolution against
// eight times as many panels.
func TestConvergenceClPanels(t *testing.T) {
	const tol = 1e-6
	nz, err := cosmology.SourceDistribution(
		[]float64{0, 0.3, 0.6, 0.9, 1.2, 1.5, 2, 2.5},
		[]float64{0, 0.4, 1, 1.1, 0.8, 0.5, 0.2, 0},
	)
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]cosmology.Source{
		"z_s = 1": cosmology.SingleSource(1),
		"z_s = 3": cosmology.SingleSource(3),
		"n(z)":    nz,
	}
	ells := logEllsFrom(10, 1e5, 9)
	p := cosmology.Planck2018()
	coarse := newModel(t, p, cosmology.Settings{})
	fine := newModel(t, p, cosmology.Settings{LimberPanels: 8 * cosmology.DefaultLimberPanels})
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			got, err := coarse.ConvergenceCl(src, ells)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fine.ConvergenceCl(src, ells)
			if err != nil {
				t.Fatal(err)
			}
			for i := range ells {
				if relErr(got[i], want[i]) > tol {
					t.Errorf("C_ℓ(%.4g) = %.10e, with 8× the panels %.10e", ells[i], got[i], want[i])
				}
			}
		})
	}
}

// TestConvergenceClNarrowDistribution checks that a narrow n(z) about
// z = 1 gives nearly the C_ℓ of a single source there, and that n(z) needs
// no normalisation.
func TestConvergenceClNarrowDistribution(t *testing.T) {
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	ells := []float64{30, 300, 3000, 30000}
	single, err := m.ConvergenceCl(cosmology.SingleSource(1), ells)
	if err != nil {
		t.Fatal(err)
	}

	z := []float64{0.99, 1, 1.01}
	narrow, err := cosmology.SourceDistribution(z, []float64{0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	scaled, err := cosmology.SourceDistribution(z, []float64{0, 7, 0})
	if err != nil {
		t.Fatal(err)
	}

	got, err := m.ConvergenceCl(narrow, ells)
	if err != nil {
		t.Fatal(err)
	}
	gotScaled, err := m.ConvergenceCl(scaled, ells)
	if err != nil {
		t.Fatal(err)
	}

	for i := range ells {
		if relErr(got[i], single[i]) > 1e-3 {
			t.Errorf("ℓ = %v: narrow n(z) gives %.6e, single source %.6e", ells[i], got[i], single[i])
		}
		if relErr(gotScaled[i], got[i]) > 1e-12 {
			t.Errorf("ℓ = %v: n(z) × 7 gives %.12e, n(z) gives %.12e", ells[i], gotScaled[i], got[i])
		}
	}
}

func TestConvergenceClLinearBelowHalofit(t *testing.T) {
	p := cosmology.Planck2018()
	nonlinear := newModel(t, p, cosmology.Settings{})
	linear := newModel(t, p, cosmology.Settings{Nonlinear: cosmology.Linear})
	ells := []float64{10, 3000}
	cnl, err := nonlinear.ConvergenceCl(cosmology.SingleSource(1), ells)
	if err != nil {
		t.Fatal(err)
	}
	clin, err := linear.ConvergenceCl(cosmology.SingleSource(1), ells)
	if err != nil {
		t.Fatal(err)
	}
	if relErr(clin[0], cnl[0]) > 0.01 {
		t.Errorf("ℓ = 10: linear C_ℓ = %v, Halofit %v, want within 1%%", clin[0], cnl[0])
	}
	if !(cnl[1] > 2*clin[1]) {
		t.Errorf("ℓ = 3000: Halofit C_ℓ = %v, want more than twice the linear %v", cnl[1], clin[1])
	}
}

// TestConvergenceClSourceRedshift checks that C_ℓ grows with the source
// redshift, since the lensing efficiency does.
func TestConvergenceClSourceRedshift(t *testing.T) {
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	prev := 0.0
	for _, zs := range []float64{0.5, 1, 2} {
		cl, err := m.ConvergenceCl(cosmology.SingleSource(zs), []float64{1000})
		if err != nil {
			t.Fatal(err)
		}
		if !(cl[0] > prev) {
			t.Errorf("C_1000(z_s = %v) = %v, want more than %v at the lower source redshift", zs, cl[0], prev)
		}
		prev = cl[0]
	}
}

func TestConvergenceClErrors(t *testing.T) {
	m := newModel(t, cosmology.Planck2018(), cosmology.Settings{})
	cases := []struct {
		name string
		src  cosmology.Source
		ells []float64
		want string
	}{
		{"zero source", cosmology.Source{}, []float64{100}, "source redshift 0"},
		{"NaN source", cosmology.SingleSource(math.NaN()), []float64{100}, "source redshift NaN"},
		{"negative ell", cosmology.SingleSource(1), []float64{100, -1}, "ells[1] = -1"},
		{"infinite ell", cosmology.SingleSource(1), []float64{math.Inf(1)}, "ells[0] = +Inf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := m.ConvergenceCl(c.src, c.ells)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestSourceDistributionErrors(t *testing.T) {
	cases := []struct {
		name string
		z, n []float64
		want string
	}{
		{"length mismatch", []float64{0, 1}, []float64{1}, "2 redshifts but 1 values"},
		{"one node", []float64{1}, []float64{1}, "1 nodes"},
		{"negative z", []float64{-0.1, 1}, []float64{1, 1}, "z[0] = -0.1"},
		{"not increasing", []float64{0, 1, 1}, []float64{1, 1, 1}, "z[2] = 1 is not greater"},
		{"negative n", []float64{0, 1}, []float64{1, -1}, "n[1] = -1"},
		{"NaN n", []float64{0, 1}, []float64{math.NaN(), 1}, "n[0] = NaN"},
		{"all zero", []float64{0, 1}, []float64{0, 0}, "integrates to 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := cosmology.SourceDistribution(c.z, c.n)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

// TestConvergenceClFifty times 50 multipoles, the size of a table for a
// Wiener filter. The limit is loose because the machine may be shared.
func TestConvergenceClFifty(t *testing.T) {
	ells := logEllsFrom(10, 1e5, 50)
	start := time.Now()
	cl, err := cosmology.ConvergenceCl(cosmology.Planck2018(), cosmology.SingleSource(1), ells)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("New and 50 multipoles: %v", elapsed)
	if elapsed > 2*time.Second {
		t.Errorf("50 multipoles took %v, want well under a second", elapsed)
	}
	for i := 1; i < len(cl); i++ {
		if !(cl[i] < cl[i-1]) {
			t.Errorf("C_ℓ(%.4g) = %v is not below C_ℓ(%.4g) = %v", ells[i], cl[i], ells[i-1], cl[i-1])
		}
	}
}

func BenchmarkConvergenceCl50(b *testing.B) {
	m := newModel(b, cosmology.Planck2018(), cosmology.Settings{})
	ells := logEllsFrom(10, 1e5, 50)
	for b.Loop() {
		if _, err := m.ConvergenceCl(cosmology.SingleSource(1), ells); err != nil {
			b.Fatal(err)
		}
	}
}
