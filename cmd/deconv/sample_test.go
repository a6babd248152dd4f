package main

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/deepmass"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/galaxies"
	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/score"
	"github.com/skyinv/skyinv/scoreprior"
)

// hstPSF returns the PSF of the first AEGIS stamp, normalised to unit sum,
// or skips the test.
func hstPSF(t *testing.T) (psf []float64, kx, ky int) {
	t.Helper()
	_, _, path, hdu := hstFiles(t)
	p := readHDU(t, path, hdu)
	psf = slices.Clone(p.Data)
	var s float64
	for _, v := range psf {
		s += v
	}
	for i := range psf {
		psf[i] /= s
	}
	return psf, p.Axes[0], p.Axes[1]
}

// simulatedStamp is a simulated galaxy, its image through a PSF with
// noise, and the files of both.
type simulatedStamp struct {
	nx, ny      int
	truth, data []float64
	image, psf  string
}

// Noise of the simulated stamp: the standard deviation of the AEGIS
// F814W stamps' noise, whose catalogue variances are 5.8e-6 to 7.0e-6.
const stampSigma = 0.0026

// simulateStamp draws a main galaxy of magnitude 22.5 to 23.5 without
// neighbours from the random stream (2026, 0). No training scene uses that
// stream, because training draws from streams of seeds 1 and 2. It blurs
// the galaxy with the HST PSF, adds white noise of stampSigma, and writes
// the image and the PSF into dir.
func simulateStamp(t *testing.T, dir string, n int) simulatedStamp {
	t.Helper()
	psf, kx, ky := hstPSF(t)
	s := simulatedStamp{nx: n, ny: n, truth: make([]float64, n*n), data: make([]float64, n*n)}
	pop := galaxies.Population{MagMin: 22.5, MagMax: 23.5, Neighbours: -1}
	gals, err := pop.Scene(s.truth, n, n, rand.New(rand.NewPCG(2026, 0)))
	if err != nil {
		t.Fatal(err)
	}
	g := gals[0]
	t.Logf("test galaxy: magnitude %.2f, bulge-to-total %.2f, disc r_e %.1f pixels, %d clumps", g.Magnitude, g.BulgeToTotal, g.Disc.HalfLight, len(g.Clumps))

	a, err := operators.NewConvolution(n, n, psf, kx, ky, operators.ZeroPad)
	if err != nil {
		t.Fatal(err)
	}
	a.Apply(s.data, s.truth)
	rng := rand.New(rand.NewPCG(2026, 1))
	for i := range s.data {
		s.data[i] += stampSigma * rng.NormFloat64()
	}
	s.image, s.psf = filepath.Join(dir, "stamp.fits"), filepath.Join(dir, "psf.fits")
	writeFITS(t, s.image, fits.ImageHDU{Axes: []int{n, n}, Data: s.data, Bitpix: -32})
	writeFITS(t, s.psf, fits.ImageHDU{Axes: []int{kx, ky}, Data: psf})
	return s
}

func rmse(x, truth []float64) float64 {
	var s float64
	for i, v := range x {
		d := v - truth[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(x)))
}

// On a simulated galaxy blurred by a real HST PSF, the posterior mean of 4
// chains is closer to the truth than the Wiener deconvolution and the
// data, and the posterior standard deviation covers the truth. Over the
// sampler seeds 1 to 5, when written, the RMSE was 0.64 to 0.80 times the
// Wiener filter's and 0.52 to 0.64 times the data's, and the truth lay
// within 2 std in 98.1% to 99.5% of all pixels and 94.7% to 98.5% of the
// galaxy's: the tolerances leave room for that spread.
func TestSampleBeatsWienerOnSimulatedGalaxy(t *testing.T) {
	dir := t.TempDir()
	s := simulateStamp(t, dir, 48)
	noiseVar := "6.76e-06" // stampSigma²
	out, wiener := filepath.Join(dir, "sample.fits"), filepath.Join(dir, "wiener.fits")
	code, _, stderr := runDeconv(t, "sample", "--image", s.image, "--psf", s.psf, "--noise-var", noiseVar,
		"--chains", "4", "--nsamples", "8", "--seed", "3", "--out", out)
	if code != 0 {
		t.Fatalf("sample: exit code %d, stderr:\n%s", code, stderr)
	}
	t.Log(lastLines(stderr, 4))
	if code, _, stderr := runDeconv(t, "wiener", "--image", s.image, "--psf", s.psf, "--noise-var", noiseVar, "--out", wiener); code != 0 {
		t.Fatalf("wiener: exit code %d, stderr:\n%s", code, stderr)
	}

	mean, std := readHDU(t, out, "MEAN").Data, readHDU(t, out, "STD").Data
	eMean, eWiener, eData := rmse(mean, s.truth), rmse(readHDU(t, wiener, "0").Data, s.truth), rmse(s.data, s.truth)
	t.Logf("RMSE against the truth: posterior mean %.5f, Wiener %.5f, data %.5f", eMean, eWiener, eData)
	if !(eMean < 0.9*eWiener) {
		t.Errorf("posterior mean RMSE %.5f, want below 0.9 times the Wiener filter's %.5f", eMean, eWiener)
	}
	if !(eMean < 0.75*eData) {
		t.Errorf("posterior mean RMSE %.5f, want below 0.75 times the data's %.5f", eMean, eData)
	}

	// Coverage: over all pixels, and over the galaxy's (truth above the
	// noise), where the truth is far from zero.
	var in2, galaxy, galaxyIn2 int
	for i, v := range s.truth {
		inside := math.Abs(v-mean[i]) <= 2*std[i]
		if inside {
			in2++
		}
		if v > stampSigma {
			galaxy++
			if inside {
				galaxyIn2++
			}
		}
	}
	all, gal := float64(in2)/float64(len(mean)), float64(galaxyIn2)/float64(galaxy)
	t.Logf("truth within 2 posterior std: %.1f%% of all pixels, %.1f%% of the %d galaxy pixels", 100*all, 100*gal, galaxy)
	if all < 0.95 {
		t.Errorf("truth within 2 std in %.1f%% of all pixels, want at least 95%%", 100*all)
	}
	if gal < 0.85 {
		t.Errorf("truth within 2 std in %.1f%% of the galaxy pixels, want at least 85%%", 100*gal)
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// sampleArgs are the arguments of a short run, for tests of the command
// rather than of the posterior.
var sampleArgs = []string{"--chains", "2", "--nsamples", "8", "--levels", "8", "--steps", "8", "--final-steps", "16", "--thin", "4"}

// On a real HST stamp the command writes every output with the input's
// shape, the provenance cards and a PNG, and the seed reproduces the run.
func TestSampleOnHSTStamp(t *testing.T) {
	image, imageHDU, psf, psfHDU := hstFiles(t)
	input := readHDU(t, image, imageHDU)
	nx, ny := input.Axes[0], input.Axes[1]
	dir := t.TempDir()
	out, png := filepath.Join(dir, "post.fits"), filepath.Join(dir, "post.png")
	args := append([]string{"sample", "--image", image, "--image-hdu", imageHDU, "--psf", psf, "--psf-hdu", psfHDU, "--seed", "5"}, sampleArgs...)
	code, _, stderr := runDeconv(t, append(args, "--out", out, "--png", png)...)
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"has no WCS", "grid: 96 x 72 pixels", "level 1/8", "level 8/8", "8 samples in", "wrote " + out + " (MEAN, STD, Q16, Q84, RHAT, SAMPLES)", "wrote " + png} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	// The images and the cube.
	for _, name := range []string{"MEAN", "STD", "Q16", "Q84", "RHAT"} {
		h := readHDU(t, out, name)
		if len(h.Axes) != 2 || h.Axes[0] != nx || h.Axes[1] != ny {
			t.Errorf("%s: axes %v, want [%d %d]", name, h.Axes, nx, ny)
		}
	}
	cube := readHDU(t, out, "SAMPLES")
	if len(cube.Axes) != 3 || cube.Axes[0] != nx || cube.Axes[1] != ny || cube.Axes[2] != 8 {
		t.Errorf("SAMPLES: axes %v, want [%d %d 8]", cube.Axes, nx, ny)
	}
	mean, std := readHDU(t, out, "MEAN"), readHDU(t, out, "STD")
	q16, q84 := readHDU(t, out, "Q16"), readHDU(t, out, "Q84")
	for i := range mean.Data {
		if math.IsNaN(mean.Data[i]) || !(std.Data[i] >= 0) || !(q16.Data[i] <= q84.Data[i]) {
			t.Fatalf("pixel %d: mean %v, std %v, quantiles %v to %v", i, mean.Data[i], std.Data[i], q16.Data[i], q84.Data[i])
		}
	}
	// Even a short run fits the data to their noise: the normalised
	// residual at the last level is near 1 (0.997 when written).
	if r, _ := mean.Float("RESIDUAL"); !(r > 0.8 && r < 1.2) {
		t.Errorf("normalised residual %v at the last level, want 0.8 to 1.2", r)
	}

	// Provenance.
	for key, value := range map[string]any{"PROGRAM": "deconv sample", "IMAGE": image, "PSF": psf, "NSAMPLES": 8, "NCHAINS": 2, "SEED": 5, "PIXSCALE": 0.03, "GRIDNX": 96, "GRIDNY": 72} {
		if c, ok := mean.Card(key); !ok || c.Value != value {
			t.Errorf("card %s = %v, want %v", key, c.Value, value)
		}
	}
	for _, key := range []string{"MODEL", "NOISEVAR", "SIGMAMAX", "SIGMAMIN", "STEPSIZE", "RESIDUAL", "BURNIN", "NSTATES", "ZEROPT", "DATE", "VERSION"} {
		if _, ok := mean.Card(key); !ok {
			t.Errorf("MEAN lacks card %s", key)
		}
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("PNG panel missing or tiny: %v", err)
	}

	// The seed reproduces the run; an existing output needs --force.
	again := filepath.Join(dir, "again.fits")
	if code, _, stderr := runDeconv(t, append(args, "--out", again)...); code != 0 {
		t.Fatalf("second run: exit code %d, stderr:\n%s", code, stderr)
	}
	if !slices.Equal(readHDU(t, again, "SAMPLES").Data, cube.Data) {
		t.Error("two runs with one seed gave different samples")
	}
	before, _ := os.ReadFile(out)
	code, _, stderr = runDeconv(t, append(args, "--out", out)...)
	if code != 1 || !strings.Contains(stderr, out) || !strings.Contains(stderr, "--force") {
		t.Errorf("existing output without --force: exit code %d, stderr:\n%s", code, stderr)
	}
	if after, _ := os.ReadFile(out); !slices.Equal(before, after) {
		t.Error("the rejected run changed the existing output")
	}
}

// A bad input fails with an error that names the file and the problem,
// and writes nothing.
func TestSampleBadInput(t *testing.T) {
	dir := t.TempDir()
	image, psf := writeSynthetic(t, dir)

	// Models of other kinds: a convergence prior, a DeepMass estimator and
	// an image prior for 0.05-arcsec pixels.
	convergence := filepath.Join(dir, "convergence.skyunet")
	cm, err := scoreprior.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := cm.Save(convergence, false, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	deepMass := filepath.Join(dir, "deepmass.skyunet")
	dm, err := deepmass.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := dm.Save(deepMass, false, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	coarse := filepath.Join(dir, "coarse.skyunet")
	code, _, stderr := runDeconv(t, "train-score", "--out", coarse, "--pixel-arcsec", "0.05", "--size", "16", "--depth", "1", "--channels", "2",
		"--steps", "2", "--batch", "1", "--val-batches", "1", "--validate-every", "1")
	if code != 0 {
		t.Fatalf("train-score: exit code %d, stderr:\n%s", code, stderr)
	}

	// An image at 0.03 arcsec per pixel by its WCS, one with NaN pixels,
	// and a missing PSF.
	wcsImage := filepath.Join(dir, "wcs.fits")
	data := readHDU(t, image, "SCI").Data
	writeFITS(t, wcsImage, fits.ImageHDU{Axes: []int{synthNX, synthNY}, Data: data, Cards: []fits.Card{
		{Key: "CTYPE1", Value: "RA---TAN"}, {Key: "CTYPE2", Value: "DEC--TAN"},
		{Key: "CD1_1", Value: -0.03 / 3600}, {Key: "CD1_2", Value: 0.0}, {Key: "CD2_1", Value: 0.0}, {Key: "CD2_2", Value: 0.03 / 3600},
	}})
	nanImage := filepath.Join(dir, "nan.fits")
	withNaN := slices.Clone(data)
	withNaN[3*synthNX+7] = math.NaN()
	writeFITS(t, nanImage, fits.ImageHDU{Axes: []int{synthNX, synthNY}, Data: withNaN})
	missing := filepath.Join(dir, "missing-psf.fits")

	cases := []struct {
		name     string
		args     []string
		code     int
		messages []string // all must appear in stderr, compared in lower case
	}{
		{"PSF flag missing", []string{"--image", image}, 2, []string{"missing --psf"}},
		{"PSF file missing", []string{"--image", image, "--psf", missing}, 1, []string{"missing-psf.fits", "no such file"}},
		{"NaN pixels", []string{"--image", nanImage, "--psf", psf}, 1, []string{"nan.fits", "1 pixels are nan or inf", "(7, 3)"}},
		{"zero samples", []string{"--image", image, "--psf", psf, "--nsamples", "0"}, 2, []string{"invalid --nsamples 0"}},
		{"zero chains", []string{"--image", image, "--psf", psf, "--chains", "0"}, 2, []string{"invalid --chains 0"}},
		{"burn-in too long", []string{"--image", image, "--psf", psf, "--final-steps", "50", "--burn-in", "50"}, 2, []string{"invalid --burn-in 50"}},
		{"states beyond the last level", []string{"--image", image, "--psf", psf, "--nsamples", "40", "--chains", "2", "--final-steps", "50"}, 2, []string{"20 states per chain", "--final-steps 50"}},
		{"bad quantile", []string{"--image", image, "--psf", psf, "--quantiles", "0.5,2"}, 2, []string{"--quantiles", `"2"`}},
		{"convergence model", []string{"--image", image, "--psf", psf, "--model", convergence}, 1, []string{"convergence.skyunet", "not an image prior", "convergence-map score prior", "deconv train-score"}},
		{"DeepMass model", []string{"--image", image, "--psf", psf, "--model", deepMass}, 1, []string{"deepmass.skyunet", "not an image prior", "a deepmass model"}},
		{"model for other pixels, WCS", []string{"--image", wcsImage, "--psf", psf, "--model", coarse}, 1, []string{"wcs.fits", "0.03-arcsec pixels (from the wcs)", "coarse.skyunet", "0.05-arcsec"}},
		{"model for other pixels, flag", []string{"--image", image, "--psf", psf, "--pixel-arcsec", "0.1"}, 1, []string{"galaxy.fits", "0.1-arcsec pixels (given)", "0.03-arcsec"}},
		{"invalid pixel size", []string{"--image", image, "--psf", psf, "--pixel-arcsec", "-1"}, 2, []string{"invalid --pixel-arcsec -1"}},
		{"model file missing", []string{"--image", image, "--psf", psf, "--model", filepath.Join(dir, "none.skyunet")}, 1, []string{"none.skyunet"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, "out", "post.fits")
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			// The case's flags come last, so they override sampleArgs.
			code, _, stderr := runDeconv(t, append(append([]string{"sample", "--out", out}, sampleArgs...), c.args...)...)
			if code != c.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, c.code, stderr)
			}
			for _, m := range c.messages {
				if !strings.Contains(strings.ToLower(stderr), strings.ToLower(m)) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr)
				}
			}
			if got := listDir(t, filepath.Dir(out)); len(got) != 0 {
				t.Errorf("the rejected run wrote %v", got)
			}
		})
	}
}

// Interoperability: fitsverify accepts the outputs of an image with a CD
// matrix WCS and of one without WCS, cube included, with no error and no
// warning.
func TestSampleOutputPassesFitsverify(t *testing.T) {
	verify := fitsverifyPath(t)
	dir := t.TempDir()
	image, psf := writeSynthetic(t, dir)
	bare := filepath.Join(dir, "bare.fits")
	writeFITS(t, bare, fits.ImageHDU{Axes: []int{synthNX, synthNY}, Data: readHDU(t, image, "SCI").Data})
	for _, in := range []string{image, bare} {
		out := strings.TrimSuffix(in, ".fits") + "-post.fits"
		args := append([]string{"sample", "--image", in, "--psf", psf, "--out", out}, sampleArgs...)
		code, _, stderr := runDeconv(t, append(args, "--levels", "2", "--steps", "2")...)
		if code != 0 {
			t.Fatalf("%s: exit code %d:\n%s", in, code, stderr)
		}
		res, err := exec.Command(verify, out).CombinedOutput()
		if err != nil || !strings.Contains(string(res), "0 warning(s) and 0 error(s)") {
			t.Errorf("fitsverify %s: %v\n%s", out, err, res)
		}
	}
}

// A model whose network pools four times takes the image padded to
// multiples of 16 pixels instead of 8, with at least half the PSF on each
// side: 112 x 96 for the 96 x 80 image and its 8 x 8 PSF.
func TestSamplePadsForModelDepth(t *testing.T) {
	dir := t.TempDir()
	image, psf := writeSynthetic(t, dir)
	model := filepath.Join(dir, "deep.skyunet")
	code, _, stderr := runDeconv(t, "train-score", "--out", model, "--size", "16", "--depth", "4", "--channels", "2",
		"--steps", "2", "--batch", "1", "--val-batches", "1", "--validate-every", "1")
	if code != 0 {
		t.Fatalf("train-score: exit code %d, stderr:\n%s", code, stderr)
	}
	out := filepath.Join(dir, "post.fits")
	args := append([]string{"sample", "--image", image, "--psf", psf, "--model", model, "--out", out}, sampleArgs...)
	code, _, stderr = runDeconv(t, append(args, "--levels", "2", "--steps", "2")...)
	if code != 0 {
		t.Fatalf("sample: exit code %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "grid: 112 x 96 pixels, the image at (8, 8)") {
		t.Errorf("stderr lacks the 112 x 96 grid:\n%s", stderr)
	}
	if h := readHDU(t, out, "MEAN"); h.Axes[0] != synthNX || h.Axes[1] != synthNY {
		t.Errorf("MEAN is %v, want the image's %d x %d", h.Axes, synthNX, synthNY)
	}
}

// TestTrainScoreBadFlags: train-score rejects a map size below 8 or not a
// multiple of 2^depth, with exit code 2 and a message naming --size.
func TestTrainScoreBadFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.skyunet")
	for _, args := range [][]string{{"--size", "4", "--depth", "1"}, {"--size", "20", "--depth", "3"}} {
		code, _, stderr := runDeconv(t, append([]string{"train-score", "--out", out}, args...)...)
		if code != 2 || !strings.Contains(stderr, "--size") {
			t.Errorf("train-score %s: exit code %d, want 2 and a message naming --size:\n%s", strings.Join(args, " "), code, stderr)
		}
	}
}
