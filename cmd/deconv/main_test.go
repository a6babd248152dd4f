package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/shareddata"
	"github.com/skyinv/skyinv/operators"
)

// runDeconv runs the command in-process and returns its exit code, standard
// output and standard error.
func runDeconv(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func readHDU(t *testing.T, path, hdu string) *fits.ImageHDU {
	t.Helper()
	img, err := fits.ReadImage(path, hdu)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func writeFITS(t *testing.T, path string, hdus ...fits.ImageHDU) {
	t.Helper()
	if err := fits.WriteImages(path, false, hdus...); err != nil {
		t.Fatal(err)
	}
}

// listDir returns the names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

const (
	synthNX, synthNY = 96, 80
	synthPSFSide     = 8 // even, so the centre falls between pixels
	synthPSFSum      = 0.9
	synthSky         = 0.05  // a positive sky, so that RL needs no offset
	synthSigma       = 0.002 // noise standard deviation
)

// synthWCS are celestial WCS cards for the synthetic image.
var synthWCS = []fits.Card{
	{Key: "CTYPE1", Value: "RA---TAN"},
	{Key: "CTYPE2", Value: "DEC--TAN"},
	{Key: "CRPIX1", Value: 48.5},
	{Key: "CRPIX2", Value: 40.5},
	{Key: "CRVAL1", Value: 150.1161025},
	{Key: "CRVAL2", Value: 2.247490268},
	{Key: "CD1_1", Value: -8.3333e-6},
	{Key: "CD1_2", Value: 0.0},
	{Key: "CD2_1", Value: 0.0},
	{Key: "CD2_2", Value: 8.3333e-6},
	{Key: "RADESYS", Value: "ICRS"},
	{Key: "BUNIT", Value: "electron/s"},
}

// synthPSF returns an 8 x 8 elliptical Gaussian PSF summing to 0.9.
func synthPSF() []float64 {
	psf := make([]float64, synthPSFSide*synthPSFSide)
	total := 0.0
	for j := range synthPSFSide {
		for i := range synthPSFSide {
			dx, dy := float64(i)-3.6, float64(j)-3.8
			psf[j*synthPSFSide+i] = math.Exp(-dx*dx/(2*1.3*1.3) - dy*dy/(2*1.0*1.0))
			total += psf[j*synthPSFSide+i]
		}
	}
	for i := range psf {
		psf[i] *= synthPSFSum / total
	}
	return psf
}

// writeSynthetic writes a blurred, noisy image of two galaxies on a positive
// sky (HDU 1, EXTNAME SCI, behind an empty primary HDU, with WCS cards) and
// its PSF, and returns their paths.
func writeSynthetic(t *testing.T, dir string) (image, psf string) {
	t.Helper()
	p := synthPSF()
	unit := make([]float64, len(p))
	for i, v := range p {
		unit[i] = v / synthPSFSum
	}
	a, err := operators.NewConvolution(synthNX, synthNY, unit, synthPSFSide, synthPSFSide, operators.ZeroPad)
	if err != nil {
		t.Fatal(err)
	}
	truth := make([]float64, synthNX*synthNY)
	for j := range synthNY {
		for i := range synthNX {
			dx, dy := float64(i-40), float64(j-36)
			ex, ey := float64(i-66), float64(j-50)
			truth[j*synthNX+i] = 0.3*math.Exp(-(dx*dx+dy*dy)/8) + 0.1*math.Exp(-(ex*ex+ey*ey)/3)
		}
	}
	y := make([]float64, len(truth))
	a.Apply(y, truth)
	rng := rand.New(rand.NewPCG(17, 4))
	for i := range y {
		y[i] += synthSky + synthSigma*rng.NormFloat64()
	}

	image = filepath.Join(dir, "galaxy.fits")
	psf = filepath.Join(dir, "psf.fits")
	writeFITS(t, image, fits.ImageHDU{}, fits.ImageHDU{Name: "SCI", Axes: []int{synthNX, synthNY}, Data: y, Bitpix: -32, Cards: synthWCS})
	writeFITS(t, psf, fits.ImageHDU{Axes: []int{synthPSFSide, synthPSFSide}, Data: p})
	return image, psf
}

func TestMethodsOnSyntheticImage(t *testing.T) {
	dir := t.TempDir()
	image, psf := writeSynthetic(t, dir)
	input := readHDU(t, image, "SCI")

	cases := []struct {
		method string
		args   []string
		want   []string // in stderr
	}{
		{"wiener", nil, []string{"Wiener filter: signal power"}},
		{"tikhonov", []string{"--boundary", "periodic", "--iterations", "300"}, []string{"iteration 30/300", "Tikhonov: lambda"}},
		{"rl", []string{"--iterations", "20", "--boundary", "periodic"}, []string{"iteration 2/20", "iteration 20/20", "stopped at the iteration cap (20)"}},
	}
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			out := filepath.Join(dir, c.method+".fits")
			png := filepath.Join(dir, c.method+".png")
			args := append([]string{c.method, "--image", image, "--psf", psf, "--out", out, "--png", png}, c.args...)
			code, _, stderr := runDeconv(t, args...)
			if code != 0 {
				t.Fatalf("exit code %d, stderr:\n%s", code, stderr)
			}
			want := append([]string{"HDU 1 (96 x 80 pixels)", "sum 0.9, normalised to 1", "residual |A x - y|/|y| =", "chi^2 per pixel", "wrote " + out, "wrote " + png}, c.want...)
			for _, w := range want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}

			got := readHDU(t, out, "0")
			if len(got.Axes) != 2 || got.Axes[0] != synthNX || got.Axes[1] != synthNY {
				t.Fatalf("output axes %v, want [%d %d]", got.Axes, synthNX, synthNY)
			}
			for i, v := range got.Data {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("output pixel %d is %v", i, v)
				}
			}
			for _, wc := range synthWCS {
				c, ok := got.Card(wc.Key)
				if !ok || c.Value != wc.Value {
					t.Errorf("output card %s = %v, want %v copied from the input", wc.Key, c.Value, wc.Value)
				}
			}
			for key, value := range map[string]any{"PROGRAM": "deconv " + c.method, "VERSION": skyinv.Version, "IMAGE": image, "IMAGEHDU": 1, "PSF": psf, "PSFHDU": 0} {
				if got, ok := got.Card(key); !ok || got.Value != value {
					t.Errorf("card %s = %v, want %v", key, got.Value, value)
				}
			}
			for _, key := range []string{"DATE", "METHOD", "NOISEVAR", "NOISESRC", "NITER", "CONVERGE", "RESIDUAL", "CHI2PIX"} {
				if _, ok := got.Card(key); !ok {
					t.Errorf("output lacks card %s", key)
				}
			}
			if s, _ := got.Float("PSFSUM"); math.Abs(s-synthPSFSum) > 1e-12 {
				t.Errorf("PSFSUM = %v, want %v", s, synthPSFSum)
			}
			if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
				t.Errorf("PNG quick look missing or tiny: %v", err)
			}

			// The estimated noise is near the true one (the smooth galaxies
			// add little to differences of pixels two apart).
			if v, _ := got.Float("NOISEVAR"); math.Abs(v/(synthSigma*synthSigma)-1) > 0.1 {
				t.Errorf("estimated noise variance %.4g, true %.4g", v, synthSigma*synthSigma)
			}

			// RL with the periodic boundary conserves the flux.
			if c.method == "rl" {
				fy, fx := sum(input.Data), sum(got.Data)
				if math.Abs(fx-fy) > 0.01*fy {
					t.Errorf("RL flux %.6g, input %.6g", fx, fy)
				}
				t.Logf("RL flux: input %.6g, output %.6g", fy, fx)
			}
		})
	}
}

// hstFiles returns the image and PSF files and HDUs of the first stamp of
// the AEGIS catalogue, or skips the test.
func hstFiles(t *testing.T) (image, imageHDU, psf, psfHDU string) {
	t.Helper()
	cat, err := fits.ReadTable(shareddata.Path(t, "hst/AEGIS_F814w_catalog.fits"), "")
	if err != nil {
		t.Fatal(err)
	}
	gal, err := cat.Strings("GAL_FILENAME")
	if err != nil {
		t.Fatal(err)
	}
	psfs, err := cat.Strings("PSF_FILENAME")
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) []float64 {
		v, _, err := cat.Float64(name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	galHDU, psfHDUs := col("GAL_HDU"), col("PSF_HDU")
	return shareddata.Path(t, "hst/"+gal[0]), strconv.Itoa(int(galHDU[0])), shareddata.Path(t, "hst/"+psfs[0]), strconv.Itoa(int(psfHDUs[0]))
}

// On a real HST stamp with sky noise below zero, rl names the offset it
// needs, and each method then writes an image of the input's shape.
func TestMethodsOnHSTStamp(t *testing.T) {
	image, imageHDU, psf, psfHDU := hstFiles(t)
	input := readHDU(t, image, imageHDU)
	dir := t.TempDir()
	base := []string{"--image", image, "--image-hdu", imageHDU, "--psf", psf, "--psf-hdu", psfHDU}

	out := filepath.Join(dir, "rl.fits")
	code, _, stderr := runDeconv(t, append([]string{"rl", "--out", out}, base...)...)
	if code != 1 {
		t.Fatalf("rl without --offset: exit code %d, want 1; stderr:\n%s", code, stderr)
	}
	negative := 0
	for _, v := range input.Data {
		if v < 0 {
			negative++
		}
	}
	m := regexp.MustCompile(`(\d+) pixels stay negative.*give --offset (\S+) or more`).FindStringSubmatch(stderr)
	if m == nil || m[1] != strconv.Itoa(negative) {
		t.Fatalf("stderr does not give the %d negative pixels and the offset:\n%s", negative, stderr)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("the rejected run wrote %v", got)
	}

	runs := [][]string{
		{"wiener"},
		{"tikhonov"},
		{"rl", "--offset", m[2]},
		// The zero-padded edge needs a larger offset: twice the periodic one.
		{"rl", "--offset", doubled(t, m[2]), "--boundary", "zero"},
		{"sparse", "--iterations", "100"},
	}
	for i, r := range runs {
		out := filepath.Join(dir, strconv.Itoa(i)+".fits")
		code, _, stderr := runDeconv(t, append(append(r, "--out", out), base...)...)
		if code != 0 {
			t.Fatalf("%v: exit code %d, stderr:\n%s", r, code, stderr)
		}
		got := readHDU(t, out, "0")
		if got.Axes[0] != input.Axes[0] || got.Axes[1] != input.Axes[1] {
			t.Errorf("%v: output axes %v, input %v", r, got.Axes, input.Axes)
		}
		for j, v := range got.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%v: output pixel %d is %v", r, j, v)
			}
		}
		fy, fx := sum(input.Data), sum(got.Data)
		t.Logf("%v: flux in %.5g, out %.5g", r, fy, fx)
		// RL with its default periodic boundary conserves the flux.
		if len(r) == 3 && r[0] == "rl" && math.Abs(fx-fy) > 0.01*fy {
			t.Errorf("%v: flux %.6g, input %.6g: want within 1%%", r, fx, fy)
		}
	}
}

// The noise estimate, on each HST stamp, against the catalogue's variance.
// Differences of neighbouring pixels see the correlation that drizzling
// leaves, so they give about half the variance; differences of pixels two
// apart see much less of it.
func TestNoiseEstimateMatchesHSTCatalogue(t *testing.T) {
	cat, err := fits.ReadTable(shareddata.Path(t, "hst/AEGIS_F814w_catalog.fits"), "")
	if err != nil {
		t.Fatal(err)
	}
	gal, _ := cat.Strings("GAL_FILENAME")
	galHDU, _, _ := cat.Float64("GAL_HDU")
	noise, _, err := cat.Float64("NOISE_VARIANCE")
	if err != nil {
		t.Fatal(err)
	}
	for i := range gal {
		img := readHDU(t, shareddata.Path(t, "hst/"+gal[i]), strconv.Itoa(int(galHDU[i])))
		lag1 := estimateNoiseVar(img.Data, img.Axes[0], img.Axes[1], 1) / noise[i]
		lag2 := estimateNoiseVar(img.Data, img.Axes[0], img.Axes[1], noiseLag) / noise[i]
		t.Logf("%s[%d]: estimate / catalogue = %.3f with lag 1, %.3f with lag 2", gal[i], int(galHDU[i]), lag1, lag2)
		if lag2 < 0.8 || lag2 > 1.25 {
			t.Errorf("%s[%d]: lag-2 estimate is %.3f of the catalogue's variance, want 0.8 to 1.25", gal[i], int(galHDU[i]), lag2)
		}
	}
}

// Interoperability: fitsverify accepts an output with no error and no
// warning.
func TestOutputPassesFitsverify(t *testing.T) {
	verify := fitsverifyPath(t)
	dir := t.TempDir()
	image, psf := writeSynthetic(t, dir)
	for _, method := range []string{"wiener", "rl"} {
		out := filepath.Join(dir, method+".fits")
		code, _, stderr := runDeconv(t, method, "--image", image, "--psf", psf, "--out", out)
		if code != 0 {
			t.Fatalf("%s: exit code %d:\n%s", method, code, stderr)
		}
		res, err := exec.Command(verify, out).CombinedOutput()
		if err != nil || !strings.Contains(string(res), "0 warning(s) and 0 error(s)") {
			t.Errorf("fitsverify %s: %v\n%s", out, err, res)
		}
	}
}

// fitsverifyPath returns the path of fitsverify, or skips the test when it
// is missing, unless the environment variable CI is set.
func fitsverifyPath(t *testing.T) string {
	t.Helper()
	verify, err := exec.LookPath("fitsverify")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("fitsverify is missing; CI must install the Debian package fitsverify")
		}
		t.Skip("fitsverify not installed (Debian package fitsverify): skipping")
	}
	return verify
}

// doubled returns twice the number s, formatted back.
func doubled(t *testing.T, s string) string {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatFloat(2*v, 'g', -1, 64)
}
