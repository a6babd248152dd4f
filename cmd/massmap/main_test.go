package main

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/shareddata"
	"github.com/skyinv/skyinv/skymap"
)

// runMassmap runs the command in-process and returns its exit code and
// standard error.
func runMassmap(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
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

func readHDU(t *testing.T, path, hdu string) *fits.ImageHDU {
	t.Helper()
	img, err := fits.ReadImage(path, hdu)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestKSOnEmbeddedCatalogue(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "kappa.fits")
	png := filepath.Join(dir, "kappa.png")
	code, _, stderr := runMassmap(t, "ks", "--out", out, "--png", png, "--smooth-arcmin", "1.5", "--noise-realisations", "8", "--seed", "3")
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"60000 rows read, 60000 kept, 0 dropped", "grid: ", "binning: 60000 galaxies", "noise: 8 realisations", "wrote " + out, "wrote " + png} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	hdus, err := fits.List(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range hdus {
		names = append(names, h.Name)
	}
	if got, want := strings.Join(names, ","), "KAPPA_E,KAPPA_B,NGAL,WEIGHT,SHEAR_STD,KAPPA_STD,SNR"; got != want {
		t.Errorf("HDUs %s, want %s", got, want)
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("PNG quick look missing or tiny: %v", err)
	}
	if got := listDir(t, dir); len(got) != 2 {
		t.Errorf("output directory holds %v, want only the two outputs", got)
	}

	// Every HDU carries the WCS and the provenance.
	for _, name := range names {
		img := readHDU(t, out, name)
		for _, key := range []string{"CTYPE1", "CTYPE2", "CRPIX1", "CRPIX2", "CRVAL1", "CRVAL2", "CDELT1", "CDELT2", "RADESYS", "EQUINOX", "VERSION", "INPUT", "SMOOTH", "SEED", "PIXSCALE"} {
			if _, ok := img.Card(key); !ok {
				t.Errorf("HDU %s lacks %s", name, key)
			}
		}
		if c, _ := img.Card("CTYPE1"); c.Value != "RA---TAN" {
			t.Errorf("HDU %s: CTYPE1 = %v", name, c.Value)
		}
		if v, _ := img.Float("CDELT1"); !(v < 0) {
			t.Errorf("HDU %s: CDELT1 = %v, want < 0 (East to the left)", name, v)
		}
	}

	// SNR is KAPPA_E / KAPPA_STD.
	kE, std, snr := readHDU(t, out, "KAPPA_E"), readHDU(t, out, "KAPPA_STD"), readHDU(t, out, "SNR")
	for i := range kE.Data {
		if math.Abs(snr.Data[i]-kE.Data[i]/std.Data[i]) > 1e-12*math.Abs(snr.Data[i]) {
			t.Fatalf("pixel %d: SNR %g, KAPPA_E/KAPPA_STD %g", i, snr.Data[i], kE.Data[i]/std.Data[i])
		}
	}

	// The same seed gives the same noise map.
	out2 := filepath.Join(dir, "again.fits")
	if code, _, stderr := runMassmap(t, "ks", "--out", out2, "--smooth-arcmin", "1.5", "--noise-realisations", "8", "--seed", "3"); code != 0 {
		t.Fatalf("second run: exit code %d:\n%s", code, stderr)
	}
	std2 := readHDU(t, out2, "KAPPA_STD")
	for i := range std.Data {
		if std.Data[i] != std2.Data[i] {
			t.Fatalf("pixel %d: KAPPA_STD %v then %v with the same seed", i, std.Data[i], std2.Data[i])
		}
	}
}

// The embedded catalogue's halos must come out of the inversion: κ_E
// correlates with the true convergence that the generator wrote, on the
// generator's grid.
func TestKSRecoversMockHalos(t *testing.T) {
	const minR = 0.6
	truth := readHDU(t, filepath.Join("..", "..", "testdata", "mock_kappa_truth.fits"), "")
	ra, _ := truth.Float("CRVAL1")
	dec, _ := truth.Float("CRVAL2")
	dir := t.TempDir()
	out := filepath.Join(dir, "k.fits")
	center := strconvFormat(ra) + "," + strconvFormat(dec)
	code, _, stderr := runMassmap(t, "ks", "--out", out, "--npix", "60", "--pixel-arcmin", "1", "--center", center, "--smooth-arcmin", "1.5")
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	kE := readHDU(t, out, "KAPPA_E")
	ngal := readHDU(t, out, "NGAL")
	var a, b []float64
	for i := range kE.Data {
		if ngal.Data[i] > 0 {
			a = append(a, kE.Data[i])
			b = append(b, truth.Data[i])
		}
	}
	if r := pearson(a, b); !(r >= minR) {
		t.Errorf("Pearson r against the true convergence = %.3f, want >= %.2f", r, minR)
	} else {
		t.Logf("Pearson r = %.3f", r)
	}
}

func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i] / n
		mb += b[i] / n
	}
	var cab, caa, cbb float64
	for i := range a {
		cab += (a[i] - ma) * (b[i] - mb)
		caa += (a[i] - ma) * (a[i] - ma)
		cbb += (b[i] - mb) * (b[i] - mb)
	}
	return cab / math.Sqrt(caa*cbb)
}

// On the real COSMOS catalogue, the published 360 x 360 RA/Dec grid must
// reproduce the survey footprint pixel for pixel. The footprint file is
// drawn with RA increasing with x, the mirror image of massmap's maps.
func TestCOSMOSOccupancyMatchesMask(t *testing.T) {
	cat := shareddata.Path(t, "cosmos/cosmos_shear_cat.fits")
	maskPath := shareddata.Path(t, "cosmos/cosmos_mask_360.fits")
	out := filepath.Join(t.TempDir(), "k.fits")
	code, _, stderr := runMassmap(t, "ks", "--catalog", cat, "--npix", "360", "--pixel-arcmin", "0.29", "--projection", "radec", "--center", "150.1161025,2.247490268", "--out", out)
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	t.Log(stderr)
	ngal := readHDU(t, out, "NGAL")
	mask := readHDU(t, maskPath, "")
	const n = 360
	differ := 0
	for y := range n {
		for x := range n {
			occupied := ngal.Data[y*n+x] > 0
			inMask := mask.Data[y*n+(n-1-x)] > 0
			if occupied != inMask {
				if differ < 5 {
					t.Errorf("pixel (%d, %d): occupied %v, mask %v", x, y, occupied, inMask)
				}
				differ++
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d pixels differ from the mask", differ, n*n)
	}
	if c, _ := ngal.Card("CTYPE1"); c.Value != "RA---CAR" {
		t.Errorf("CTYPE1 = %v, want RA---CAR for the radec projection", c.Value)
	}
}

// Interoperability: fitsverify accepts the file with no error and no
// warning, and astropy reads the same values and maps pixels to the same
// sky positions.
func TestOutputPassesFitsverifyAndAstropy(t *testing.T) {
	verify, err := exec.LookPath("fitsverify")
	python := "/usr/bin/python3"
	if err != nil || !hasAstropy(python) {
		if os.Getenv("CI") != "" {
			t.Fatal("fitsverify or astropy is missing; CI must install the Debian packages fitsverify and python3-astropy")
		}
		t.Skip("fitsverify or python3-astropy not installed (Debian packages fitsverify, python3-astropy): skipping")
	}
	dir := t.TempDir()
	for _, proj := range []string{"tan", "radec"} {
		out := filepath.Join(dir, proj+".fits")
		code, _, stderr := runMassmap(t, "ks", "--out", out, "--projection", proj, "--noise-realisations", "2", "--catalog", filepath.Join("..", "..", "testdata", "mock_shear_cat.fits"), "--nx", "50", "--ny", "41", "--pixel-arcmin", "1.3")
		if code != 0 {
			t.Fatalf("exit code %d:\n%s", code, stderr)
		}
		res, err := exec.Command(verify, out).CombinedOutput()
		if err != nil || !strings.Contains(string(res), "0 warning(s) and 0 error(s)") {
			t.Errorf("fitsverify %s: %v\n%s", out, err, res)
		}

		script := `
import sys, numpy as np
from astropy.io import fits
from astropy.wcs import WCS
path = sys.argv[1]
with fits.open(path) as hl:
    for h in hl:
        d = h.data.astype(np.float64)
        w = WCS(h.header)
        ny, nx = d.shape
        xs = np.array([0, nx - 1, 7.25, nx / 2])
        ys = np.array([0, ny - 1, 3.5, ny / 3])
        ra, dec = w.pixel_to_world_values(xs, ys)
        bx, by = w.world_to_pixel_values(ra, dec)
        print(h.name, nx, ny, np.nansum(d).hex(), int(np.isnan(d).sum()), float(np.max(np.abs(bx - xs))), float(np.max(np.abs(by - ys))), " ".join(repr(float(v)) for v in np.concatenate([ra, dec])))
`
		res, err = exec.Command(python, "-c", script, out).CombinedOutput()
		if err != nil {
			t.Fatalf("astropy: %v\n%s", err, res)
		}
		lines := strings.Split(strings.TrimSpace(string(res)), "\n")
		hdus, _ := fits.List(out)
		if len(lines) != len(hdus) {
			t.Fatalf("astropy read %d HDUs, want %d:\n%s", len(lines), len(hdus), res)
		}
		for i, line := range lines {
			f := strings.Fields(line)
			img := readHDU(t, out, f[0])
			sum, nan := 0.0, 0
			for _, v := range img.Data {
				if math.IsNaN(v) {
					nan++
				} else {
					sum += v
				}
			}
			if f[1] != "50" || f[2] != "41" {
				t.Errorf("%s HDU %d: astropy shape %s x %s", proj, i, f[1], f[2])
			}
			// Both sides sum in index order, so exact equality holds
			// only when both read identical values.
			if got := parseHexFloat(t, f[3]); math.Abs(got-sum) > 1e-9*math.Max(1, math.Abs(sum)) {
				t.Errorf("%s HDU %s: astropy sum %v, ours %v", proj, f[0], got, sum)
			}
			if f[4] != itoa(nan) {
				t.Errorf("%s HDU %s: astropy counts %s NaN, we count %d", proj, f[0], f[4], nan)
			}
			for _, rt := range f[5:7] {
				if v := parseFloat(t, rt); v > 1e-9 {
					t.Errorf("%s HDU %s: astropy pixel round trip off by %g pixels", proj, f[0], v)
				}
			}
			g := gridFromHeader(t, img)
			xs := []float64{0, 49, 7.25, 25}
			ys := []float64{0, 40, 3.5, 41.0 / 3}
			for k := range xs {
				ra, dec := g.ToWorld(xs[k], ys[k])
				ara, adec := parseFloat(t, f[7+k]), parseFloat(t, f[11+k])
				dra := math.Mod(math.Abs(ra-ara), 360)
				dra = math.Min(dra, 360-dra)
				if dra > 1e-9 || math.Abs(dec-adec) > 1e-9 {
					t.Errorf("%s HDU %s pixel (%g, %g): astropy (%.12f, %.12f), skymap (%.12f, %.12f)", proj, f[0], xs[k], ys[k], ara, adec, ra, dec)
				}
			}
		}
	}
}

func listHDUNames(path string) ([]string, error) {
	hdus, err := fits.List(path)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, h := range hdus {
		names = append(names, h.Name)
	}
	return names, nil
}

func hasAstropy(python string) bool {
	return exec.Command(python, "-c", "import astropy, numpy").Run() == nil
}

// gridFromHeader rebuilds the grid of a map from its header cards.
func gridFromHeader(t *testing.T, img *fits.ImageHDU) skymap.Grid {
	t.Helper()
	pix, _ := img.Float("PIXSCALE")
	c, _ := img.Card("PROJECT")
	proj, err := skymap.ParseProjection(c.Value.(string))
	if err != nil {
		t.Fatal(err)
	}
	ra, _ := img.Float("CRVAL1")
	dec, _ := img.Float("CRVAL2")
	if proj == skymap.PlateCarree {
		crpix2, _ := img.Float("CRPIX2")
		dec = (float64(img.Axes[1]+1)/2 - crpix2) * pix / 60
	}
	g, err := skymap.NewGrid(img.Axes[0], img.Axes[1], pix, proj, ra, dec)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
