package simulate_test

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/internal/shareddata"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/simulate"
)

const arcmin = math.Pi / (180 * 60) // radians

// powerLaw is a convergence-like spectrum, C_ℓ ∝ ℓ^−1.2, with a pixel
// standard deviation of about 0.02 on 0.29-arcmin pixels.
func powerLaw(ell float64) float64 { return 1e-10 * math.Pow(ell/1000, -1.2) }

// checkSpectrum draws realisations of a Gaussian field with spectrum cl and
// requires the mean measured C_ℓ of every band to lie within 3 standard
// errors of cl averaged over the band's modes. The standard error is the
// scatter of the realisations divided by √realisations.
func checkSpectrum(t *testing.T, cl func(float64) float64, n int, pixelRad float64, realisations int) {
	t.Helper()
	gen, err := simulate.NewGaussian(powerspec.PowerMap(cl, n, n, pixelRad), n, n)
	if err != nil {
		t.Fatal(err)
	}
	gen.SetWorkers(1)
	lmin, lmax := powerspec.EllRange(n, n, pixelRad)
	est, err := powerspec.NewEstimator(n, n, pixelRad, powerspec.LogBins(lmin, lmax, 20), powerspec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	est.SetWorkers(1)
	theory := est.BinTheory(cl)

	rng := rand.New(rand.NewPCG(21, 22))
	m := make([]float64, n*n)
	sum := make([]float64, len(theory))
	sumSq := make([]float64, len(theory))
	modes := make([]int, len(theory))
	for range realisations {
		gen.Field(m, rng)
		s, err := est.Measure(m)
		if err != nil {
			t.Fatal(err)
		}
		for b, band := range s.Bands {
			sum[b] += band.Cl
			sumSq[b] += band.Cl * band.Cl
			modes[b] = band.Modes
		}
	}

	r := float64(realisations)
	chi2, maxZ, bands := 0.0, 0.0, 0
	for b := range theory {
		if modes[b] == 0 {
			continue // log bands narrower than the mode spacing at low ℓ
		}
		bands++
		mean := sum[b] / r
		std := math.Sqrt((sumSq[b] - r*mean*mean) / (r - 1))
		z := (mean - theory[b]) / (std / math.Sqrt(r))
		chi2 += z * z
		maxZ = math.Max(maxZ, math.Abs(z))
		if !(math.Abs(z) <= 3) {
			t.Errorf("band %d: mean C_ℓ = %.5g, theory %.5g: %.2f standard errors apart", b, mean, theory[b], z)
		}
	}
	t.Logf("%d realisations of %d², %d bands with modes: χ² = %.1f, max |z| = %.2f", realisations, n, bands, chi2, maxZ)
}

func TestGaussianPowerLawSpectrum(t *testing.T) {
	checkSpectrum(t, powerLaw, 360, 0.29*arcmin, 100)
}

func TestGaussianKTNGTheorySpectrum(t *testing.T) {
	path := shareddata.Path(t, "ktng/ps_theory.txt")
	ell, cl := readSpectrum(t, path)
	interp := func(l float64) float64 { return logLogInterp(ell, cl, l) }
	checkSpectrum(t, interp, 360, 0.29*arcmin, 100)
}

// readSpectrum reads a text table of two columns, ℓ and C_ℓ, skipping lines
// that start with '#'.
func readSpectrum(t *testing.T, path string) (ell, cl []float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) != 2 {
			t.Fatalf("%s:%d: %d fields, want 2", path, line, len(fields))
		}
		l, err1 := strconv.ParseFloat(fields[0], 64)
		c, err2 := strconv.ParseFloat(fields[1], 64)
		if err1 != nil || err2 != nil || !(l > 0) || !(c > 0) {
			t.Fatalf("%s:%d: want two positive numbers, got %q", path, line, text)
		}
		if len(ell) > 0 && !(l > ell[len(ell)-1]) {
			t.Fatalf("%s:%d: ℓ = %g does not increase", path, line, l)
		}
		ell, cl = append(ell, l), append(cl, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ell) < 2 {
		t.Fatalf("%s: %d rows, want at least 2", path, len(ell))
	}
	return ell, cl
}

// logLogInterp interpolates C_ℓ linearly in ln ℓ and ln C_ℓ, holding the end
// values outside the table.
func logLogInterp(ell, cl []float64, l float64) float64 {
	switch {
	case l <= ell[0]:
		return cl[0]
	case l >= ell[len(ell)-1]:
		return cl[len(cl)-1]
	}
	i := sort.SearchFloat64s(ell, l) // ell[i-1] < l ≤ ell[i]
	u := math.Log(l/ell[i-1]) / math.Log(ell[i]/ell[i-1])
	return math.Exp((1-u)*math.Log(cl[i-1]) + u*math.Log(cl[i]))
}

func TestGaussianReproducible(t *testing.T) {
	const n = 96
	power := powerspec.PowerMap(powerLaw, n, n, arcmin)
	field := func(workers int, seed uint64) []float64 {
		gen, err := simulate.NewGaussian(power, n, n)
		if err != nil {
			t.Fatal(err)
		}
		gen.SetWorkers(workers)
		return gen.Field(nil, rand.New(rand.NewPCG(seed, 0)))
	}
	a, b := field(1, 1), field(2, 1)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("pixel %d: %v with 1 worker, %v with 2", i, a[i], b[i])
		}
	}
	c := field(1, 2)
	if a[0] == c[0] && a[1] == c[1] {
		t.Error("seeds 1 and 2 give the same field")
	}
}

func TestGaussianFieldAllocatesNothing(t *testing.T) {
	const n = 64
	gen, err := simulate.NewGaussian(powerspec.PowerMap(powerLaw, n, n, arcmin), n, n)
	if err != nil {
		t.Fatal(err)
	}
	gen.SetWorkers(1)
	rng := rand.New(rand.NewPCG(1, 1))
	m := make([]float64, n*n)
	if a := testing.AllocsPerRun(5, func() { gen.Field(m, rng) }); a != 0 {
		t.Errorf("Field allocates %.0f times per call, want 0", a)
	}
}

func TestNewGaussianErrors(t *testing.T) {
	const n = 8
	good := powerspec.PowerMap(powerLaw, n, n, arcmin)
	withValue := func(i int, v float64) []float64 {
		p := append([]float64(nil), good...)
		p[i] = v
		return p
	}
	cases := []struct {
		name  string
		power []float64
		want  string
	}{
		{"short", good[:10], "power map of 10 values"},
		{"negative", withValue(9, -1), "want a finite value ≥ 0"},
		{"NaN", withValue(9, math.NaN()), "want a finite value ≥ 0"},
		{"asymmetric", withValue(1, 2*good[1]), "not symmetric"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := simulate.NewGaussian(c.power, n, n)
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}
