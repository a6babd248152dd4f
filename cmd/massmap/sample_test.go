package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSampleGaussianPrior samples the mock catalogue with the Gaussian
// prior and checks the file: the HDUs, the cube of samples against the
// mean, standard deviation and quantile maps, and reproducibility.
func TestSampleGaussianPrior(t *testing.T) {
	dir := t.TempDir()
	run := func(name string) string {
		out := filepath.Join(dir, name)
		code, _, stderr := runMassmap(t, "sample", "--model", "gaussian", "--out", out, "--pixel-arcmin", "3", "--nsamples", "8", "--chains", "2",
			"--final-steps", "600", "--levels", "4", "--steps", "10", "--seed", "5")
		if code != 0 {
			t.Fatalf("exit code %d:\n%s", code, stderr)
		}
		for _, want := range []string{"prior: Gaussian", "level 4/4", "8 samples in"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("summary lacks %q:\n%s", want, stderr)
			}
		}
		return out
	}
	out := run("a.fits")
	names, err := listHDUNames(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(names, ","), "KAPPA_MEAN,KAPPA_STD,KAPPA_Q16,KAPPA_Q84,RHAT,SAMPLES,NGAL,WEIGHT,SHEAR_STD"; got != want {
		t.Errorf("HDUs %s, want %s", got, want)
	}
	cube := readHDU(t, out, "SAMPLES")
	mean, std := readHDU(t, out, "KAPPA_MEAN"), readHDU(t, out, "KAPPA_STD")
	q16, q84, rhat := readHDU(t, out, "KAPPA_Q16"), readHDU(t, out, "KAPPA_Q84"), readHDU(t, out, "RHAT")
	ngal := readHDU(t, out, "NGAL")
	if len(cube.Axes) != 3 || cube.Axes[2] != 8 || cube.Axes[0] != mean.Axes[0] || cube.Axes[1] != mean.Axes[1] {
		t.Fatalf("SAMPLES axes %v, want the map's and 8 planes", cube.Axes)
	}
	// KAPPA_MEAN and KAPPA_STD average the 300 states after the burn-in of
	// each chain, the cube holds 4 of them per chain: the cube's mean must
	// lie within 4 standard errors of KAPPA_MEAN, and its spread must match
	// KAPPA_STD.
	if c, ok := mean.Card("NSTATES"); !ok || fmt.Sprint(c.Value) != "300" {
		t.Errorf("NSTATES = %v, want 300 (600 final steps, burn-in 300)", c.Value)
	}
	n := mean.Axes[0] * mean.Axes[1]
	var cubeVar, stdVar float64
	far := 0
	var observed []float64
	for i := range n {
		var s, ss float64
		v := make([]float64, 8)
		for k := range 8 {
			v[k] = cube.Data[k*n+i]
			s += v[k]
		}
		m := s / 8
		for _, x := range v {
			ss += (x - m) * (x - m)
		}
		cubeVar += ss / 7
		stdVar += std.Data[i] * std.Data[i]
		if !(std.Data[i] > 0) {
			t.Fatalf("pixel %d: KAPPA_STD %v", i, std.Data[i])
		}
		if math.Abs(m-mean.Data[i]) > 4*std.Data[i]/math.Sqrt(8) {
			far++
		}
		slices.Sort(v)
		if !(q16.Data[i] >= v[0] && q16.Data[i] <= q84.Data[i] && q84.Data[i] <= v[7]) {
			t.Fatalf("pixel %d: quantiles %g, %g outside the samples' range or out of order", i, q16.Data[i], q84.Data[i])
		}
		// Outside the data the chains mix slowly: R-hat is checked only
		// where there are galaxies.
		if !(rhat.Data[i] > 0) {
			t.Fatalf("pixel %d: R-hat %v", i, rhat.Data[i])
		}
		if ngal.Data[i] > 0 {
			observed = append(observed, rhat.Data[i])
		}
	}
	// Two chains of 300 states, about 40 steps apart when independent:
	// R-hat scatters about 1 by some 10%.
	slices.Sort(observed)
	if med := observed[len(observed)/2]; !(med < 1.2) {
		t.Errorf("median R-hat over the pixels with galaxies %.3f, want below 1.2", med)
	}
	if far > n/100 {
		t.Errorf("the cube's mean is more than 4 standard errors from KAPPA_MEAN in %d of %d pixels", far, n)
	}
	if r := cubeVar / stdVar; r < 0.8 || r > 1.25 {
		t.Errorf("map-averaged variance of the cube / KAPPA_STD² = %.3f, want 0.8 to 1.25", r)
	}
	if c, ok := cube.Card("CTYPE3"); !ok || c.Value != "SAMPLE" {
		t.Errorf("CTYPE3 = %v, want SAMPLE", c.Value)
	}

	// The same seed gives the same samples.
	again := readHDU(t, run("b.fits"), "SAMPLES")
	if !slices.Equal(again.Data, cube.Data) {
		t.Error("a second run with the same seed gave other samples")
	}

	// Readers outside the toolkit.
	verify, err := exec.LookPath("fitsverify")
	if err != nil || !hasAstropy("/usr/bin/python3") {
		if os.Getenv("CI") != "" {
			t.Fatal("fitsverify or astropy is missing; CI must install the Debian packages fitsverify and python3-astropy")
		}
		t.Skip("fitsverify or python3-astropy not installed: skipping the interoperability part")
	}
	res, err := exec.Command(verify, out).CombinedOutput()
	if err != nil || !strings.Contains(string(res), "0 warning(s) and 0 error(s)") {
		t.Errorf("fitsverify %s: %v\n%s", out, err, res)
	}
	script := `
import sys
from astropy.io import fits
from astropy.wcs import WCS
with fits.open(sys.argv[1]) as hl:
    h = hl["SAMPLES"]
    w = WCS(h.header)
    print(h.data.shape, w.naxis, w.wcs.ctype[2], repr(float(h.data[3].sum())))
`
	res, err = exec.Command("/usr/bin/python3", "-c", script, out).CombinedOutput()
	if err != nil {
		t.Fatalf("astropy: %v\n%s", err, res)
	}
	var plane3 float64
	for _, v := range cube.Data[3*n : 4*n] {
		plane3 += v
	}
	f := strings.Fields(strings.TrimSpace(string(res)))
	want := []string{"(8,", itoa(mean.Axes[1]) + ",", itoa(mean.Axes[0]) + ")", "3", "SAMPLE"}
	if len(f) != 6 || !slices.Equal(f[:5], want) {
		t.Fatalf("astropy read %q, want shape (8, %d, %d), 3 WCS axes, SAMPLE", res, mean.Axes[1], mean.Axes[0])
	}
	if got := parseFloat(t, f[5]); math.Abs(got-plane3) > 1e-9*math.Max(1, math.Abs(plane3)) {
		t.Errorf("astropy's sum of plane 4 is %g, ours %g", got, plane3)
	}
}

func TestSampleBadFlags(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]string{
		"zero samples":         {"--nsamples", "0"},
		"quantile above one":   {"--quantiles", "0.5,1.5"},
		"states do not fit":    {"--nsamples", "40", "--chains", "2", "--final-steps", "50", "--thin", "10"},
		"burn-in too long":     {"--final-steps", "50", "--burn-in", "50"},
		"preconditioner":       {"--precondition", "identity"},
		"inverted noise range": {"--sigma-max", "0.001", "--sigma-min", "0.01"},
		"missing model":        {"--model", filepath.Join(dir, "none.skyunet")},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, "out.fits")
			code, _, stderr := runMassmap(t, append([]string{"sample", "--model", "gaussian", "--out", out, "--pixel-arcmin", "3"}, args...)...)
			if code == 0 {
				t.Errorf("exit code 0:\n%s", stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("an output file was written")
			}
		})
	}
}

// TestSamplePixelWindowNeedsGaussianPrior: a score model carries its own
// pixel window, so --pixel-window with a model is refused.
func TestSamplePixelWindowNeedsGaussianPrior(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.fits")
	code, _, stderr := runMassmap(t, "sample", "--model", "default", "--pixel-window=false", "--out", out)
	if code == 0 || !strings.Contains(stderr, "--pixel-window applies to --model gaussian") {
		t.Errorf("exit code %d, want an error naming --pixel-window:\n%s", code, stderr)
	}
}

// TestSampleRecordsPixelWindow trains a tiny score model without the pixel
// window and samples with it: the header's PIXWIN card and the log give the
// model's setting, not the flag's default. The Gaussian prior's run records
// the default, true.
func TestSampleRecordsPixelWindow(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.skyunet")
	code, _, stderr := runMassmap(t, "train-score", "--out", model, "--pixel-arcmin", "3", "--size", "32", "--depth", "2", "--channels", "4",
		"--steps", "2", "--batch", "2", "--validate-every", "2", "--val-batches", "1", "--pixel-window=false")
	if code != 0 {
		t.Fatalf("train-score: exit code %d:\n%s", code, stderr)
	}
	for _, c := range []struct {
		model, log string
		want       bool
	}{
		{model, "trained without the pixel window", false},
		{"gaussian", "times the square-pixel window", true},
	} {
		out := filepath.Join(dir, filepath.Base(c.model)+".fits")
		code, _, stderr := runMassmap(t, "sample", "--model", c.model, "--out", out, "--pixel-arcmin", "3", "--nsamples", "2", "--chains", "2",
			"--levels", "2", "--steps", "2", "--final-steps", "4", "--burn-in", "2")
		if code != 0 {
			t.Fatalf("sample --model %s: exit code %d:\n%s", c.model, code, stderr)
		}
		if !strings.Contains(stderr, c.log) {
			t.Errorf("sample --model %s: the log lacks %q:\n%s", c.model, c.log, stderr)
		}
		if card, ok := readHDU(t, out, "KAPPA_MEAN").Card("PIXWIN"); !ok || card.Value != c.want {
			t.Errorf("sample --model %s: PIXWIN = %v (present %t), want %t", c.model, card.Value, ok, c.want)
		}
	}
}

// TestSampleBadData checks the data errors: a grid that does not hold the
// catalogue, and pixels with galaxies but no shape noise.
func TestSampleBadData(t *testing.T) {
	dir := t.TempDir()
	same := filepath.Join(dir, "same.txt")
	if err := os.WriteFile(same, []byte("ra dec e1 e2\n10 0 0.1 0.1\n10.01 0.01 0.1 0.1\n10.02 0 0.1 0.1\n10 0.02 0.1 0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"footprint outside the grid", []string{"--npix", "8", "--pixel-arcmin", "3"}, []string{"mock", "fall outside the 8 x 8 grid"}},
		{"zero noise", []string{"--catalog", same, "--pixel-arcmin", "3"}, []string{same, "SHEAR_STD is 0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, "out.fits")
			code, _, stderr := runMassmap(t, append([]string{"sample", "--model", "gaussian", "--out", out}, c.args...)...)
			if code != 1 {
				t.Errorf("exit code %d, want 1:\n%s", code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("error lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("an output file was written")
			}
		})
	}
}

// TestSampleMatchesWienerFilter samples the mock catalogue with the
// Gaussian prior and the default settings, and compares with massmap wiener
// and its posterior samples for the same prior. Under a Gaussian prior the
// posterior mean is the Wiener filter, and the Wiener samples give the std.
func TestSampleMatchesWienerFilter(t *testing.T) {
	dir := t.TempDir()
	sampled, wiener := filepath.Join(dir, "s.fits"), filepath.Join(dir, "w.fits")
	if code, _, stderr := runMassmap(t, "sample", "--out", sampled); code != 0 {
		t.Fatalf("sample: exit code %d:\n%s", code, stderr)
	}
	if code, _, stderr := runMassmap(t, "wiener", "--out", wiener, "--samples", "64"); code != 0 {
		t.Fatalf("wiener: exit code %d:\n%s", code, stderr)
	}
	mean, std, ngal := readHDU(t, sampled, "KAPPA_MEAN").Data, readHDU(t, sampled, "KAPPA_STD").Data, readHDU(t, sampled, "NGAL").Data
	wf, wstd := readHDU(t, wiener, "KAPPA_E").Data, readHDU(t, wiener, "KAPPA_STD").Data

	// Over the pixels with galaxies: the correlation of the means, and the
	// medians of the two standard deviations.
	var a, b, sa, sw []float64
	for i, n := range ngal {
		if n > 0 {
			a, b = append(a, mean[i]), append(b, wf[i])
			sa, sw = append(sa, std[i]), append(sw, wstd[i])
		}
	}
	r := pearson(a, b)
	slices.Sort(sa)
	slices.Sort(sw)
	ratio := sa[len(sa)/2] / sw[len(sw)/2]
	t.Logf("%d pixels: correlation of KAPPA_MEAN with the Wiener filter %.4f; median KAPPA_STD %.5f, Wiener samples' %.5f (ratio %.3f)", len(a), r, sa[len(sa)/2], sw[len(sw)/2], ratio)
	if r < 0.99 {
		t.Errorf("KAPPA_MEAN correlates with the Wiener filter at %.4f, want at least 0.99", r)
	}
	if math.Abs(ratio-1) > 0.05 {
		t.Errorf("median KAPPA_STD / the Wiener samples' = %.3f, want within 5%% of 1", ratio)
	}
}

// TestTrainScoreBadFlags: train-score rejects invalid training settings
// with exit code 2, a message naming the flag, and no model file.
func TestTrainScoreBadFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.skyunet")
	for _, args := range [][]string{{"--size", "60"}, {"--lr", "0"}, {"--sigma-min", "0.5"}} {
		code, _, stderr := runMassmap(t, append([]string{"train-score", "--out", out}, args...)...)
		if code != 2 || !strings.Contains(stderr, args[0]) {
			t.Errorf("train-score %s: exit code %d, want 2 and a message naming %s:\n%s", strings.Join(args, " "), code, args[0], stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("train-score %s wrote a model", strings.Join(args, " "))
		}
	}
}
