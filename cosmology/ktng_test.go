package cosmology_test

import (
	"math"
	"sort"
	"testing"

	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/internal/shareddata"
)

// ratioStats returns the median, minimum and maximum of model/table and
// the rms of ln(model/table).
func ratioStats(model, table []float64) (median, lo, hi, rmsLog float64) {
	r := make([]float64, len(model))
	var sum float64
	for i := range model {
		r[i] = model[i] / table[i]
		l := math.Log(r[i])
		sum += l * l
	}
	sort.Float64s(r)
	n := len(r)
	median = r[n/2]
	if n%2 == 0 {
		median = 0.5 * (r[n/2-1] + r[n/2])
	}
	return median, r[0], r[n-1], math.Sqrt(sum / float64(n))
}

// TestKTNGTable compares the Halofit C_ℓ of the kappaTNG cosmology with the
// theory table shipped with the kappaTNG maps, whose source redshift is not
// documented, over 100 < ℓ < 1e4. It tries single source redshifts and
// fits z_s by least squares in ln C_ℓ.
func TestKTNGTable(t *testing.T) {
	tab, err := cosmology.ReadTable(shareddata.Path(t, "ktng/ps_theory.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var ells, want []float64
	for i := range tab.Len() {
		l, c := tab.Row(i)
		if l > 100 && l < 1e4 {
			ells = append(ells, l)
			want = append(want, c)
		}
	}
	m := newModel(t, kappaTNG(), cosmology.Settings{})
	costAt := func(zs float64) (cost float64, cl []float64) {
		cl, err := m.ConvergenceCl(cosmology.SingleSource(zs), ells)
		if err != nil {
			t.Fatal(err)
		}
		for i := range cl {
			d := math.Log(cl[i] / want[i])
			cost += d * d
		}
		return cost, cl
	}

	for _, zs := range []float64{1.0, 1.034, 1.5, 2.0} {
		_, cl := costAt(zs)
		med, lo, hi, rms := ratioStats(cl, want)
		t.Logf("z_s = %-5v: model/table median %.4f, range %.4f–%.4f, rms ln ratio %.4f (%d multipoles)", zs, med, lo, hi, rms, len(ells))
	}

	// Golden-section search of the cost in z_s on [0.5, 3].
	a, b := 0.5, 3.0
	g := (math.Sqrt(5) - 1) / 2
	c, d := b-g*(b-a), a+g*(b-a)
	fc, _ := costAt(c)
	fd, _ := costAt(d)
	for b-a > 1e-4 {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc, _ = costAt(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd, _ = costAt(d)
		}
	}
	best := 0.5 * (a + b)
	_, cl := costAt(best)
	med, lo, hi, rms := ratioStats(cl, want)
	t.Logf("best fit z_s = %.4f: model/table median %.4f, range %.4f–%.4f, rms ln ratio %.4f", best, med, lo, hi, rms)

	// Outside the fitted range: the ratio at the first and last rows.
	for _, zs := range []float64{1.034, best} {
		lo, _ := tab.Row(0)
		hi, _ := tab.Row(tab.Len() - 1)
		cl, err := m.ConvergenceCl(cosmology.SingleSource(zs), []float64{lo, hi})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("z_s = %.4f: model/table %.4f at ℓ = %v and %.4f at ℓ = %v", zs, cl[0]/tab.At(lo), lo, cl[1]/tab.At(hi), hi)
	}

	// The bounds keep the agreement found when this test was written
	// (z_s = 1.173, rms 0.023) with a margin, so that a change of the
	// model that moves it fails here.
	if best < 0.9 || best > 1.2 {
		t.Errorf("best-fit z_s = %.4f, want between 0.9 and 1.2", best)
	}
	if rms > 0.05 {
		t.Errorf("rms ln(model/table) = %.4f at the best z_s, want below 0.05", rms)
	}
}
