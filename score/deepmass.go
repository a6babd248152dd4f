package score

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/nn"
)

// DeepMassConfig sets the survey that NewDeepMassPairs simulates: its
// shape noise, its mask and the Kaiser-Squires inversion applied to the
// noisy shear.
type DeepMassConfig struct {
	// NoiseVar is the variance of the shape noise of each shear component
	// in each pixel, H × W values indexed y*W + x like the maps. +Inf marks
	// a pixel without galaxies, whose shear is set to zero. Values must be
	// non-negative or +Inf, and at least one must be finite.
	NoiseVar []float64

	// SmoothArcmin, PixelArcmin and Pad set the inversion as the fields
	// of the same names in kaiser.Options do. Zero means no smoothing and
	// no padding.
	SmoothArcmin float64
	PixelArcmin  float64
	Pad          int

	// Seed selects the noise, drawn for batch i from the PCG stream
	// (Seed ⊕ 0x9e3779b97f4a7c15, i) of math/rand/v2. The constant keeps
	// the noise apart from the stream (Seed, i) of a SimulatedMaps source
	// with the same seed.
	Seed uint64
}

// deepMassStream is XORed into DeepMassConfig.Seed so that the noise
// stream differs from the map stream of a source with the same seed.
const deepMassStream = 0x9e3779b97f4a7c15

// DeepMassPairs makes training pairs for the DeepMass posterior-mean
// estimator (Jeffrey, Lanusse, Lahav and Starck, "Deep learning dark
// matter map reconstructions from DES SV weak lensing data", MNRAS 492,
// 5023–5029, 2020, doi:10.1093/mnras/staa127): the Kaiser-Squires map of
// a noisy, masked shear field as input and the true convergence as
// target. A U-Net trained on them with Train's L2 loss approximates the
// posterior mean of the convergence given the Kaiser-Squires map, under
// the prior of the map source.
//
// Each input has two channels: the Kaiser-Squires E-mode map (channel 0)
// and the mask (channel 1, 1 where NoiseVar is finite and 0 elsewhere),
// so the network takes UNetConfig{InChannels: 2, OutChannels: 1}.
// DeepMass is not conditioned on a noise level, so every noise level
// that Batch returns is 0 and the U-Net's noise-level channel is a
// constant zero.
//
// The Kaiser-Squires map has zero mean over the transform grid, because
// shear does not constrain the mean of κ, but the target keeps its mean.
// The network can only estimate that mean from the prior of the maps.
//
// A DeepMassPairs is not safe for concurrent use. Batch reuses its
// tensors, so a caller that keeps a batch past the next call must copy it.
type DeepMassPairs struct {
	maps     MapSource
	noiseStd []float64 // per pixel, 0 where masked
	mask     []float32 // per pixel, 1 or 0
	ks       *kaiser.Transform
	seed     uint64
	pcg      *rand.PCG
	rng      *rand.Rand

	// Tensors returned by Batch.
	in, target *nn.Tensor
	sigma      []float32

	// Work maps of one image, float64 for the kaiser transforms.
	kappa, g1, g2, kappaE []float64
}

var _ Batches = (*DeepMassPairs)(nil).Batch

// NewDeepMassPairs returns a source of DeepMass training pairs whose
// targets are the batches of maps. It draws batch 0 of maps once to learn
// the map shape. It returns an error if the maps do not have one channel,
// if NoiseVar does not have one value per pixel, has a negative or NaN
// value or has no finite value, or if kaiser.New rejects the inversion
// settings.
func NewDeepMassPairs(maps MapSource, cfg DeepMassConfig) (*DeepMassPairs, error) {
	target := maps.Batch(nil, 0)
	if target.C != 1 {
		return nil, fmt.Errorf("score: DeepMass pairs: map source returns %d channels, expected 1 (single-channel convergence maps)", target.C)
	}
	h, w := target.H, target.W
	if len(cfg.NoiseVar) != h*w {
		return nil, fmt.Errorf("score: DeepMass pairs: noise variance map has %d values, expected %d, one per pixel of the %d×%d maps", len(cfg.NoiseVar), h*w, h, w)
	}

	// Noise standard deviations and mask.
	noiseStd := make([]float64, h*w)
	mask := make([]float32, h*w)
	observed := 0
	for p, v := range cfg.NoiseVar {
		switch {
		case math.IsInf(v, 1):
			continue
		case math.IsNaN(v) || v < 0:
			return nil, fmt.Errorf("score: DeepMass pairs: noise variance %v at pixel (x=%d, y=%d) is invalid: it must be non-negative, or +Inf for a masked pixel", v, p%w, p/w)
		}
		noiseStd[p] = math.Sqrt(v)
		mask[p] = 1
		observed++
	}
	if observed == 0 {
		return nil, errors.New("score: DeepMass pairs: every pixel of the noise variance map is +Inf (masked): at least one must be finite")
	}

	ks, err := kaiser.New(w, h, kaiser.Options{SmoothArcmin: cfg.SmoothArcmin, PixelArcmin: cfg.PixelArcmin, Pad: cfg.Pad})
	if err != nil {
		return nil, fmt.Errorf("score: DeepMass pairs: %w", err)
	}
	ks.SetWorkers(1)

	pcg := rand.NewPCG(0, 0)
	return &DeepMassPairs{
		maps:     maps,
		noiseStd: noiseStd,
		mask:     mask,
		ks:       ks,
		seed:     cfg.Seed ^ deepMassStream,
		pcg:      pcg,
		rng:      rand.New(pcg),
		in:       nn.NewTensor(target.N, 2, h, w),
		target:   target,
		sigma:    make([]float32, target.N),
		kappa:    make([]float64, h*w),
		g1:       make([]float64, h*w),
		g2:       make([]float64, h*w),
		kappaE:   make([]float64, h*w),
	}, nil
}

// Batch draws training pair i and returns inputs N×2×H×W, targets
// N×1×H×W (batch i of the map source) and N noise levels, all 0. Pair i
// depends only on the map source, the configuration and i. Batch has the
// type Batches, so p.Batch can be passed to Train, which numbers steps
// from 1. It panics if i is negative.
func (p *DeepMassPairs) Batch(i int) (in, target *nn.Tensor, sigma []float32) {
	if i < 0 {
		panic(fmt.Sprintf("score: DeepMassPairs.Batch: negative batch index %d", i))
	}
	p.maps.Batch(p.target, i)
	p.pcg.Seed(p.seed, uint64(i))

	for n := 0; n < p.target.N; n++ {
		// Shear of the true map, in the sky convention of package kaiser.
		for q, v := range p.target.Plane(n, 0) {
			p.kappa[q] = float64(v)
		}
		p.ks.Shear(p.g1, p.g2, p.kappa, nil)

		// Shape noise, and zero shear in masked pixels. Both normals are
		// drawn for every pixel, so the noise of a pixel does not depend
		// on the mask elsewhere.
		for q, s := range p.noiseStd {
			n1, n2 := p.rng.NormFloat64(), p.rng.NormFloat64()
			if p.mask[q] == 0 {
				p.g1[q], p.g2[q] = 0, 0
				continue
			}
			p.g1[q] += s * n1
			p.g2[q] += s * n2
		}

		// Kaiser-Squires E mode and mask channels.
		p.ks.Convergence(p.kappaE, nil, p.g1, p.g2)
		plane := p.in.Plane(n, 0)
		for q, v := range p.kappaE {
			plane[q] = float32(v)
		}
		copy(p.in.Plane(n, 1), p.mask)
	}
	return p.in, p.target, p.sigma
}
