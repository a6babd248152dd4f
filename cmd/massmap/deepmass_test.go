package main

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fits"
)

// TestDeepmassTrainAndApply trains a tiny model on the mock catalogue and
// applies it: the model file, the loss table and curve, and a map whose
// HDUs follow massmap ks.
func TestDeepmassTrainAndApply(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model.skyunet")
	table := filepath.Join(dir, "loss.txt")
	curve := filepath.Join(dir, "loss.png")
	code, _, stderr := runMassmap(t, "deepmass", "train", "--out", model, "--pixel-arcmin", "2",
		"--maps", "6", "--val-maps", "2", "--depth", "2", "--channels", "4", "--crop", "16",
		"--steps", "12", "--validate-every", "6", "--loss-table", table, "--loss-png", curve)
	if code != 0 {
		t.Fatalf("train: exit code %d:\n%s", code, stderr)
	}
	for _, want := range []string{"simulations: 6 training and 2 validation maps", "step 12/12", "validation loss", "Wiener filter alone", "wrote " + model} {
		if !strings.Contains(stderr, want) {
			t.Errorf("training summary lacks %q:\n%s", want, stderr)
		}
	}
	lines := strings.Split(strings.TrimSpace(readFile(t, table)), "\n")
	if len(lines) != 13 || !strings.HasPrefix(lines[0], "#") || !strings.HasPrefix(lines[12], "12 ") {
		t.Errorf("loss table has %d lines, want a header and 12 steps:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if png := readFile(t, curve); !strings.HasPrefix(png, "\x89PNG") {
		t.Error("the loss curve is not a PNG")
	}

	out := filepath.Join(dir, "dm.fits")
	code, _, stderr = runMassmap(t, "deepmass", "--model", model, "--out", out, "--png", filepath.Join(dir, "dm.png"))
	if code != 0 {
		t.Fatalf("apply: exit code %d:\n%s", code, stderr)
	}
	names, err := listHDUNames(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(names, ","), "KAPPA_MEAN,KAPPA_WIENER,NGAL,WEIGHT,SHEAR_STD"; got != want {
		t.Errorf("HDUs %s, want %s", got, want)
	}
	mean := readHDU(t, out, "KAPPA_MEAN")
	if c, ok := mean.Card("MODEL"); !ok || c.Value != model {
		t.Errorf("MODEL card %v, want %s", c.Value, model)
	}
	// The grid covers the catalogue at the model's 2-arcmin pixels, with
	// sides rounded up to a multiple of 4.
	nx, ny := mean.Axes[0], mean.Axes[1]
	if nx%4 != 0 || ny%4 != 0 || nx < 30 {
		t.Errorf("grid %d x %d: want sides that are multiples of 4 covering the 60-arcmin field", nx, ny)
	}
	if p, _ := mean.Float("CDELT2"); p*60 < 1.999 || p*60 > 2.001 {
		t.Errorf("CDELT2 = %g deg, want 2 arcmin", p)
	}
}

// TestDeepmassDefaultModel runs the embedded COSMOS model on the mock
// catalogue, binned at the model's 0.29-arcmin pixels.
func TestDeepmassDefaultModel(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dm.fits")
	code, _, stderr := runMassmap(t, "deepmass", "--out", out, "--npix", "64", "--pixel-arcmin", "0.29")
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "embedded COSMOS model") {
		t.Errorf("summary does not name the embedded model:\n%s", stderr)
	}
	mean, wf := readHDU(t, out, "KAPPA_MEAN"), readHDU(t, out, "KAPPA_WIENER")
	differ := false
	for i, v := range mean.Data {
		if v != v {
			t.Fatalf("KAPPA_MEAN is NaN at pixel %d", i)
		}
		differ = differ || v != wf.Data[i]
	}
	if !differ {
		t.Error("KAPPA_MEAN equals its Wiener input: the network did nothing")
	}
}

// TestDeepmassBadInput checks that each failure names its cause and writes
// nothing.
func TestDeepmassBadInput(t *testing.T) {
	dir := t.TempDir()
	notModel := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notModel, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.skyunet")
	data := []byte(readFile(t, filepath.Join("..", "..", "deepmass", "cosmos.skyunet")))
	binary.LittleEndian.PutUint32(data[8:], 7)
	if err := os.WriteFile(newer, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		messages []string
	}{
		{"not a model", []string{"--model", notModel}, 1, []string{notModel, "not a u-net weights file"}},
		{"newer format", []string{"--model", newer}, 1, []string{newer, "unsupported weights format version 7"}},
		{"missing model", []string{"--model", filepath.Join(dir, "none.skyunet")}, 1, []string{"none.skyunet"}},
		{"size the network cannot take", []string{"--npix", "100"}, 2, []string{"100 x 100", "96", "104"}},
		{"other pixel size", []string{"--pixel-arcmin", "1"}, 1, []string{"0.29-arcmin", "--pixel-arcmin 0.29"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, "out.fits")
			code, _, stderr := runMassmap(t, append([]string{"deepmass", "--out", out}, c.args...)...)
			if code != c.code {
				t.Errorf("exit code %d, want %d:\n%s", code, c.code, stderr)
			}
			for _, m := range c.messages {
				if !strings.Contains(strings.ToLower(stderr), strings.ToLower(m)) {
					t.Errorf("error lacks %q:\n%s", m, stderr)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("an output file was written")
			}
		})
	}
}

func TestDeepmassTrainBadFlags(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]string{
		"crop not a multiple": {"--crop", "20"},
		"negative shift":      {"--shifts", "0,-0.1"},
		"no steps":            {"--steps", "0"},
		"missing out":         nil,
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			full := []string{"deepmass", "train"}
			if name != "missing out" {
				full = append(full, "--out", filepath.Join(dir, "m.skyunet"))
			}
			code, _, stderr := runMassmap(t, append(full, args...)...)
			if code != 2 {
				t.Errorf("exit code %d, want 2:\n%s", code, stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "m.skyunet")); err == nil {
				t.Error("a model file was written")
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDeepmassTrainFromCube trains on the planes of a user's cube, and
// rejects cubes of the wrong shape or with NaN.
func TestDeepmassTrainFromCube(t *testing.T) {
	dir := t.TempDir()
	const side, planes = 32, 6
	data := make([]float64, side*side*planes)
	for i := range data {
		data[i] = 0.02 * math.Sin(float64(i%side)/3+float64(i/(side*side)))
	}
	write := func(name string, axes []int, data []float64) string {
		path := filepath.Join(dir, name)
		if err := fits.WriteImages(path, false, fits.ImageHDU{Axes: axes, Data: data, Bitpix: -64}); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("cube.fits", []int{side, side, planes}, data)
	args := func(cube, out string) []string {
		return []string{"deepmass", "train", "--cube", cube, "--out", filepath.Join(dir, out), "--npix", "32", "--pixel-arcmin", "2",
			"--val-maps", "2", "--depth", "2", "--channels", "4", "--crop", "16", "--steps", "4", "--validate-every", "2"}
	}
	code, _, stderr := runMassmap(t, args(good, "m.skyunet")...)
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "true maps: planes of "+good) {
		t.Errorf("summary does not name the cube:\n%s", stderr)
	}
	if !strings.Contains(stderr, "simulations: 4 training and 2 validation maps") {
		t.Errorf("the 6-plane cube with --val-maps 2 did not give 4 training maps:\n%s", stderr)
	}

	flat := write("flat.fits", []int{side, side}, data[:side*side])
	bad := append([]float64(nil), data...)
	bad[2*side*side+5*side+3] = math.NaN()
	withNaN := write("nan.fits", []int{side, side, planes}, bad)
	for _, c := range []struct{ path, want string }{
		{flat, "want a cube of 32 x 32 maps"},
		{withNaN, "plane 3, pixel (x=3, y=5)"},
	} {
		code, _, stderr := runMassmap(t, args(c.path, "bad.skyunet")...)
		if code != 1 || !strings.Contains(stderr, c.path) || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit code %d, want 1 and an error naming the file and %q:\n%s", c.path, code, c.want, stderr)
		}
	}
}

// TestDeepmassTrainResumeChecks resumes a checkpoint with a changed flag,
// and a complete run: both must fail with the reason.
func TestDeepmassTrainResumeChecks(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "ck.skyunet")
	base := []string{"deepmass", "train", "--pixel-arcmin", "2", "--maps", "4", "--val-maps", "1", "--depth", "2",
		"--channels", "4", "--crop", "16", "--steps", "4", "--validate-every", "2", "--checkpoint", ck}
	code, _, stderr := runMassmap(t, append(base, "--out", filepath.Join(dir, "a.skyunet"))...)
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	code, _, stderr = runMassmap(t, append(base, "--out", filepath.Join(dir, "b.skyunet"), "--resume", ck, "--seed", "2")...)
	if code != 2 || !strings.Contains(stderr, "--seed 2 (the checkpoint's run: 1)") {
		t.Errorf("resume with another seed: exit code %d, want 2 and the differing flag:\n%s", code, stderr)
	}
	code, _, stderr = runMassmap(t, append(base, "--out", filepath.Join(dir, "c.skyunet"), "--resume", ck)...)
	if code != 1 || !strings.Contains(stderr, "the run is complete (step 4 of 4)") {
		t.Errorf("resume of a complete run: exit code %d, want 1 and a reason:\n%s", code, stderr)
	}
	for _, f := range []string{"b.skyunet", "c.skyunet"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was written", f)
		}
	}
}
