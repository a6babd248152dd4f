package main

import (
	"bufio"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/fits"
)

// band is one line of the text table of massmap powerspec.
type band struct {
	ellMin, ellMax, ellMean, cl, err float64
	modes                            int
}

// readSpectrum returns the comment lines and the bands of a spectrum file.
func readSpectrum(t *testing.T, path string) (header []string, bands []band) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "#") {
			header = append(header, line)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 6 {
			t.Fatalf("%s: line %q has %d columns, want 6", path, line, len(fields))
		}
		bands = append(bands, band{
			ellMin: parseFloat(t, fields[0]), ellMax: parseFloat(t, fields[1]), ellMean: parseFloat(t, fields[2]),
			cl: parseFloat(t, fields[3]), err: parseFloat(t, fields[4]), modes: int(parseFloat(t, fields[5])),
		})
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return header, bands
}

// powerLawCl is the spectrum of the tests, C_ell = 1e-9 (ell/1000)^-1.2.
// The table of writePowerLawTable reproduces it exactly, because
// cosmology.Table interpolates linearly in (ln ell, ln C_ell).
func powerLawCl(ell float64) float64 { return 1e-9 * math.Pow(ell/1000, -1.2) }

func writePowerLawTable(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# ell C_ell\n")
	for _, ell := range []float64{10, 100, 1000, 10000, 100000} {
		b.WriteString(strconvFormat(ell) + " " + strconvFormat(powerLawCl(ell)) + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// middleBands returns the indices of the bands that a test compares with
// the input spectrum: those with at least 150 Fourier modes, so that the
// Gaussian error sqrt(2/modes) is below 12%, without the last band. It
// fails the test when fewer than three bands qualify.
func middleBands(t *testing.T, bands []band) []int {
	t.Helper()
	var middle []int
	for i, b := range bands[:len(bands)-1] {
		if b.modes >= 150 {
			middle = append(middle, i)
		}
	}
	if len(middle) < 3 {
		t.Fatalf("only %d bands have at least 150 modes: %v", len(middle), bands)
	}
	return middle
}

// On a mock catalogue with little shape noise, the E-mode spectrum must
// follow the input C_ell and the B mode must stay far below it.
func TestPowerspecRecoversInputSpectrum(t *testing.T) {
	const (
		relTol    = 0.3  // allowed |C_E / C_in - 1| in the middle bands
		maxBOverE = 0.05 // allowed C_B / C_E in the middle bands
	)
	dir := t.TempDir()
	ps := filepath.Join(dir, "cl.txt")
	writePowerLawTable(t, ps)
	catPath := filepath.Join(dir, "mock.fits")
	grid := []string{"--npix", "96", "--pixel-arcmin", "1", "--center", "150,2"}
	args := append([]string{"simulate", "--ps", ps, "--density", "20", "--sigma-e", "0.02", "--seed", "11",
		"--out", filepath.Join(dir, "kappa.fits"), "--catalog-out", catPath}, grid...)
	if code, _, stderr := runMassmap(t, args...); code != 0 {
		t.Fatalf("simulate: exit code %d:\n%s", code, stderr)
	}

	outE, outB, pngPath := filepath.Join(dir, "e.txt"), filepath.Join(dir, "b.txt"), filepath.Join(dir, "spectrum.png")
	args = append([]string{"powerspec", "--catalog", catPath, "--ps", ps, "--out", outE, "--b-out", outB, "--png", pngPath}, grid...)
	code, _, stderr := runMassmap(t, args...)
	if code != 0 {
		t.Fatalf("powerspec: exit code %d:\n%s", code, stderr)
	}
	for _, want := range []string{"window: 9216 of 9216 pixels observed", "comparison C_ell: table " + ps, "shape noise: expected C_ell", "wrote " + outE, "wrote " + outB, "wrote " + pngPath} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	t.Log(stderr)

	// The header records the inputs.
	header, bandsE := readSpectrum(t, outE)
	text := strings.Join(header, "\n")
	for _, want := range []string{"# massmap powerspec", "# input: Kaiser-Squires maps of the catalogue " + catPath, "# grid: 96 x 96 pixels of 1 arcmin", "cosine taper 2 arcmin", "# bands: 10 logarithmic", "# E mode", "# ell_min ell_max ell_mean C_ell error n_modes"} {
		if !strings.Contains(text, want) {
			t.Errorf("header of %s lacks %q:\n%s", outE, want, text)
		}
	}
	_, bandsB := readSpectrum(t, outB)
	if len(bandsE) != 10 || len(bandsB) != 10 {
		t.Fatalf("%d E bands and %d B bands, want 10 of each", len(bandsE), len(bandsB))
	}

	// The default bands run from the fundamental 2 pi / (96 arcmin) to the
	// Nyquist multipole pi / (1 arcmin).
	arcmin := math.Pi / 180 / 60
	if got, want := bandsE[0].ellMin, 2*math.Pi/(96*arcmin); math.Abs(got/want-1) > 1e-9 {
		t.Errorf("first band starts at ell = %v, want %v", got, want)
	}
	if got, want := bandsE[9].ellMax, math.Pi/arcmin; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("last band ends at ell = %v, want %v", got, want)
	}

	for _, i := range middleBands(t, bandsE) {
		e, b := bandsE[i], bandsB[i]
		want := powerLawCl(e.ellMean)
		t.Logf("band %d, ell %.0f: C_E / C_in = %.3f, C_B / C_E = %.4f (%d modes)", i, e.ellMean, e.cl/want, b.cl/e.cl, e.modes)
		if math.Abs(e.cl/want-1) > relTol {
			t.Errorf("band %d (ell %.0f): C_E = %.4g, input C_ell = %.4g: off by more than %.0f%%", i, e.ellMean, e.cl, want, 100*relTol)
		}
		if !(b.cl < maxBOverE*e.cl) {
			t.Errorf("band %d (ell %.0f): C_B = %.4g is not below %g C_E = %.4g", i, e.ellMean, b.cl, maxBOverE, e.cl)
		}
	}

	// The plot is a PNG of the expected size.
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", pngPath, err)
	}
	if b := img.Bounds(); b.Dx() != 770 || b.Dy() != 550 {
		t.Errorf("plot is %d x %d pixels, want 770 x 550", b.Dx(), b.Dy())
	}
}

// The spectrum of the simulated map itself, read with --map, must follow
// the input C_ell, a table or the default theory, with the pixel size from
// CDELT2. The simulated map is periodic and needs no taper, so the window is
// 1 everywhere.
func TestPowerspecOfMapFile(t *testing.T) {
	const relTol = 0.3
	dir := t.TempDir()
	ps := filepath.Join(dir, "cl.txt")
	writePowerLawTable(t, ps)

	// The theory of the default flags: Planck 2018 and sources at z = 1.
	theory := func(ell float64) float64 {
		cl, err := cosmology.ConvergenceCl(cosmology.Planck2018(), cosmology.SingleSource(1), []float64{ell})
		if err != nil {
			t.Fatal(err)
		}
		return cl[0]
	}
	cases := []struct {
		name  string
		flags []string
		cl    func(float64) float64
	}{
		{"table", []string{"--ps", ps}, powerLawCl},
		{"theory", nil, theory},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kappaPath := filepath.Join(dir, c.name+".fits")
			args := append([]string{"simulate", "--seed", "4", "--out", kappaPath, "--npix", "80", "--pixel-arcmin", "1.5", "--center", "30,-20"}, c.flags...)
			if code, _, stderr := runMassmap(t, args...); code != 0 {
				t.Fatalf("simulate: exit code %d:\n%s", code, stderr)
			}
			out := filepath.Join(dir, c.name+".txt")
			args = append([]string{"powerspec", "--map", kappaPath, "--apodize-arcmin", "0", "--out", out, "--png", filepath.Join(dir, c.name+".png")}, c.flags...)
			if code, _, stderr := runMassmap(t, args...); code != 0 {
				t.Fatalf("powerspec: exit code %d:\n%s", code, stderr)
			}
			header, bands := readSpectrum(t, out)
			text := strings.Join(header, "\n")
			for _, want := range []string{"# input: map " + kappaPath + ", KAPPA", "80 x 80 pixels of 1.5 arcmin (pixel size from CDELT2)", "6400 of 6400 pixels observed (finite pixels)", "W2 = 1,"} {
				if !strings.Contains(text, want) {
					t.Errorf("header lacks %q:\n%s", want, text)
				}
			}
			for _, i := range middleBands(t, bands) {
				r := bands[i].cl / c.cl(bands[i].ellMean)
				t.Logf("band %d, ell %.0f: C / C_in = %.3f (%d modes)", i, bands[i].ellMean, r, bands[i].modes)
				if math.Abs(r-1) > relTol {
					t.Errorf("band %d (ell %.0f): C / C_in = %.3f, want within %.0f%% of 1", i, bands[i].ellMean, r, 100*relTol)
				}
			}
		})
	}

	// A massmap ks file brings its NGAL footprint and its smoothing.
	ksPath := filepath.Join(dir, "ks.fits")
	if code, _, stderr := runMassmap(t, "ks", "--out", ksPath, "--smooth-arcmin", "2", "--pixel-arcmin", "2"); code != 0 {
		t.Fatalf("ks: exit code %d:\n%s", code, stderr)
	}
	out := filepath.Join(dir, "ks.txt")
	if code, _, stderr := runMassmap(t, "powerspec", "--map", ksPath, "--out", out); code != 0 {
		t.Fatalf("powerspec of the ks map: exit code %d:\n%s", code, stderr)
	}
	header, _ := readSpectrum(t, out)
	text := strings.Join(header, "\n")
	for _, want := range []string{"KAPPA_E, smoothed 2 arcmin", "finite pixels with NGAL > 0"} {
		if !strings.Contains(text, want) {
			t.Errorf("header lacks %q:\n%s", want, text)
		}
	}
}

// A bad command line exits with 2 and a bad input with 1, each with a
// message that names the problem, and neither writes anything.
func TestPowerspecBadInputs(t *testing.T) {
	table := filepath.Join("..", "..", "testdata", "mock_shear_cat.fits")
	cases := []struct {
		name     string
		args     []string
		code     int
		messages []string
	}{
		{"zero bins", []string{"--bins", "0"}, 2, []string{"invalid --bins 0"}},
		{"negative bins", []string{"--bins", "-3"}, 2, []string{"invalid --bins -3"}},
		{"lmin above lmax", []string{"--lmin", "1000", "--lmax", "100"}, 2, []string{"--lmin 1000 is not below --lmax 100"}},
		{"lmin equal to lmax", []string{"--lmin", "500", "--lmax", "500"}, 2, []string{"not below"}},
		{"lmin above the Nyquist multipole", []string{"--lmin", "20000"}, 2, []string{"lower edge 20000", "Nyquist"}},
		{"lmin zero with log bands", []string{"--lmin", "0"}, 2, []string{"--lmin 0", "--log=false"}},
		{"negative taper", []string{"--apodize-arcmin", "-1"}, 2, []string{"--apodize-arcmin -1"}},
		{"map HDU without map", []string{"--map-hdu", "1"}, 2, []string{"--map-hdu", "--map"}},
		{"grid flag with map", []string{"--map", table, "--npix", "32"}, 2, []string{"--npix applies to a catalogue"}},
		{"B output with map", []string{"--map", table, "--b-out", "b.txt"}, 2, []string{"--b-out applies to a catalogue"}},
		{"spectrum without comparison", []string{"--theory=false", "--zs", "2"}, 2, []string{"--zs", "--theory=false"}},
		{"map HDU is a table", []string{"--map", table, "--map-hdu", "1"}, 1, []string{table, "not an image"}},
		{"map without image", []string{"--map", table}, 1, []string{table, "no HDU holds image data"}},
		{"map HDU without data", []string{"--map", table, "--map-hdu", "0"}, 1, []string{table, "no image data"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"powerspec", "--out", filepath.Join(dir, "spectrum.txt"), "--png", filepath.Join(dir, "spectrum.png")}
			for _, a := range c.args {
				if a == "b.txt" {
					a = filepath.Join(dir, a)
				}
				args = append(args, a)
			}
			code, _, stderr := runMassmap(t, args...)
			if code != c.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, c.code, stderr)
			}
			for _, m := range c.messages {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr)
				}
			}
			if got := listDir(t, dir); len(got) != 0 {
				t.Errorf("directory holds %v after the failure", got)
			}
		})
	}
	if code, _, stderr := runMassmap(t, "powerspec"); code != 2 || !strings.Contains(stderr, "missing --out") {
		t.Errorf("without --out: exit code %d, stderr:\n%s", code, stderr)
	}
}

// A map file must give its pixel size, in CDELT2 or with --pixel-arcmin,
// and be two-dimensional.
func TestPowerspecMapHeaderChecks(t *testing.T) {
	dir := t.TempDir()
	data := make([]float64, 16*16)
	for i := range data {
		data[i] = math.Sin(float64(i))
	}
	noPixel := filepath.Join(dir, "nopixel.fits")
	cube := filepath.Join(dir, "cube.fits")
	if err := fits.WriteImages(noPixel, false, fits.ImageHDU{Axes: []int{16, 16}, Data: data}); err != nil {
		t.Fatal(err)
	}
	if err := fits.WriteImages(cube, false, fits.ImageHDU{Axes: []int{16, 8, 2}, Data: data}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "spectrum.txt")

	code, _, stderr := runMassmap(t, "powerspec", "--map", noPixel, "--out", out)
	if code != 1 || !strings.Contains(stderr, "CDELT2") || !strings.Contains(stderr, "--pixel-arcmin") {
		t.Errorf("map without CDELT2: exit code %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = runMassmap(t, "powerspec", "--map", cube, "--out", out, "--pixel-arcmin", "1")
	if code != 1 || !strings.Contains(stderr, "3-dimensional") {
		t.Errorf("3-D map: exit code %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("a failed run wrote %s", out)
	}

	code, _, stderr = runMassmap(t, "powerspec", "--map", noPixel, "--out", out, "--pixel-arcmin", "0.5", "--theory=false")
	if code != 0 {
		t.Fatalf("with --pixel-arcmin: exit code %d:\n%s", code, stderr)
	}
	header, bands := readSpectrum(t, out)
	if !strings.Contains(strings.Join(header, "\n"), "pixels of 0.5 arcmin (pixel size from --pixel-arcmin)") {
		t.Errorf("header does not record the pixel size:\n%s", strings.Join(header, "\n"))
	}
	if len(bands) != 10 {
		t.Errorf("%d bands, want the default 10", len(bands))
	}
}

func TestPowerspecExistingOutputNeedsForce(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "spectrum.txt")
	old := []byte("an earlier spectrum")
	if err := os.WriteFile(out, old, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runMassmap(t, "powerspec", "--out", out, "--pixel-arcmin", "2")
	if code != 1 || !strings.Contains(stderr, out) || !strings.Contains(stderr, "--force") {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != string(old) {
		t.Errorf("the existing output was changed")
	}

	code, _, stderr = runMassmap(t, "powerspec", "--out", out, "--pixel-arcmin", "2", "--force")
	if code != 0 {
		t.Fatalf("with --force: exit code %d:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "# massmap powerspec") {
		t.Errorf("with --force the output was not replaced by a spectrum")
	}
}
