package scoreprior_test

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/sampling"
	"github.com/skyinv/skyinv/score"
	"github.com/skyinv/skyinv/scoreprior"
)

func spectrum() (ell, cl []float64) {
	for i := range 30 {
		l := 10 * math.Pow(10, float64(i)/7)
		ell = append(ell, l)
		cl = append(cl, 1e-9*math.Pow(l/1000, -1.2))
	}
	return ell, cl
}

func pairsConfig(shifts ...float64) scoreprior.PairsConfig {
	ell, cl := spectrum()
	return scoreprior.PairsConfig{Size: 16, PixelArcmin: 2, Ell: ell, Cl: cl, Shifts: shifts,
		SigmaMin: 1e-3, SigmaMax: 0.2, Batch: 8, Seed: 4}
}

// TestGaussianTargets checks the targets' units on Gaussian fields, for
// which the Gaussian score is the true one. The mean squared target is
// then the denoising error of the exact posterior mean: the mean over
// Fourier modes of p/(p + σ²), with p the variance of a mode in pixel
// units.
func TestGaussianTargets(t *testing.T) {
	cfg := pairsConfig(0)
	pairs, err := scoreprior.NewPairs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ell, cl := spectrum()
	table := func(l float64) float64 { // log-log interpolation is exact for a power law
		i := 0
		for i < len(ell)-2 && ell[i+1] < l {
			i++
		}
		u := math.Log(l/ell[i]) / math.Log(ell[i+1]/ell[i])
		return math.Exp(math.Log(cl[i]) + u*math.Log(cl[i+1]/cl[i]))
	}
	n := cfg.Size * cfg.Size
	power := powerspec.PowerMap(table, cfg.Size, cfg.Size, cfg.PixelArcmin/60*math.Pi/180)
	var got, want float64
	const batches = 200
	for i := range batches {
		_, target, sigma := pairs.Batch(i)
		for b := range target.N {
			s := math.Exp(float64(sigma[b])) / pairs.Scale()
			var w float64
			for _, p := range power {
				w += (p / float64(n)) / (p/float64(n) + s*s)
			}
			want += w / float64(n)
			for _, v := range target.Plane(b, 0) {
				got += float64(v) * float64(v) / float64(n)
			}
		}
	}
	got /= batches * 8
	want /= batches * 8
	t.Logf("mean squared target %.4f, Gaussian expectation %.4f", got, want)
	if math.Abs(got/want-1) > 0.03 {
		t.Errorf("mean squared target %.4f, want %.4f within 3%%", got, want)
	}
}

func TestPairsReproducible(t *testing.T) {
	a, _ := scoreprior.NewPairs(pairsConfig(0, 0.02))
	b, _ := scoreprior.NewPairs(pairsConfig(0, 0.02))
	for _, i := range []int{5, 2, 5} {
		ia, ta, sa := a.Batch(i)
		ina, tga := slices.Clone(ia.Data), slices.Clone(ta.Data)
		ib, tb, sb := b.Batch(i)
		if !slices.Equal(ina, ib.Data) || !slices.Equal(tga, tb.Data) || !slices.Equal(sa, sb) {
			t.Errorf("batch %d differs between two sources of one configuration", i)
		}
	}
}

func TestTrainLearnsLognormalResidual(t *testing.T) {
	adam := score.DefaultAdamConfig()
	adam.LearningRate = 3e-3
	m, err := scoreprior.Train(scoreprior.TrainConfig{
		Pairs: pairsConfig(0.01), Net: score.UNetConfig{Depth: 2, BaseChannels: 8},
		Steps: 200, Adam: adam, Seed: 1, ValidationBatches: 4, ValidateEvery: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("validation loss %.4f, Gaussian score alone %.4f", m.Info.ValidationLoss, m.Info.GaussianLoss)
	if !(m.Info.ValidationLoss < 0.97*m.Info.GaussianLoss) {
		t.Errorf("validation loss %.4f is not 3%% below the Gaussian score's %.4f", m.Info.ValidationLoss, m.Info.GaussianLoss)
	}

	// Round trip through a file.
	path := filepath.Join(t.TempDir(), "prior.skyunet")
	if err := m.Save(path, false, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	back, err := scoreprior.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Info.Scale != m.Info.Scale || back.Info.SigmaMax != 0.2 {
		t.Errorf("loaded info %+v differs from %+v", back.Info, m.Info)
	}
	if _, err := scoreprior.Load(path + ".missing"); err == nil {
		t.Error("loading a missing file gave no error")
	}
	plain := filepath.Join(t.TempDir(), "plain.skyunet")
	if err := score.SaveWeights(plain, false, m.Net, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := scoreprior.Load(plain); err == nil || !strings.Contains(err.Error(), "not a score prior model") {
		t.Errorf("plain weights: error %v", err)
	}
	if _, err := back.Prior(16, 16, 1, 1); err == nil || !strings.Contains(err.Error(), "2-arcmin") {
		t.Errorf("wrong pixel size: error %v", err)
	}
	if _, err := back.Prior(0, 18, 2, 1); err == nil {
		t.Error("a map of 0 × 18 pixels gave no error")
	}
}

// TestPriorScoreIsPeriodic checks that the network takes the sampler's maps
// as periodic: the score of a map shifted cyclically, across its edges, is
// the shifted score, on a size that is not a multiple of the network's.
func TestPriorScoreIsPeriodic(t *testing.T) {
	m, err := scoreprior.Train(scoreprior.TrainConfig{
		Pairs: pairsConfig(0), Net: score.UNetConfig{Depth: 2, BaseChannels: 4},
		Steps: 0, Adam: score.DefaultAdamConfig(), ValidationBatches: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, p := range m.Net.Parameters() {
		if p.Name == "final.conv.weight" {
			for i := range p.Value {
				p.Value[i] = float32(0.3 * rng.NormFloat64())
			}
		}
	}

	const nx, ny, dx, dy = 30, 22, 7, 5
	prior, err := m.Prior(nx, ny, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	prior.SetDamping(0)
	x := make([]float64, nx*ny)
	for i := range x {
		x[i] = 0.02 * rng.NormFloat64()
	}
	shifted := make([]float64, nx*ny)
	for y := range ny {
		for i := range nx {
			shifted[(y+dy)%ny*nx+(i+dx)%nx] = x[y*nx+i]
		}
	}

	got := [][]float64{make([]float64, nx*ny), make([]float64, nx*ny)}
	if err := prior.Score(got, [][]float64{x, shifted}, 0.01); err != nil {
		t.Fatal(err)
	}

	var worst, scale float64
	for y := range ny {
		for i := range nx {
			a, b := got[0][y*nx+i], got[1][(y+dy)%ny*nx+(i+dx)%nx]
			worst = max(worst, math.Abs(a-b))
			scale = max(scale, math.Abs(a))
		}
	}
	if worst > 1e-4*scale {
		t.Errorf("the score of the shifted map differs from the shifted score by up to %.3g (scale %.3g)", worst, scale)
	}
}

// TestUntrainedPriorIsGaussian checks that a zero network leaves the
// Gaussian score, on a grid larger than the training maps.
func TestUntrainedPriorIsGaussian(t *testing.T) {
	m, err := scoreprior.Train(scoreprior.TrainConfig{
		Pairs: pairsConfig(0), Net: score.UNetConfig{Depth: 2, BaseChannels: 4},
		Steps: 0, Adam: score.DefaultAdamConfig(), ValidationBatches: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	prior, err := m.Prior(32, 24, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	gauss, err := sampling.NewGaussianPrior(prior.Power(), 32, 24, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := [][]float64{make([]float64, 32*24), make([]float64, 32*24)}
	for _, xs := range x {
		for i := range xs {
			xs[i] = 0.02 * rng.NormFloat64()
		}
	}
	got := [][]float64{make([]float64, 32*24), make([]float64, 32*24)}
	want := [][]float64{make([]float64, 32*24), make([]float64, 32*24)}
	if err := prior.Score(got, x, 0.01); err != nil {
		t.Fatal(err)
	}
	if err := gauss.Score(want, x, 0.01); err != nil {
		t.Fatal(err)
	}
	for c := range got {
		if !slices.Equal(got[c], want[c]) {
			t.Errorf("chain %d: the untrained prior's score differs from the Gaussian score", c)
		}
	}
}

// TestPriorPixelWindow checks that a model trained with the pixel window
// carries it into its Gaussian part on another grid, and one trained
// without it does not.
func TestPriorPixelWindow(t *testing.T) {
	const nx, ny = 40, 24
	// The spectrum of pairsConfig, a power law, which the model's table
	// interpolates exactly.
	table := func(l float64) float64 { return 1e-9 * math.Pow(l/1000, -1.2) }
	for _, window := range []bool{false, true} {
		cfg := pairsConfig(0)
		cfg.PixelWindow = window
		m, err := scoreprior.Train(scoreprior.TrainConfig{
			Pairs: cfg, Net: score.UNetConfig{Depth: 2, BaseChannels: 4},
			Steps: 0, Adam: score.DefaultAdamConfig(), ValidationBatches: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		if m.Info.PixelWindow != window {
			t.Errorf("window %t: Info.PixelWindow = %t", window, m.Info.PixelWindow)
		}
		prior, err := m.Prior(nx, ny, cfg.PixelArcmin, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := powerspec.PowerMap(table, nx, ny, cfg.PixelArcmin/60*math.Pi/180)
		if window {
			powerspec.PixelWindow(want, nx, ny)
		}
		for i, p := range prior.Power() {
			if math.Abs(p-want[i]) > 1e-9*want[i] {
				t.Fatalf("window %t: power[%d] = %g, want %g", window, i, p, want[i])
			}
		}
	}
}

// TestPriorDropsLongWavelengths gives the network a constant output, a
// pure k = 0 residual, which the filter must remove.
func TestPriorDropsLongWavelengths(t *testing.T) {
	m, err := scoreprior.Train(scoreprior.TrainConfig{
		Pairs: pairsConfig(0), Net: score.UNetConfig{Depth: 2, BaseChannels: 4},
		Steps: 0, Adam: score.DefaultAdamConfig(), ValidationBatches: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Net.Parameters() {
		if p.Name == "final.conv.bias" {
			p.Value[0] = 0.5
		}
	}
	prior, err := m.Prior(32, 32, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	gauss, _ := sampling.NewGaussianPrior(prior.Power(), 32, 32, 1)
	x := [][]float64{make([]float64, 32*32)}
	for i := range x[0] {
		x[0][i] = 0.01 * math.Sin(float64(i))
	}
	got, want := [][]float64{make([]float64, 32*32)}, [][]float64{make([]float64, 32*32)}
	if err := prior.Score(got, x, 0.01); err != nil {
		t.Fatal(err)
	}
	gauss.Score(want, x, 0.01)
	for i := range got[0] {
		if d := math.Abs(got[0][i] - want[0][i]); d > 1e-9*math.Max(1, math.Abs(want[0][i])) {
			t.Fatalf("pixel %d: score %g, Gaussian %g: the constant residual was not removed", i, got[0][i], want[0][i])
		}
	}
}

// TestTrainFineTunesInit starts a training run from a model's weights: with
// zero steps the result has the same weights and validation loss, and a
// model for another pixel size is rejected.
func TestTrainFineTunesInit(t *testing.T) {
	adam := score.DefaultAdamConfig()
	adam.LearningRate = 3e-3
	base, err := scoreprior.Train(scoreprior.TrainConfig{
		Pairs: pairsConfig(0.01), Net: score.UNetConfig{Depth: 2, BaseChannels: 4},
		Steps: 20, Adam: adam, Seed: 1, ValidationBatches: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	tuned, err := scoreprior.Train(scoreprior.TrainConfig{
		Pairs: pairsConfig(0.01), Net: score.UNetConfig{Depth: 3, BaseChannels: 8},
		Steps: 0, Adam: adam, Seed: 2, ValidationBatches: 2, Init: base,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tuned.Net.Config(), base.Net.Config(); got != want {
		t.Errorf("fine-tuned network %+v, want the initial model's %+v", got, want)
	}
	from := base.Net.Parameters()
	for i, p := range tuned.Net.Parameters() {
		if !slices.Equal(p.Value, from[i].Value) {
			t.Fatalf("parameter %s differs from the initial model's after zero steps", p.Name)
		}
	}
	if tuned.Info.ValidationLoss != base.Info.ValidationLoss {
		t.Errorf("validation loss %v after zero steps, want the initial model's %v", tuned.Info.ValidationLoss, base.Info.ValidationLoss)
	}

	other := pairsConfig(0.01)
	other.PixelArcmin *= 2
	_, err = scoreprior.Train(scoreprior.TrainConfig{Pairs: other, Steps: 1, Adam: adam, ValidationBatches: 1, Init: base})
	if err == nil || !strings.Contains(err.Error(), "pixels") {
		t.Errorf("fine-tuning a model for another pixel size: error %v, want one about the pixel size", err)
	}
}
