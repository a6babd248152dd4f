package imageprior

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

// PairsConfig sets the denoising score matching batches of a training run.
type PairsConfig struct {
	// Source gives the clean images, one channel each.
	Source score.MapSource

	// Scale is s, one over the typical pixel value of the images
	// (MeasureScale).
	Scale float64

	// SigmaMin and SigmaMax bound the noise levels, drawn log-uniformly
	// per image, in image units.
	SigmaMin, SigmaMax float64

	// Seed selects the noise and the noise levels: batch i draws them from
	// the PCG stream (Seed ⊕ noiseStream, i).
	Seed uint64
}

// noiseStream is XORed into the seed of the noise, so that it differs
// from a source's images drawn with the same seed.
const noiseStream = 0x2545f4914f6cdd1d

// Pairs makes denoising score matching batches. A clean image x is
// corrupted as x̃ = x + σn with n white and unit, the network's input is
// c_σ x̃ with c_σ = s/√(1 + s²σ²), its conditioning value ln(s σ), and its
// target −n. A Pairs is not safe for concurrent use, and Batch reuses its
// tensors.
type Pairs struct {
	cfg               PairsConfig
	clean, in, target *nn.Tensor
	sigma             []float32
}

// NewPairs returns the batches of cfg. It returns an error for a missing
// source, a scale that is not positive or an invalid noise range.
func NewPairs(cfg PairsConfig) (*Pairs, error) {
	switch {
	case cfg.Source == nil:
		return nil, errors.New("imageprior: the training pairs need a source of images")
	case !(cfg.Scale > 0) || math.IsInf(cfg.Scale, 0):
		return nil, fmt.Errorf("imageprior: scale %v: it must be positive", cfg.Scale)
	case !(cfg.SigmaMin > 0) || !(cfg.SigmaMax >= cfg.SigmaMin) || math.IsInf(cfg.SigmaMax, 0):
		return nil, fmt.Errorf("imageprior: noise levels %v to %v: need 0 < SigmaMin ≤ SigmaMax", cfg.SigmaMin, cfg.SigmaMax)
	}
	return &Pairs{cfg: cfg}, nil
}

// Batch returns batch i: network inputs, targets and conditioning values.
// It panics if i is negative or the source returns images of more than one
// channel.
func (p *Pairs) Batch(i int) (in, target *nn.Tensor, sigma []float32) {
	if i < 0 {
		panic(fmt.Sprintf("imageprior: Pairs.Batch: negative batch index %d", i))
	}
	p.clean = p.cfg.Source.Batch(p.clean, i)
	c := p.clean
	if c.C != 1 {
		panic(fmt.Sprintf("imageprior: Pairs.Batch: the source returns %d channels, want 1", c.C))
	}
	if p.in == nil {
		p.in = nn.NewTensor(c.N, 1, c.H, c.W)
		p.target = nn.NewTensor(c.N, 1, c.H, c.W)
		p.sigma = make([]float32, c.N)
	}

	rng := rand.New(rand.NewPCG(p.cfg.Seed^noiseStream, uint64(i)))
	logMin, logMax := math.Log(p.cfg.SigmaMin), math.Log(p.cfg.SigmaMax)
	for b := range c.N {
		s := math.Exp(logMin + (logMax-logMin)*rng.Float64())
		scale := inputScale(p.cfg.Scale, s)
		in, tg := p.in.Plane(b, 0), p.target.Plane(b, 0)
		for q, v := range c.Plane(b, 0) {
			n := rng.NormFloat64()
			in[q] = float32(scale * (float64(v) + s*n))
			tg[q] = float32(-n)
		}
		p.sigma[b] = conditioning(p.cfg.Scale, s)
	}
	return p.in, p.target, p.sigma
}

// inputScale is c_σ, the factor from a noisy image at noise level sigma to
// the network's input.
func inputScale(scale, sigma float64) float64 {
	return scale / math.Sqrt(1+scale*scale*sigma*sigma)
}

// conditioning is the network's noise-level input, ln(s σ).
func conditioning(scale, sigma float64) float32 { return float32(math.Log(scale * sigma)) }

// MeasureScale returns one over the root mean square pixel value of
// batches 0 to batches − 1 of src, the scale s of PairsConfig. It returns
// an error if the images are all zero or not finite.
func MeasureScale(src score.MapSource, batches int) (float64, error) {
	var sum2 float64
	var count int
	var t *nn.Tensor
	for i := range batches {
		t = src.Batch(t, i)
		for _, v := range t.Data {
			sum2 += float64(v) * float64(v)
		}
		count += len(t.Data)
	}
	rms := math.Sqrt(sum2 / float64(count))
	if !(rms > 0) || math.IsInf(rms, 0) {
		return 0, fmt.Errorf("imageprior: the training images have a root mean square pixel value of %v: they must be finite and not all zero", rms)
	}
	return 1 / rms, nil
}
