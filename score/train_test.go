package score_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/score"
	"github.com/skyinv/skyinv/simulate"
)

func TestMeanSquaredError(t *testing.T) {
	const tol = 1e-7
	out := &nn.Tensor{N: 1, C: 1, H: 1, W: 4, Data: []float32{1, 2, 3, 4}}
	target := &nn.Tensor{N: 1, C: 1, H: 1, W: 4, Data: []float32{1, 0, 3, 5}}
	grad := nn.NewTensor(1, 1, 1, 4)

	// (0 + 4 + 0 + 1)/4, and 2(out − target)/4.
	if got := score.MeanSquaredError(grad, out, target); math.Abs(got-1.25) > tol {
		t.Errorf("loss = %v, want 1.25", got)
	}
	want := []float32{0, 1, 0, -0.5}
	for i := range want {
		if grad.Data[i] != want[i] {
			t.Errorf("grad[%d] = %v, want %v", i, grad.Data[i], want[i])
		}
	}
}

// denoisingTask returns batches of Gaussian fields of unit pixel variance
// with white noise of standard deviation sigma added, and the clean fields
// as targets.
func denoisingTask(t *testing.T, batch, size int, sigma float32, seed uint64) score.Batches {
	t.Helper()
	const pixelRad = 1e-3
	power := powerspec.PowerMap(func(ell float64) float64 { return math.Pow(ell, -2.5) }, size, size, pixelRad)
	gauss, err := simulate.NewGaussian(power, size, size)
	if err != nil {
		t.Fatal(err)
	}

	// The pixel variance is Σ_k P(k) / (nx ny)², so this scale makes it 1.
	var total float64
	for _, p := range power {
		total += p
	}
	scale := float64(size*size) / math.Sqrt(total)

	rng := rand.New(rand.NewPCG(seed, 1))
	in := nn.NewTensor(batch, 1, size, size)
	target := nn.NewTensor(batch, 1, size, size)
	sigmas := make([]float32, batch)
	field := make([]float64, size*size)
	return func(int) (*nn.Tensor, *nn.Tensor, []float32) {
		for n := range batch {
			gauss.Field(field, rng)
			clean := target.Plane(n, 0)
			noisy := in.Plane(n, 0)
			for i, v := range field {
				clean[i] = float32(v * scale)
				noisy[i] = clean[i] + sigma*float32(rng.NormFloat64())
			}
			sigmas[n] = sigma
		}
		return in, target, sigmas
	}
}

func TestTrainLowersDenoisingLoss(t *testing.T) {
	const noise = 0.5
	net := score.NewUNet(score.UNetConfig{Depth: 1, BaseChannels: 8}, rand.New(rand.NewPCG(13, 14)))
	cfg := score.DefaultAdamConfig()
	cfg.LearningRate = 3e-3
	opt := score.NewAdam(net.Parameters(), cfg)

	// A fixed held-out batch for validation.
	valIn, valTarget, valSigma := denoisingTask(t, 8, 16, noise, 99)(0)
	valOut := nn.NewTensor(8, 1, 16, 16)
	validate := func() float64 {
		if err := net.Forward(valOut, valIn, valSigma); err != nil {
			t.Fatal(err)
		}
		return score.MeanSquaredError(nil, valOut, valTarget)
	}
	before := validate()

	var history []score.Progress
	start := time.Now()
	err := score.Train(net, denoisingTask(t, 4, 16, noise, 1), opt, score.TrainConfig{
		Steps:         150,
		Validate:      validate,
		ValidateEvery: 20,
		Progress:      func(p score.Progress) { history = append(history, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("150 steps in %v, validation loss %.3f → %.3f", time.Since(start), before, history[len(history)-1].Validation)

	if len(history) != 150 {
		t.Fatalf("Progress called %d times, want 150", len(history))
	}
	for i, p := range history {
		if p.Step != i+1 {
			t.Errorf("progress %d has step %d", i, p.Step)
		}
		validated := (i+1)%20 == 0 || i+1 == len(history)
		if math.IsNaN(p.Validation) == validated {
			t.Errorf("step %d: validation %v, want a value every 20 steps and after the last", p.Step, p.Validation)
		}
	}
	after := history[len(history)-1].Validation
	if after > 0.7*before {
		t.Errorf("validation loss %.3f after training, want below 0.7 × %.3f", after, before)
	}
	if after > noise*noise {
		t.Errorf("validation loss %.3f after training, want below the noise variance %.3f that the identity map reaches", after, noise*noise)
	}
}

func TestTrainRejectsNonFiniteLoss(t *testing.T) {
	net := score.NewUNet(score.UNetConfig{Depth: 1, BaseChannels: 4}, rand.New(rand.NewPCG(15, 16)))
	opt := score.NewAdam(net.Parameters(), score.DefaultAdamConfig())
	before := append([]float32(nil), net.Parameters()[0].Value...)
	in := nn.NewTensor(1, 1, 4, 4)
	target := nn.NewTensor(1, 1, 4, 4)
	target.Data[3] = float32(math.Inf(1))
	batches := func(int) (*nn.Tensor, *nn.Tensor, []float32) { return in, target, []float32{1} }

	err := score.Train(net, batches, opt, score.TrainConfig{Steps: 3})
	if !errors.Is(err, score.ErrNonFinite) {
		t.Errorf("error %v, want one wrapping ErrNonFinite", err)
	}
	if opt.Steps() != 0 {
		t.Errorf("optimiser took %d steps, want 0", opt.Steps())
	}
	for i, v := range net.Parameters()[0].Value {
		if v != before[i] {
			t.Fatalf("parameter changed at %d after a rejected step", i)
		}
	}
}

func TestTrainResumesFromCheckpoint(t *testing.T) {
	cfg := score.DefaultAdamConfig()
	cfg.Schedule = score.Schedule{WarmupSteps: 3}
	newRun := func() (*score.UNet, *score.Adam) {
		net := score.NewUNet(score.UNetConfig{Depth: 1, BaseChannels: 4}, rand.New(rand.NewPCG(17, 18)))
		return net, score.NewAdam(net.Parameters(), cfg)
	}

	// Four steps straight through.
	straight, straightOpt := newRun()
	if err := score.Train(straight, denoisingTask(t, 2, 8, 0.3, 3), straightOpt, score.TrainConfig{Steps: 4}); err != nil {
		t.Fatal(err)
	}

	// Two steps, a checkpoint, and two more from the loaded copy, with the
	// same stream of batches.
	batches := denoisingTask(t, 2, 8, 0.3, 3)
	first, firstOpt := newRun()
	if err := score.Train(first, batches, firstOpt, score.TrainConfig{Steps: 2}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "run.checkpoint")
	if err := score.SaveCheckpoint(path, false, first, firstOpt, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	resumed, resumedOpt, _, err := score.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	var rates []float64
	err = score.Train(resumed, batches, resumedOpt, score.TrainConfig{Steps: 2, Progress: func(p score.Progress) {
		steps = append(steps, p.Step)
		rates = append(rates, p.LearningRate)
	}})
	if err != nil {
		t.Fatal(err)
	}

	if len(steps) != 2 || steps[0] != 3 || steps[1] != 4 {
		t.Errorf("resumed steps %v, want [3 4]", steps)
	}
	if len(rates) != 2 || rates[0] != cfg.LearningRate || rates[1] != cfg.LearningRate {
		t.Errorf("resumed rates %v, want the peak %v after the 3-step warm-up", rates, cfg.LearningRate)
	}
	want := straight.Parameters()
	for i, p := range resumed.Parameters() {
		for j := range p.Value {
			if p.Value[j] != want[i].Value[j] {
				t.Fatalf("%s[%d] = %v after resuming, want %v", p.Name, j, p.Value[j], want[i].Value[j])
			}
		}
	}
}
