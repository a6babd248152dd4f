package imageprior_test

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/galaxies"
	"github.com/skyinv/skyinv/imageprior"
	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
	"github.com/skyinv/skyinv/scoreprior"
)

func scenes(t *testing.T, size, batch int, seed uint64) *imageprior.Scenes {
	t.Helper()
	s, err := imageprior.NewScenes(galaxies.Population{}, size, batch, seed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A batch of scenes depends only on the seed and its index.
func TestScenesReproducible(t *testing.T) {
	a, b := scenes(t, 16, 3, 7), scenes(t, 16, 3, 7)
	first := slices.Clone(a.Batch(nil, 4).Data)
	a.Batch(nil, 5)
	if again := a.Batch(nil, 4); !slices.Equal(first, again.Data) {
		t.Error("batch 4 changed after another batch was drawn")
	}
	if other := b.Batch(nil, 4); !slices.Equal(first, other.Data) {
		t.Error("two sources of one seed gave different batches")
	}
	if next := a.Batch(nil, 6); slices.Equal(first, next.Data) {
		t.Error("batches 4 and 6 are equal")
	}
	if _, err := imageprior.NewScenes(galaxies.Population{}, 4, 1, 1); err == nil {
		t.Error("scenes of 4 pixels were accepted")
	}
}

// The pairs follow their definition: input c_σ (x + σn), target −n and
// conditioning ln(s σ), with σ inside the range.
func TestPairsDefinition(t *testing.T) {
	const tol = 1e-5
	src := scenes(t, 16, 4, 3)
	clean := src.Batch(nil, 2).Clone()
	cfg := imageprior.PairsConfig{Source: src, Scale: 20, SigmaMin: 1e-3, SigmaMax: 0.5, Seed: 9}
	pairs, err := imageprior.NewPairs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	in, target, sigma := pairs.Batch(2)

	// Each image's noise level, and its input from the clean image.
	for b := range in.N {
		s := math.Exp(float64(sigma[b])) / cfg.Scale
		if s < cfg.SigmaMin*(1-tol) || s > cfg.SigmaMax*(1+tol) {
			t.Errorf("image %d: noise level %g outside %g to %g", b, s, cfg.SigmaMin, cfg.SigmaMax)
		}
		c := cfg.Scale / math.Sqrt(1+cfg.Scale*cfg.Scale*s*s)
		x, u, tg := clean.Plane(b, 0), in.Plane(b, 0), target.Plane(b, 0)
		for q := range x {
			want := c * (float64(x[q]) - s*float64(tg[q]))
			if math.Abs(float64(u[q])-want) > tol*(1+math.Abs(want)) {
				t.Fatalf("image %d pixel %d: input %g, want c (x − σ·target) = %g", b, q, u[q], want)
			}
		}
	}

	// The targets are unit noise.
	var sum2 float64
	for _, v := range target.Data {
		sum2 += float64(v) * float64(v)
	}
	if ms := sum2 / float64(len(target.Data)); math.Abs(ms-1) > 0.1 {
		t.Errorf("mean squared target %.3f, want about 1 (unit noise)", ms)
	}

	// Invalid settings.
	for _, bad := range []imageprior.PairsConfig{
		{Scale: 1, SigmaMin: 1, SigmaMax: 2},
		{Source: src, Scale: 0, SigmaMin: 1, SigmaMax: 2},
		{Source: src, Scale: 1, SigmaMin: 2, SigmaMax: 1},
	} {
		if _, err := imageprior.NewPairs(bad); err == nil {
			t.Errorf("configuration %+v was accepted", bad)
		}
	}
}

func TestMeasureScale(t *testing.T) {
	const tol = 1e-9
	src := scenes(t, 16, 2, 5)
	got, err := imageprior.MeasureScale(src, 3)
	if err != nil {
		t.Fatal(err)
	}
	var sum2, count float64
	for i := range 3 {
		for _, v := range src.Batch(nil, i).Data {
			sum2 += float64(v) * float64(v)
			count++
		}
	}
	if want := 1 / math.Sqrt(sum2/count); math.Abs(got/want-1) > tol {
		t.Errorf("scale %g, want %g", got, want)
	}
}

// trainSmall trains a small network for a few hundred steps.
func trainSmall(t *testing.T, steps int) *imageprior.Model {
	t.Helper()
	adam := score.DefaultAdamConfig()
	adam.LearningRate = 3e-3
	m, err := imageprior.Train(imageprior.TrainConfig{
		Train: scenes(t, 16, 8, 1), Validation: scenes(t, 16, 8, 2),
		SigmaMin: 1e-3, SigmaMax: 0.3,
		Net:   score.UNetConfig{Depth: 2, BaseChannels: 8},
		Steps: steps, Adam: adam, Seed: 1, ValidationBatches: 4, ValidateEvery: 100,
		Info: imageprior.Info{PixelArcsec: 0.03, ZeroPoint: 26.1, Training: "test scenes"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Training lowers the validation loss well below that of a zero score,
// about 1, and below the Wiener denoiser's, and the model survives a round
// trip through a file.
func TestTrainBeatsBaselines(t *testing.T) {
	m := trainSmall(t, 300)
	info := m.Info
	t.Logf("validation loss %.4f, Wiener denoiser %.4f, zero score %.4f", info.ValidationLoss, info.WienerLoss, info.IdentityLoss)
	if math.Abs(info.IdentityLoss-1) > 0.05 {
		t.Errorf("zero-score loss %.4f, want about 1", info.IdentityLoss)
	}
	if !(info.WienerLoss < 0.9*info.IdentityLoss) {
		t.Errorf("Wiener loss %.4f is not 10%% below the zero score's %.4f", info.WienerLoss, info.IdentityLoss)
	}
	if !(info.ValidationLoss < info.WienerLoss) {
		t.Errorf("validation loss %.4f is not below the Wiener denoiser's %.4f", info.ValidationLoss, info.WienerLoss)
	}
	if info.Size != 16 || info.PixelArcsec != 0.03 || !(info.Scale > 0) {
		t.Errorf("info %+v: want size 16, pixel 0.03 arcsec, positive scale", info)
	}

	// Round trip through a file.
	path := filepath.Join(t.TempDir(), "prior.skyunet")
	if err := m.Save(path, false, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	back, err := imageprior.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Info.Scale != info.Scale || back.Info.Training != "test scenes" {
		t.Errorf("loaded info %+v differs from %+v", back.Info, info)
	}
	if err := m.Save(path, false, score.Meta{}); err == nil {
		t.Error("Save replaced an existing file without overwrite")
	}
}

// The score is the network's output over σ, on every chain.
func TestPriorScoreIsOutputOverSigma(t *testing.T) {
	const tol = 1e-6
	m := trainSmall(t, 20)
	p, err := m.Prior(16, 8)
	if err != nil {
		t.Fatal(err)
	}
	src := scenes(t, 16, 2, 4)
	batch := src.Batch(nil, 0)
	x := make([][]float64, 2)
	dst := make([][]float64, 2)
	for c := range x {
		x[c], dst[c] = make([]float64, 16*8), make([]float64, 16*8)
		for i := range x[c] {
			x[c][i] = float64(batch.Plane(c, 0)[i])
		}
	}
	const sigma = 0.01
	if err := p.Score(dst, x, sigma); err != nil {
		t.Fatal(err)
	}
	s := m.Info.Scale
	c := s / math.Sqrt(1+s*s*sigma*sigma)
	in, out := nn.NewTensor(2, 1, 8, 16), nn.NewTensor(2, 1, 8, 16)
	for k := range x {
		for i, v := range x[k] {
			in.Plane(k, 0)[i] = float32(c * v)
		}
	}
	cond := float32(math.Log(s * sigma))
	if err := m.Net.Forward(out, in, []float32{cond, cond}); err != nil {
		t.Fatal(err)
	}
	for k := range x {
		for i, u := range out.Plane(k, 0) {
			if want := float64(u) / sigma; math.Abs(dst[k][i]-want) > tol*(1+math.Abs(want)) {
				t.Fatalf("chain %d pixel %d: score %g, want %g", k, i, dst[k][i], want)
			}
		}
	}

	if _, err := m.Prior(15, 8); err == nil || !strings.Contains(err.Error(), "15") {
		t.Errorf("a width of 15 for a depth-2 network: error %v", err)
	}
	if err := p.Score(dst, x, 0); err == nil {
		t.Error("a zero noise level was accepted")
	}
	if err := p.Score(dst, [][]float64{make([]float64, 5)}, sigma); err == nil {
		t.Error("an image of the wrong size was accepted")
	}
}

// A model of another kind is rejected with the kind it is.
func TestLoadRejectsOtherModels(t *testing.T) {
	conv, err := scoreprior.Default()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "convergence.skyunet")
	if err := conv.Save(path, false, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	_, err = imageprior.Load(path)
	for _, want := range []string{path, "not an image prior", "convergence-map score prior"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("loading a convergence prior: error %v, want one containing %q", err, want)
		}
	}
	if _, err := imageprior.Load(path + ".missing"); err == nil {
		t.Error("loading a missing file gave no error")
	}
}

func TestCheckPixelScale(t *testing.T) {
	m := trainSmall(t, 1)
	if err := m.CheckPixelScale(0.0302); err != nil {
		t.Errorf("0.0302 arcsec against 0.03: %v", err)
	}
	for _, bad := range []float64{0.05, 0.0298 * 0.98, 0, math.NaN()} {
		if err := m.CheckPixelScale(bad); err == nil {
			t.Errorf("%g arcsec against 0.03 was accepted", bad)
		}
	}
}

// The embedded model is the one README.md describes: 0.03-arcsec pixels,
// zero point 26.1, a depth-3 network of 16 channels, and a validation loss
// far below the Wiener denoiser's (0.0548 against 0.6060 when trained).
func TestDefaultModel(t *testing.T) {
	m, err := imageprior.Default()
	if err != nil {
		t.Fatal(err)
	}
	info, cfg := m.Info, m.Net.Config()
	if info.PixelArcsec != 0.03 || info.ZeroPoint != 26.1 || info.Size != 64 {
		t.Errorf("pixel %g arcsec, zero point %g, size %d: want 0.03, 26.1 and 64", info.PixelArcsec, info.ZeroPoint, info.Size)
	}
	if cfg.Depth != 3 || cfg.BaseChannels != 16 {
		t.Errorf("network depth %d with %d channels, want 3 and 16", cfg.Depth, cfg.BaseChannels)
	}
	if !(info.ValidationLoss < 0.2*info.WienerLoss) {
		t.Errorf("validation loss %.4f, want below a fifth of the Wiener denoiser's %.4f", info.ValidationLoss, info.WienerLoss)
	}
	if info.Population == nil || info.Population.MagMin != 20.5 || info.Population.MagMax != 25.5 {
		t.Errorf("training population %+v, want magnitudes 20.5 to 25.5", info.Population)
	}
	if _, err := m.Prior(96, 72); err != nil {
		t.Errorf("a 96 x 72 grid: %v", err)
	}
}
