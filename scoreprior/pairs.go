package scoreprior

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/priors"
	"github.com/skyinv/skyinv/score"
)

// PairsConfig sets the denoising score matching batches of a training run.
type PairsConfig struct {
	// Size is the side of the square training maps in pixels, and
	// PixelArcmin their pixel size. The maps are periodic fields of that
	// size, so the Gaussian part of the score is exact for them.
	Size        int
	PixelArcmin float64

	// Ell and Cl are the convergence power spectrum, C_ℓ per steradian.
	Ell, Cl []float64

	// PixelWindow multiplies the spectrum by the window of square pixels
	// (powerspec.PixelWindow), as for maps of pixel averages.
	PixelWindow bool

	// Shifts lists the kinds of field, taken in turn by batch: 0 for
	// Gaussian fields, a positive shift for shifted lognormal ones. Empty
	// means {0}.
	Shifts []float64

	// SigmaMin and SigmaMax bound the noise levels, drawn log-uniformly
	// per map, in convergence units.
	SigmaMin, SigmaMax float64

	// Batch is the number of maps per batch, and Seed selects them: batch
	// i depends only on the configuration and i.
	Batch int
	Seed  uint64
}

// noiseStream is XORed into the seed for the noise and the noise levels,
// so that they differ from the fields drawn with the same seed.
const noiseStream = 0x2545f4914f6cdd1d

// Pairs makes denoising score matching batches for the network of a
// hybrid prior. A map x is corrupted as x̃ = x + σn with n white and unit,
// and the network's target is −n − σ s_G(x̃, σ), with s_G the Gaussian
// prior's score: the part of −n that the Gaussian score does not explain.
// Its input is x̃ times Scale/√(1 + (Scale·σ)²), of order one at every
// noise level, and its conditioning value is ln(Scale·σ).
//
// A Pairs is not safe for concurrent use, and Batch reuses its tensors.
type Pairs struct {
	cfg     PairsConfig
	scale   float64
	sources []*score.SimulatedMaps
	gauss   *priors.Gaussian

	clean, in, target *nn.Tensor
	sigma             []float32
	noisy, sg, noise  []float64
}

// NewPairs returns the batches of cfg. It returns an error for an invalid
// size, pixel size, spectrum, shift, noise range or batch size.
func NewPairs(cfg PairsConfig) (*Pairs, error) {
	if len(cfg.Shifts) == 0 {
		cfg.Shifts = []float64{0}
	}
	switch {
	case cfg.Size < 2:
		return nil, fmt.Errorf("scoreprior: map size %d: it must be at least 2", cfg.Size)
	case !(cfg.PixelArcmin > 0) || math.IsInf(cfg.PixelArcmin, 0):
		return nil, fmt.Errorf("scoreprior: invalid pixel size %v arcmin", cfg.PixelArcmin)
	case !(cfg.SigmaMin > 0) || !(cfg.SigmaMax >= cfg.SigmaMin) || math.IsInf(cfg.SigmaMax, 0):
		return nil, fmt.Errorf("scoreprior: noise levels %v to %v: need 0 < SigmaMin ≤ SigmaMax", cfg.SigmaMin, cfg.SigmaMax)
	case cfg.Batch < 1:
		return nil, errors.New("scoreprior: the batch needs at least 1 map")
	}
	power, err := powerMap(cfg.Ell, cfg.Cl, cfg.Size, cfg.Size, cfg.PixelArcmin, cfg.PixelWindow)
	if err != nil {
		return nil, err
	}
	p := &Pairs{cfg: cfg, scale: scaleOf(power, cfg.Size*cfg.Size)}

	// One source of maps per kind of field.
	for _, shift := range cfg.Shifts {
		src, err := score.NewSimulatedMaps(score.SimulatedConfig{
			Power: power, NX: cfg.Size, NY: cfg.Size, Shift: shift,
			Crop:      score.Crop{Height: cfg.Size, Width: cfg.Size, Flip: true, Rotate: true},
			BatchSize: cfg.Batch, Seed: cfg.Seed,
		})
		if err != nil {
			return nil, fmt.Errorf("scoreprior: %w", err)
		}
		p.sources = append(p.sources, src)
	}

	if p.gauss, err = priors.NewGaussian(power, cfg.Size, cfg.Size); err != nil {
		return nil, fmt.Errorf("scoreprior: %w", err)
	}
	n := cfg.Size * cfg.Size
	p.clean = nn.NewTensor(cfg.Batch, 1, cfg.Size, cfg.Size)
	p.in = nn.NewTensor(cfg.Batch, 1, cfg.Size, cfg.Size)
	p.target = nn.NewTensor(cfg.Batch, 1, cfg.Size, cfg.Size)
	p.sigma = make([]float32, cfg.Batch)
	p.noisy, p.sg, p.noise = make([]float64, n), make([]float64, n), make([]float64, n)
	return p, nil
}

// Scale returns the factor between convergence and network units: one
// over the prior's standard deviation of κ per pixel.
func (p *Pairs) Scale() float64 { return p.scale }

// Batch returns batch i: network inputs, targets and conditioning values.
// It panics if i is negative.
func (p *Pairs) Batch(i int) (in, target *nn.Tensor, sigma []float32) {
	if i < 0 {
		panic(fmt.Sprintf("scoreprior: Pairs.Batch: negative batch index %d", i))
	}
	src := p.sources[i%len(p.sources)]
	src.Batch(p.clean, i)
	rng := rand.New(rand.NewPCG(p.cfg.Seed^noiseStream, uint64(i)))
	logMin, logMax := math.Log(p.cfg.SigmaMin), math.Log(p.cfg.SigmaMax)
	for b := range p.cfg.Batch {
		s := math.Exp(logMin + (logMax-logMin)*rng.Float64())
		for q, v := range p.clean.Plane(b, 0) {
			p.noise[q] = rng.NormFloat64()
			p.noisy[q] = float64(v) + s*p.noise[q]
		}
		p.gauss.Score(p.sg, p.noisy, s)
		in, tg := p.in.Plane(b, 0), p.target.Plane(b, 0)
		c := inputScale(p.scale, s)
		for q := range in {
			in[q] = float32(c * p.noisy[q])
			tg[q] = float32(-p.noise[q] - s*p.sg[q])
		}
		p.sigma[b] = conditioning(p.scale, s)
	}
	return p.in, p.target, p.sigma
}

// inputScale is the factor from a noisy map at noise level s to the
// network's input.
func inputScale(scale, s float64) float64 {
	return scale / math.Sqrt(1+scale*scale*s*s)
}

// conditioning is the network's noise-level input.
func conditioning(scale, s float64) float32 { return float32(math.Log(scale * s)) }

// scaleOf returns one over the pixel standard deviation of a power map.
func scaleOf(power []float64, n int) float64 {
	var v float64
	for _, p := range power {
		v += p
	}
	return float64(n) / math.Sqrt(v)
}

// powerMap checks a spectrum and returns its power map on a grid, with the
// pixel window if window is set.
func powerMap(ell, cl []float64, nx, ny int, pixelArcmin float64, window bool) ([]float64, error) {
	t, err := newTable(ell, cl)
	if err != nil {
		return nil, err
	}
	power := powerspec.PowerMap(t.At, nx, ny, pixelArcmin/60*math.Pi/180)
	if window {
		powerspec.PixelWindow(power, nx, ny)
	}
	return power, nil
}
