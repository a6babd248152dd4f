package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fits"
)

// A bad input must fail with exit code 1, an error that names the file and
// the problem, and no output file.
func TestBadInputFailsCleanly(t *testing.T) {
	good := t.TempDir()
	goodImage, goodPSF := writeSynthetic(t, good)
	imageBytes, err := os.ReadFile(goodImage)
	if err != nil {
		t.Fatal(err)
	}

	plane := func(nx, ny int, v float64) []float64 {
		d := make([]float64, nx*ny)
		for i := range d {
			d[i] = v
		}
		return d
	}
	nanPSF := plane(4, 4, 1)
	nanPSF[5] = math.NaN()
	negativePSF := plane(4, 4, 1)
	negativePSF[0] = -0.5
	nanImage := plane(30, 20, 1)
	nanImage[45] = math.Inf(1)
	negativeImage := plane(30, 20, 1)
	negativeImage[3], negativeImage[50] = -0.25, -2

	cases := []struct {
		name     string
		method   string
		image    []fits.ImageHDU // nil: the good image
		psf      []fits.ImageHDU // nil: the good PSF
		raw      []byte          // raw bytes of the image file, instead of image
		noFile   string          // "image" or "psf": that file is missing
		args     []string
		messages []string // all must appear in stderr, compared in lower case
	}{
		{
			name:     "PSF summing to zero",
			method:   "wiener",
			psf:      []fits.ImageHDU{{Axes: []int{2, 2}, Data: []float64{1, -1, -1, 1}}},
			messages: []string{"psf.fits", "sums to 0"},
		},
		{
			name:     "PSF with NaN",
			method:   "tikhonov",
			psf:      []fits.ImageHDU{{Axes: []int{4, 4}, Data: nanPSF}},
			messages: []string{"psf.fits", "1 pixels are nan or inf", "(1, 1)"},
		},
		{
			name:     "PSF larger than image",
			method:   "rl",
			image:    []fits.ImageHDU{{Axes: []int{30, 20}, Data: plane(30, 20, 1)}},
			psf:      []fits.ImageHDU{{Axes: []int{32, 8}, Data: plane(32, 8, 1)}},
			messages: []string{"psf.fits", "32 x 8", "larger than the 30 x 20 image"},
		},
		{
			name:     "negative PSF for RL",
			method:   "rl",
			psf:      []fits.ImageHDU{{Axes: []int{4, 4}, Data: negativePSF}},
			messages: []string{"psf.fits", "1 negative pixels", "non-negative psf"},
		},
		{
			name:     "image HDU not 2-D",
			method:   "wiener",
			image:    []fits.ImageHDU{{Axes: []int{30, 20, 3}, Data: plane(30, 60, 1)}},
			messages: []string{"image.fits", "3 axes", "30 x 20 x 3", "--image-hdu"},
		},
		{
			name:     "image HDU without data",
			method:   "wiener",
			image:    []fits.ImageHDU{{}, {Axes: []int{30, 20}, Data: plane(30, 20, 1)}},
			args:     []string{"--image-hdu", "0"},
			messages: []string{"image.fits", "hdu 0", "no pixels"},
		},
		{
			name:     "image HDU not found",
			method:   "wiener",
			image:    []fits.ImageHDU{{Axes: []int{30, 20}, Data: plane(30, 20, 1)}},
			args:     []string{"--image-hdu", "SCI"},
			messages: []string{"image.fits", "no hdu has extname 'sci'"},
		},
		{
			name:     "image with Inf",
			method:   "tikhonov",
			image:    []fits.ImageHDU{{Axes: []int{30, 20}, Data: nanImage}},
			messages: []string{"image.fits", "1 pixels are nan or inf", "(15, 1)"},
		},
		{
			name:     "negative data for RL",
			method:   "rl",
			image:    []fits.ImageHDU{{Axes: []int{30, 20}, Data: negativeImage}},
			messages: []string{"image.fits", "2 pixels stay negative", "--offset 2", "or more"},
		},
		{
			name:     "missing image",
			method:   "rl",
			noFile:   "image",
			messages: []string{"image.fits", "no such file"},
		},
		{
			name:     "missing PSF",
			method:   "wiener",
			noFile:   "psf",
			messages: []string{"psf.fits", "no such file"},
		},
		{
			name:     "truncated image",
			method:   "tikhonov",
			raw:      imageBytes[:len(imageBytes)-4000],
			messages: []string{"image.fits", "truncated"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			image := filepath.Join(dir, "image.fits")
			psf := filepath.Join(dir, "psf.fits")
			switch {
			case c.raw != nil:
				if err := os.WriteFile(image, c.raw, 0o644); err != nil {
					t.Fatal(err)
				}
			case c.image != nil:
				writeFITS(t, image, c.image...)
			case c.noFile != "image":
				image = goodImage
			}
			switch {
			case c.psf != nil:
				writeFITS(t, psf, c.psf...)
			case c.noFile != "psf":
				psf = goodPSF
			}
			before := listDir(t, dir)

			out := filepath.Join(dir, "out.fits")
			args := append([]string{c.method, "--image", image, "--psf", psf, "--out", out, "--png", filepath.Join(dir, "out.png")}, c.args...)
			code, _, stderr := runDeconv(t, args...)
			if code != 1 {
				t.Errorf("exit code %d, want 1; stderr:\n%s", code, stderr)
			}
			low := strings.ToLower(stderr)
			for _, m := range c.messages {
				if !strings.Contains(low, strings.ToLower(m)) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr)
				}
			}
			if got := listDir(t, dir); len(got) != len(before) {
				t.Errorf("directory holds %v after the failure, want %v", got, before)
			}
		})
	}
}

func TestExistingOutputNeedsForce(t *testing.T) {
	dir := t.TempDir()
	image, psf := writeSynthetic(t, dir)
	out := filepath.Join(dir, "x.fits")
	old := []byte("an earlier result")
	if err := os.WriteFile(out, old, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runDeconv(t, "wiener", "--image", image, "--psf", psf, "--out", out)
	if code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, out) || !strings.Contains(stderr, "--force") {
		t.Errorf("stderr does not name the file and --force:\n%s", stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != string(old) {
		t.Errorf("the existing output was changed")
	}
	if got := listDir(t, dir); len(got) != 3 {
		t.Errorf("directory holds %v, want the image, the PSF and the old output", got)
	}

	code, _, stderr = runDeconv(t, "wiener", "--image", image, "--psf", psf, "--out", out, "--force")
	if code != 0 {
		t.Fatalf("with --force: exit code %d:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "SIMPLE  =") {
		t.Errorf("with --force the output was not replaced by a FITS file")
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	image, psf := writeSynthetic(t, dir)
	out := filepath.Join(dir, "x.fits")
	in := []string{"--image", image, "--psf", psf, "--out", out}
	with := func(method string, extra ...string) []string {
		return append(append([]string{method}, in...), extra...)
	}
	cases := []struct {
		args    []string
		message string
	}{
		{[]string{}, "Usage"},
		{[]string{"nosuch"}, `unknown command "nosuch"`},
		{[]string{"sparse", "--psf", psf, "--out", out}, "missing --image"},
		{with("sparse", "--k", "0"), "invalid --k 0"},
		{[]string{"rl", "--psf", psf, "--out", out}, "missing --image"},
		{[]string{"rl", "--image", image, "--out", out}, "missing --psf"},
		{[]string{"rl", "--image", image, "--psf", psf}, "missing --out"},
		{with("rl", "--nosuch"), "unknown flag --nosuch"},
		{with("rl", "extra"), `unexpected argument "extra"`},
		{with("wiener", "--noise-var", "-1"), "invalid --noise-var -1"},
		{with("wiener", "--noise-var", "0"), "invalid --noise-var 0"},
		{with("tikhonov", "--noise-var", "NaN"), "invalid --noise-var NaN"},
		{with("rl", "--iterations", "0"), "invalid --iterations 0"},
		{with("tikhonov", "--iterations", "-3"), "invalid --iterations -3"},
		{with("rl", "--tol", "0"), "invalid --tol 0"},
		{with("rl", "--boundary", "reflect"), `invalid --boundary "reflect"`},
		{with("rl", "--offset", "-1"), "invalid --offset -1"},
		{with("tikhonov", "--lambda", "-0.5"), "invalid --lambda -0.5"},
		{with("wiener", "--signal-var", "0"), "invalid --signal-var 0"},
		{with("wiener", "--lambda", "1"), "unknown flag --lambda"},
		{with("rl", "--png", out), "--png and --out name the same file"},
	}
	for _, c := range cases {
		code, _, stderr := runDeconv(t, c.args...)
		if code != 2 {
			t.Errorf("deconv %s: exit code %d, want 2; stderr:\n%s", strings.Join(c.args, " "), code, stderr)
		}
		if !strings.Contains(stderr, c.message) {
			t.Errorf("deconv %s: stderr lacks %q:\n%s", strings.Join(c.args, " "), c.message, stderr)
		}
	}
	if got := listDir(t, dir); len(got) != 2 {
		t.Errorf("usage errors left %v, want only the image and the PSF", got)
	}
}

func TestHelpGoesToStdout(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"wiener", "--help"}, {"tikhonov", "-h"}, {"rl", "--help"}, {"sparse", "--help"}} {
		code, stdout, _ := runDeconv(t, args...)
		if code != 0 || !strings.Contains(stdout, "Usage") {
			t.Errorf("deconv %s: exit code %d, stdout:\n%s", strings.Join(args, " "), code, stdout)
		}
	}
	flags := map[string][]string{
		"wiener":   {"--signal-var"},
		"tikhonov": {"--lambda", "--iterations", "--tol", "--boundary"},
		"rl":       {"--iterations", "--tol", "--boundary", "--offset"},
	}
	for method, own := range flags {
		_, stdout, _ := runDeconv(t, method, "--help")
		for _, flag := range append([]string{"--image", "--image-hdu", "--psf", "--psf-hdu", "--noise-var", "--out", "--png", "--force"}, own...) {
			if !strings.Contains(stdout, flag+" ") && !strings.Contains(stdout, flag+"\n") {
				t.Errorf("%s --help does not document %s", method, flag)
			}
		}
	}
	code, stdout, _ := runDeconv(t, "version")
	if code != 0 || !strings.Contains(stdout, "deconv 0.") {
		t.Errorf("version: exit code %d, stdout %q", code, stdout)
	}
}
