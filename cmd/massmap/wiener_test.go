package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWienerRecoversMockHalos(t *testing.T) {
	const minR = 0.7
	truth := readHDU(t, filepath.Join("..", "..", "testdata", "mock_kappa_truth.fits"), "")
	ra, _ := truth.Float("CRVAL1")
	dec, _ := truth.Float("CRVAL2")
	dir := t.TempDir()
	out := filepath.Join(dir, "wf.fits")
	code, _, stderr := runMassmap(t, "wiener", "--out", out, "--npix", "60", "--pixel-arcmin", "1",
		"--center", strconvFormat(ra)+","+strconvFormat(dec), "--samples", "6", "--seed", "2")
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	for _, want := range []string{"prior: theory", "Wiener filter (cg):", "posterior: 6 samples"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	names, err := listHDUNames(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(names, ","), "KAPPA_E,NGAL,WEIGHT,SHEAR_STD,KAPPA_STD,SNR"; got != want {
		t.Errorf("HDUs %s, want %s", got, want)
	}
	kE, ngal, std := readHDU(t, out, "KAPPA_E"), readHDU(t, out, "NGAL"), readHDU(t, out, "KAPPA_STD")
	var a, b []float64
	for i := range kE.Data {
		if ngal.Data[i] > 0 {
			a = append(a, kE.Data[i])
			b = append(b, truth.Data[i])
		}
		if !(std.Data[i] > 0) {
			t.Fatalf("pixel %d: KAPPA_STD = %g, want > 0", i, std.Data[i])
		}
	}
	r := pearson(a, b)
	t.Logf("Pearson r against the true convergence: %.3f", r)
	if !(r >= minR) {
		t.Errorf("Pearson r = %.3f, want >= %.2f", r, minR)
	}
	if c, ok := kE.Card("PRIORPS"); !ok || c.Value != "theory" {
		t.Errorf("PRIORPS card = %v", c.Value)
	}
	if c, ok := kE.Card("PIXWIN"); !ok || c.Value != true {
		t.Errorf("PIXWIN card = %v, want true (the default)", c.Value)
	}
}

func TestWienerMessengerMatchesCG(t *testing.T) {
	dir := t.TempDir()
	run := func(method string) []float64 {
		out := filepath.Join(dir, method+".fits")
		code, _, stderr := runMassmap(t, "wiener", "--out", out, "--pixel-arcmin", "2", "--method", method, "--tol", "1e-9", "--max-iter", "20000")
		if code != 0 {
			t.Fatalf("%s: exit code %d:\n%s", method, code, stderr)
		}
		return readHDU(t, out, "KAPPA_E").Data
	}
	cg, mf := run("cg"), run("messenger")
	var d2, c2 float64
	for i := range cg {
		d2 += (cg[i] - mf[i]) * (cg[i] - mf[i])
		c2 += cg[i] * cg[i]
	}
	if rel := math.Sqrt(d2 / c2); rel > 1e-4 {
		t.Errorf("messenger and CG maps differ by %.3g of the map rms", rel)
	}
}

func TestWienerBadPowerSpectrum(t *testing.T) {
	cases := map[string]string{
		"decreasing ell": "# ell C_ell\n10 1e-8\n5 1e-9\n",
		"negative power": "10 1e-8\n20 -1e-9\n",
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ps := filepath.Join(dir, "ps.txt")
			os.WriteFile(ps, []byte(content), 0o644)
			out := filepath.Join(dir, "wf.fits")
			code, _, stderr := runMassmap(t, "wiener", "--out", out, "--ps", ps)
			if code != 1 || !strings.Contains(stderr, ps) {
				t.Errorf("exit code %d, stderr:\n%s", code, stderr)
			}
			if got := listDir(t, dir); len(got) != 1 {
				t.Errorf("directory holds %v after the failure", got)
			}
		})
	}
}

func TestSparseRecoversMockHalos(t *testing.T) {
	const minR = 0.7
	truth := readHDU(t, filepath.Join("..", "..", "testdata", "mock_kappa_truth.fits"), "")
	ra, _ := truth.Float("CRVAL1")
	dec, _ := truth.Float("CRVAL2")
	out := filepath.Join(t.TempDir(), "sp.fits")
	code, _, stderr := runMassmap(t, "sparse", "--out", out, "--npix", "60", "--pixel-arcmin", "1",
		"--center", strconvFormat(ra)+","+strconvFormat(dec))
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	kE, ngal := readHDU(t, out, "KAPPA_E"), readHDU(t, out, "NGAL")
	var a, b []float64
	for i := range kE.Data {
		if ngal.Data[i] > 0 {
			a = append(a, kE.Data[i])
			b = append(b, truth.Data[i])
		}
	}
	r := pearson(a, b)
	t.Logf("Pearson r against the true convergence: %.3f", r)
	if !(r >= minR) {
		t.Errorf("Pearson r = %.3f, want >= %.2f", r, minR)
	}
}

func TestWienerWithRedshiftDistribution(t *testing.T) {
	dir := t.TempDir()
	nz := filepath.Join(dir, "nz.txt")
	os.WriteFile(nz, []byte("# z n(z)\n0 0\n0.5 1\n1 2\n1.5 1\n2 0\n"), 0o644)
	out := filepath.Join(dir, "wf.fits")
	code, _, stderr := runMassmap(t, "wiener", "--out", out, "--pixel-arcmin", "2", "--nz", nz)
	if code != 0 || !strings.Contains(stderr, "n(z) from "+nz+" (5 nodes)") {
		t.Fatalf("exit code %d, stderr:\n%s", code, stderr)
	}
	if c, _ := readHDU(t, out, "KAPPA_E").Card("NZFILE"); c.Value != nz {
		t.Errorf("NZFILE = %v", c.Value)
	}

	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("0 0\n0.5 -1\n"), 0o644)
	out2 := filepath.Join(dir, "wf2.fits")
	code, _, stderr = runMassmap(t, "wiener", "--out", out2, "--nz", bad)
	if code != 1 || !strings.Contains(stderr, bad) {
		t.Errorf("negative n(z): exit code %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Error("a failed run wrote its output")
	}
}
