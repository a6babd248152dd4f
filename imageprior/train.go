package imageprior

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/skyinv/skyinv/fft"
	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

// TrainConfig sets a training run.
type TrainConfig struct {
	// Train and Validation give the clean training and held-out images.
	// They must not share images: for simulations, use another seed.
	Train, Validation score.MapSource

	// SigmaMin and SigmaMax bound the noise levels, in image units.
	SigmaMin, SigmaMax float64

	Net   score.UNetConfig // InChannels and OutChannels are set to 1
	Steps int
	Adam  score.AdamConfig
	Seed  uint64 // of the initial weights and the noise

	// ValidationBatches is the number of held-out batches; ValidateEvery
	// is the number of steps between validations (0: after the last only).
	ValidationBatches, ValidateEvery int

	// ScaleBatches and PowerBatches are the numbers of training batches
	// that set the scale s and the power spectrum of the Wiener baseline.
	// Zero means 16 and 64.
	ScaleBatches, PowerBatches int

	// Info describes the images: PixelArcsec, ZeroPoint, Training and
	// Population are copied into the model, and Train sets the rest.
	Info Info

	Progress func(score.Progress)

	// Baseline, unless nil, is called before the first step with the
	// validation losses of the Wiener denoiser and of a zero score.
	Baseline func(wiener, identity float64)
}

// validationStream is XORed into the noise seed of the held-out batches.
const validationStream = 0x6a09e667f3bcc909

// Train fits an image prior by denoising score matching. The network
// starts with a zero last layer, so the untrained prior has a zero score.
// It returns the model with its validation loss and those of the two
// baselines in its Info.
func Train(cfg TrainConfig) (*Model, error) {
	start := time.Now()
	switch {
	case cfg.Train == nil || cfg.Validation == nil:
		return nil, errors.New("imageprior: training needs a source of training images and one of held-out images")
	case cfg.ValidationBatches < 1:
		return nil, fmt.Errorf("imageprior: %d validation batches: at least 1 is needed", cfg.ValidationBatches)
	case cfg.Steps < 0 || cfg.ValidateEvery < 0 || cfg.ScaleBatches < 0 || cfg.PowerBatches < 0:
		return nil, fmt.Errorf("imageprior: negative steps %d, validation interval %d or batch counts %d, %d", cfg.Steps, cfg.ValidateEvery, cfg.ScaleBatches, cfg.PowerBatches)
	}
	scaleBatches, powerBatches := cfg.ScaleBatches, cfg.PowerBatches
	if scaleBatches == 0 {
		scaleBatches = 16
	}
	if powerBatches == 0 {
		powerBatches = 64
	}

	// The scale, the training pairs and the held-out pairs.
	scale, err := MeasureScale(cfg.Train, scaleBatches)
	if err != nil {
		return nil, err
	}
	pc := PairsConfig{Source: cfg.Train, Scale: scale, SigmaMin: cfg.SigmaMin, SigmaMax: cfg.SigmaMax, Seed: cfg.Seed}
	pairs, err := NewPairs(pc)
	if err != nil {
		return nil, err
	}
	vc := pc
	vc.Source, vc.Seed = cfg.Validation, cfg.Seed^validationStream
	val, err := NewPairs(vc)
	if err != nil {
		return nil, err
	}
	heldOut := score.NewHeldOut(val.Batch, cfg.ValidationBatches)
	_, target, _ := heldOut.Batch(0)
	size := target.W
	if target.H != size {
		return nil, fmt.Errorf("imageprior: training images of %d × %d pixels: they must be square", target.W, target.H)
	}

	// The network, with a zero last layer.
	netCfg := cfg.Net
	netCfg.InChannels, netCfg.OutChannels = 1, 1
	net := score.NewUNet(netCfg, rand.New(rand.NewPCG(cfg.Seed, 0)))
	if err := net.Check(size, size); err != nil {
		return nil, fmt.Errorf("imageprior: training images: %w", err)
	}
	for _, p := range net.Parameters() {
		if p.Name == "final.conv.weight" || p.Name == "final.conv.bias" {
			clear(p.Value)
		}
	}
	opt := score.NewAdam(net.Parameters(), cfg.Adam)

	// The baselines.
	power, err := powerSpectrum(cfg.Train, powerBatches, size)
	if err != nil {
		return nil, err
	}
	wiener := wienerLoss(heldOut, power, size, scale)
	identity := heldOut.Loss(net) // the zero last layer gives a zero score
	if cfg.Baseline != nil {
		cfg.Baseline(wiener, identity)
	}

	err = score.Train(net, pairs.Batch, opt, score.TrainConfig{
		Steps: cfg.Steps, Validate: func() float64 { return heldOut.Loss(net) }, ValidateEvery: cfg.ValidateEvery,
		Progress: cfg.Progress,
	})
	if err != nil {
		return nil, fmt.Errorf("imageprior: %w", err)
	}

	info := cfg.Info
	info.Scale, info.SigmaMin, info.SigmaMax, info.Size = scale, cfg.SigmaMin, cfg.SigmaMax, size
	info.ValidationLoss, info.WienerLoss, info.IdentityLoss = heldOut.LastLoss(), wiener, identity
	info.Seconds = time.Since(start).Seconds()
	return New(net, info)
}

// powerSpectrum returns the mean of |F x|² over the images of batches 0 to
// batches − 1 of src, an unnormalised FFT power map on size × size pixels
// with the mean (k = 0) included.
func powerSpectrum(src score.MapSource, batches, size int) ([]float64, error) {
	plan := fft.NewPlan2D(size, size)
	buf := make([]complex128, size*size)
	power := make([]float64, size*size)
	var t *nn.Tensor
	count := 0
	for i := range batches {
		t = src.Batch(t, i)
		if t.H != size || t.W != size {
			return nil, fmt.Errorf("imageprior: training images of %d × %d pixels and held-out images of %d × %d: they must have one size", t.W, t.H, size, size)
		}
		for b := range t.N {
			for q, v := range t.Plane(b, 0) {
				buf[q] = complex(float64(v), 0)
			}
			plan.Forward(buf, buf)
			for q, v := range buf {
				power[q] += real(v)*real(v) + imag(v)*imag(v)
			}
			count++
		}
	}
	for q := range power {
		power[q] /= float64(count)
	}
	return power, nil
}

// wienerLoss returns the loss on the held-out batches of the Wiener
// denoiser of power, D(x̃) = F⁻¹[P/(P + Nσ²) F x̃] with N the pixel count,
// as a network output: (D(x̃) − x̃)/σ, to be compared with the target −n.
func wienerLoss(heldOut *score.HeldOut, power []float64, size int, scale float64) float64 {
	plan := fft.NewPlan2D(size, size)
	n := size * size
	buf := make([]complex128, n)
	noisy := make([]float64, n)
	var total float64
	for i := range heldOut.Len() {
		in, target, sigma := heldOut.Batch(i)
		var sum float64
		for b := range in.N {
			s := math.Exp(float64(sigma[b])) / scale
			c := inputScale(scale, s)
			for q, v := range in.Plane(b, 0) {
				noisy[q] = float64(v) / c
				buf[q] = complex(noisy[q], 0)
			}
			plan.Forward(buf, buf)
			for q, p := range power {
				buf[q] *= complex(p/(p+float64(n)*s*s), 0)
			}
			plan.Inverse(buf, buf)
			for q, t := range target.Plane(b, 0) {
				u := (real(buf[q])/float64(n) - noisy[q]) / s
				sum += (u - float64(t)) * (u - float64(t))
			}
		}
		total += sum / float64(len(in.Data))
	}
	return total / float64(heldOut.Len())
}
