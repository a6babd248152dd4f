package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fits"
)

// simulateGrid is the grid of the end-to-end tests: 48 x 48 pixels of 2
// arcmin, given in full because simulate without --catalog needs it.
var simulateGrid = []string{"--npix", "48", "--pixel-arcmin", "2", "--center", "150,2"}

// readColumn returns a float64 column of the first table of a FITS file.
func readColumn(t *testing.T, path, name string) []float64 {
	t.Helper()
	tab, err := fits.ReadTable(path, "")
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := tab.Float64(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A simulated field and its mock catalogue, inverted by massmap ks on the
// same grid, must give back the field: KAPPA_E of ks correlates with the
// true KAPPA of simulate inside the footprint. The correlation is limited
// by shape noise and by the power of the true map on scales below the
// smoothing: r is 0.55 to 0.61 for the seeds 1, 2, 3 and 7.
func TestSimulateThenKSRecoversField(t *testing.T) {
	const minR = 0.5
	dir := t.TempDir()
	kappaPath := filepath.Join(dir, "kappa.fits")
	catPath := filepath.Join(dir, "mock.fits")
	pngPath := filepath.Join(dir, "kappa.png")
	args := append([]string{"simulate", "--out", kappaPath, "--catalog-out", catPath, "--png", pngPath, "--density", "20", "--seed", "3"}, simulateGrid...)
	code, _, stderr := runMassmap(t, args...)
	if code != 0 {
		t.Fatalf("simulate: exit code %d:\n%s", code, stderr)
	}
	for _, want := range []string{"spectrum: theory", "field: Gaussian, seed 3", "mock catalogue: 184320 galaxies placed uniformly", "wrote " + kappaPath + " (KAPPA)", "wrote " + catPath, "wrote " + pngPath} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	if got := listDir(t, dir); len(got) != 3 {
		t.Errorf("output directory holds %v, want the map, the catalogue and the PNG", got)
	}

	// The map carries the WCS and the provenance.
	names, err := listHDUNames(kappaPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, ","); got != "KAPPA" {
		t.Errorf("HDUs %s, want KAPPA", got)
	}
	truth := readHDU(t, kappaPath, "KAPPA")
	for _, key := range []string{"CTYPE1", "CTYPE2", "CRVAL1", "CRVAL2", "CDELT1", "CDELT2", "PROGRAM", "VERSION", "DATE", "FIELD", "SEED", "POWSPEC", "ZSOURCE", "NMOCK", "SIGMAE", "PIXSCALE"} {
		if _, ok := truth.Card(key); !ok {
			t.Errorf("KAPPA lacks the card %s", key)
		}
	}
	if c, _ := truth.Card("PROGRAM"); c.Value != "massmap simulate" {
		t.Errorf("PROGRAM = %v", c.Value)
	}
	if v, _ := truth.Float("NMOCK"); v != 184320 {
		t.Errorf("NMOCK = %v, want 20 per arcmin^2 x 96 x 96 arcmin^2 = 184320", v)
	}
	if got := readColumn(t, catPath, "ra"); len(got) != 184320 {
		t.Errorf("mock catalogue has %d rows, want 184320", len(got))
	}

	// The inversion of the mock catalogue.
	ksPath := filepath.Join(dir, "ks.fits")
	args = append([]string{"ks", "--catalog", catPath, "--out", ksPath, "--smooth-arcmin", "2"}, simulateGrid...)
	if code, _, stderr := runMassmap(t, args...); code != 0 {
		t.Fatalf("ks: exit code %d:\n%s", code, stderr)
	}
	kE, ngal := readHDU(t, ksPath, "KAPPA_E"), readHDU(t, ksPath, "NGAL")
	var a, b []float64
	for i := range kE.Data {
		if ngal.Data[i] > 0 {
			a = append(a, kE.Data[i])
			b = append(b, truth.Data[i])
		}
	}
	if len(a) < len(kE.Data)*9/10 {
		t.Errorf("%d of %d pixels have galaxies, want nearly all at 20 per arcmin^2", len(a), len(kE.Data))
	}
	r := pearson(a, b)
	t.Logf("Pearson r of KAPPA_E (ks, smoothed 2 arcmin) against the simulated KAPPA: %.3f", r)
	if !(r > minR) {
		t.Errorf("Pearson r = %.3f, want > %.2f", r, minR)
	}
}

// The same flags and seed must give the same map and catalogue, value for
// value, and another seed another map. The run exercises the lognormal
// field, positions from a catalogue, rotated ellipticities and the reduced
// shear.
func TestSimulateSameSeedSameOutput(t *testing.T) {
	const shift = 0.03
	input := filepath.Join("..", "..", "testdata", "mock_shear_cat.fits")
	simulateOnce := func(seed string) (kappa []float64, catalogue []byte, dir string) {
		dir = t.TempDir()
		kappaPath := filepath.Join(dir, "kappa.fits")
		catPath := filepath.Join(dir, "mock.fits")
		code, _, stderr := runMassmap(t, "simulate", "--catalog", input, "--rotate", "--reduced-shear",
			"--field", "lognormal", "--shift", strconvFormat(shift), "--pixel-arcmin", "1.5", "--seed", seed,
			"--out", kappaPath, "--catalog-out", catPath)
		if code != 0 {
			t.Fatalf("seed %s: exit code %d:\n%s", seed, code, stderr)
		}
		catalogue, err := os.ReadFile(catPath)
		if err != nil {
			t.Fatal(err)
		}
		return readHDU(t, kappaPath, "KAPPA").Data, catalogue, dir
	}
	k1, c1, dir := simulateOnce("5")
	k2, c2, _ := simulateOnce("5")
	k3, c3, _ := simulateOnce("6")

	for i := range k1 {
		if k1[i] != k2[i] {
			t.Fatalf("pixel %d: KAPPA %v then %v with the same seed", i, k1[i], k2[i])
		}
	}
	if !bytes.Equal(c1, c2) {
		t.Errorf("the mock catalogues of two runs with the same seed differ")
	}
	same := 0
	for i := range k1 {
		if k1[i] == k3[i] {
			same++
		}
	}
	if same > len(k1)/100 {
		t.Errorf("%d of %d pixels equal with seeds 5 and 6, want a new field", same, len(k1))
	}
	if bytes.Equal(c1, c3) {
		t.Errorf("the mock catalogues of seeds 5 and 6 are identical")
	}

	// The lognormal field stays above -shift and has the header cards of
	// its parameters.
	lowest := math.Inf(1)
	for _, v := range k1 {
		lowest = math.Min(lowest, v)
	}
	if !(lowest > -shift) {
		t.Errorf("lognormal KAPPA reaches %g, want > -%g", lowest, shift)
	}
	img := readHDU(t, filepath.Join(dir, "kappa.fits"), "KAPPA")
	if c, _ := img.Card("FIELD"); c.Value != "lognormal" {
		t.Errorf("FIELD = %v, want lognormal", c.Value)
	}
	if v, _ := img.Float("SHIFT"); v != shift {
		t.Errorf("SHIFT = %v, want %v", v, shift)
	}
	if c, _ := img.Card("PIXWIN"); c.Value != true {
		t.Errorf("PIXWIN = %v, want true (the default)", c.Value)
	}
	if c, _ := img.Card("SHAPENOI"); c.Value != "rotated" {
		t.Errorf("SHAPENOI = %v, want rotated", c.Value)
	}
	if c, _ := img.Card("INPUT"); c.Value != input {
		t.Errorf("INPUT = %v, want %s", c.Value, input)
	}
}

// With --rotate and a spectrum of zero power the mock catalogue contains
// the input galaxies with their weights, and each ellipticity keeps its modulus
// but not its direction.
func TestSimulateRotateKeepsModulus(t *testing.T) {
	const tol = 1e-12
	dir := t.TempDir()
	input := filepath.Join(dir, "cat.txt")
	ps := filepath.Join(dir, "zero.txt")
	os.WriteFile(input, []byte("ra dec e1 e2 weight\n10.00 0.00 0.3 0.1 1\n10.02 0.01 -0.2 0.05 2\n9.99 -0.01 0.0 -0.4 0.5\n10.01 0.02 0.15 0.15 1\n"), 0o644)
	os.WriteFile(ps, []byte("# ell C_ell\n10 0\n100000 0\n"), 0o644)
	catPath := filepath.Join(dir, "mock.fits")
	code, _, stderr := runMassmap(t, "simulate", "--catalog", input, "--rotate", "--ps", ps, "--pixel-arcmin", "0.5",
		"--out", filepath.Join(dir, "kappa.fits"), "--catalog-out", catPath)
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}

	e1, e2 := readColumn(t, catPath, "e1"), readColumn(t, catPath, "e2")
	ra, w := readColumn(t, catPath, "ra"), readColumn(t, catPath, "weight")
	in1 := []float64{0.3, -0.2, 0.0, 0.15}
	in2 := []float64{0.1, 0.05, -0.4, 0.15}
	inRA := []float64{10.00, 10.02, 9.99, 10.01}
	inW := []float64{1, 2, 0.5, 1}

	if len(e1) != len(in1) {
		t.Fatalf("mock catalogue has %d galaxies, want the %d of the input", len(e1), len(in1))
	}
	turned := 0
	for i := range in1 {
		if math.Abs(ra[i]-inRA[i]) > tol || w[i] != inW[i] {
			t.Errorf("galaxy %d: RA %v weight %v, want %v and %v", i, ra[i], w[i], inRA[i], inW[i])
		}
		if got, want := math.Hypot(e1[i], e2[i]), math.Hypot(in1[i], in2[i]); math.Abs(got-want) > tol {
			t.Errorf("galaxy %d: |e| = %v, want %v", i, got, want)
		}
		if math.Abs(e1[i]-in1[i]) > 1e-3 || math.Abs(e2[i]-in2[i]) > 1e-3 {
			turned++
		}
	}
	if turned == 0 {
		t.Errorf("no ellipticity was rotated")
	}
}

// A bad command line exits with 2 before anything is written.
func TestSimulateUsageErrors(t *testing.T) {
	input := filepath.Join("..", "..", "testdata", "mock_shear_cat.fits")
	cases := []struct {
		name    string
		args    []string
		message string
	}{
		{"no centre without catalogue", []string{"--npix", "32"}, "missing --center"},
		{"no size without catalogue", []string{"--center", "150,2"}, "missing grid size"},
		{"unknown field", append([]string{"--field", "cauchy"}, simulateGrid...), "--field"},
		{"shift of a Gaussian field", append([]string{"--shift", "0.05"}, simulateGrid...), "--field lognormal only"},
		{"negative shift", append([]string{"--field", "lognormal", "--shift", "-0.1"}, simulateGrid...), "--shift"},
		{"zero density", append([]string{"--density", "0", "--catalog-out", "m.fits"}, simulateGrid...), "--density"},
		{"negative sigma_e", append([]string{"--sigma-e", "-0.1", "--catalog-out", "m.fits"}, simulateGrid...), "--sigma-e"},
		{"rotate without catalogue", append([]string{"--rotate", "--catalog-out", "m.fits"}, simulateGrid...), "--rotate needs --catalog"},
		{"rotate and sigma_e", []string{"--catalog", input, "--rotate", "--sigma-e", "0.3", "--catalog-out", "m.fits"}, "give one"},
		{"density and catalogue", []string{"--catalog", input, "--density", "10", "--catalog-out", "m.fits"}, "give one"},
		{"sigma_e without catalogue output", append([]string{"--sigma-e", "0.3"}, simulateGrid...), "--catalog-out"},
		{"catalogue output is the map", append([]string{"--catalog-out", "k.fits"}, simulateGrid...), "same file"},
		{"bad centre", []string{"--npix", "32", "--center", "150"}, "--center"},
		{"column without catalogue", append([]string{"--e1-col", "g1"}, simulateGrid...), "--e1-col describes the catalogue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"simulate", "--out", filepath.Join(dir, "k.fits")}
			for _, a := range c.args {
				if a == "m.fits" || a == "k.fits" {
					a = filepath.Join(dir, a)
				}
				args = append(args, a)
			}
			code, _, stderr := runMassmap(t, args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, c.message) {
				t.Errorf("stderr lacks %q:\n%s", c.message, stderr)
			}
			if got := listDir(t, dir); len(got) != 0 {
				t.Errorf("directory holds %v after the usage error", got)
			}
		})
	}
	if code, _, _ := runMassmap(t, append([]string{"simulate"}, simulateGrid...)...); code != 2 {
		t.Errorf("without --out: exit code %d, want 2", code)
	}
}

// A run that fails exits with 1 and leaves no output behind.
func TestSimulateFailsCleanly(t *testing.T) {
	t.Run("existing catalogue output", func(t *testing.T) {
		dir := t.TempDir()
		catPath := filepath.Join(dir, "mock.fits")
		old := []byte("an earlier catalogue")
		os.WriteFile(catPath, old, 0o644)
		args := append([]string{"simulate", "--out", filepath.Join(dir, "k.fits"), "--catalog-out", catPath}, simulateGrid...)
		code, _, stderr := runMassmap(t, args...)
		if code != 1 || !strings.Contains(stderr, "--force") {
			t.Errorf("exit code %d, stderr:\n%s", code, stderr)
		}
		if b, _ := os.ReadFile(catPath); !bytes.Equal(b, old) {
			t.Errorf("the existing catalogue was changed")
		}
		if got := listDir(t, dir); len(got) != 1 {
			t.Errorf("directory holds %v, want only the earlier catalogue", got)
		}
	})
	t.Run("lognormal shift too small", func(t *testing.T) {
		dir := t.TempDir()
		args := append([]string{"simulate", "--out", filepath.Join(dir, "k.fits"), "--field", "lognormal", "--shift", "1e-5"}, simulateGrid...)
		code, _, stderr := runMassmap(t, args...)
		if code != 1 || !strings.Contains(stderr, "larger --shift") {
			t.Errorf("exit code %d, stderr:\n%s", code, stderr)
		}
		if got := listDir(t, dir); len(got) != 0 {
			t.Errorf("directory holds %v after the failure", got)
		}
	})
}

func TestSimulateAndPowerspecHelp(t *testing.T) {
	common := []string{"--out", "--png", "--force", "--catalog", "--hdu", "--ra-col", "--dec-col", "--e1-col", "--e2-col", "--weight-col", "--flip-e1", "--flip-e2",
		"--nx", "--ny", "--npix", "--pixel-arcmin", "--center", "--projection", "--ps", "--zs", "--h", "--omega-cdm", "--omega-b", "--ns", "--sigma8"}
	commands := map[string][]string{
		"simulate":  {"--field", "--shift", "--density", "--sigma-e", "--rotate", "--reduced-shear", "--seed", "--catalog-out"},
		"powerspec": {"--map", "--map-hdu", "--smooth-arcmin", "--pad", "--bins", "--lmin", "--lmax", "--log", "--apodize-arcmin", "--theory", "--b-out"},
	}
	for name, own := range commands {
		code, stdout, _ := runMassmap(t, name, "--help")
		if code != 0 || !strings.Contains(stdout, "Usage: massmap "+name) {
			t.Errorf("%s --help: exit code %d, stdout:\n%s", name, code, stdout)
		}
		for _, flag := range append(own, common...) {
			if !strings.Contains(stdout, "  "+flag+" ") && !strings.Contains(stdout, "  "+flag+"\n") {
				t.Errorf("%s --help does not document %s", name, flag)
			}
		}
	}
	_, stdout, _ := runMassmap(t, "--help")
	for name := range commands {
		if !strings.Contains(stdout, "  "+name+" ") {
			t.Errorf("massmap --help does not list %s", name)
		}
	}
}
