package deepmass

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

// TrainConfig sets a training run.
type TrainConfig struct {
	// Net is the U-Net's shape. InChannels and OutChannels are set to 2
	// and 1.
	Net score.UNetConfig

	// Crop is the side of the square windows cut from the training maps,
	// a multiple of 2^Depth no larger than the maps; 0 means whole maps.
	// Each window is flipped and turned at random, one of the 8 symmetries
	// of the square (whole maps only when they are square).
	Crop int

	// Batch is the number of windows per step, and Steps the number of
	// optimiser steps.
	Batch, Steps int

	// Adam sets the optimiser.
	Adam score.AdamConfig

	// Seed selects the initial weights and the windows of each step.
	Seed uint64

	// ValidateEvery is the number of steps between validations; 0 means
	// after the last step only.
	ValidateEvery int

	// Progress, unless nil, is called after every step.
	Progress func(score.Progress)

	// Resume, unless nil, continues a run from a checkpoint's network and
	// optimiser instead of new ones. Net and Adam are then ignored.
	Resume *Checkpoint

	// Checkpoint, unless nil, is called after every validation with the
	// state to save.
	Checkpoint func(Checkpoint) error
}

// Checkpoint is the state of a training run.
type Checkpoint struct {
	Net  *score.UNet
	Adam *score.Adam
}

// batchStream is XORed into TrainConfig.Seed for the stream of windows, so
// it differs from the stream of the initial weights.
const batchStream = 0x5bd1e9955bd1e995

// Train fits a DeepMass model to the simulation. From the Wiener filter
// and the mask, the U-Net learns the difference between the true
// convergence and the Wiener filter, with the L2 loss. Wiener filter plus
// network output then approximates the posterior mean. The network starts with
// a zero last layer, so the untrained model returns the Wiener filter. The
// validation loss is the mean squared error over all pixels of the whole
// validation maps, in units of Scale².
func Train(sim *Simulation, cfg TrainConfig) (*Model, error) {
	start := time.Now()
	train := sim.Train
	scale := sim.Scale()
	netCfg := cfg.Net
	netCfg.InChannels, netCfg.OutChannels = 2, 1

	var net *score.UNet
	var opt *score.Adam
	if cfg.Resume != nil {
		net, opt = cfg.Resume.Net, cfg.Resume.Adam
		if c := net.Config(); c.InChannels != 2 || c.OutChannels != 1 {
			return nil, fmt.Errorf("deepmass: the checkpoint's network maps %d channels to %d, not 2 to 1", c.InChannels, c.OutChannels)
		}
	} else {
		net = score.NewUNet(netCfg, rand.New(rand.NewPCG(cfg.Seed, 0)))
		for _, p := range net.Parameters() {
			if p.Name == "final.conv.weight" || p.Name == "final.conv.bias" {
				clear(p.Value)
			}
		}
		opt = score.NewAdam(net.Parameters(), cfg.Adam)
	}
	crop := cfg.Crop
	if crop == 0 && train.NX != train.NY {
		crop = -1
	}
	switch {
	case crop > 0 && (crop > train.NX || crop > train.NY):
		return nil, fmt.Errorf("deepmass: crop of %d pixels is larger than the %d × %d maps", crop, train.NX, train.NY)
	case cfg.Batch < 1 || cfg.Steps < 0 || cfg.ValidateEvery < 0:
		return nil, fmt.Errorf("deepmass: invalid batch %d, steps %d or validation interval %d", cfg.Batch, cfg.Steps, cfg.ValidateEvery)
	}
	h, w := train.NY, train.NX
	if crop > 0 {
		h, w = crop, crop
	}
	if err := net.Check(h, w); err != nil {
		return nil, fmt.Errorf("deepmass: training windows: %w", err)
	}
	if err := net.Check(train.NY, train.NX); err != nil {
		return nil, fmt.Errorf("deepmass: validation maps: %w", err)
	}

	b := &batcher{pairs: train, scale: scale, h: h, w: w, seed: cfg.Seed ^ batchStream,
		in: nn.NewTensor(cfg.Batch, 2, h, w), target: nn.NewTensor(cfg.Batch, 1, h, w), sigma: make([]float32, cfg.Batch)}
	val := newValidator(sim.Validation, scale)
	var lastVal float64 = math.NaN()
	var ckErr error
	tc := score.TrainConfig{
		Steps:         cfg.Steps,
		ValidateEvery: cfg.ValidateEvery,
		Progress: func(p score.Progress) {
			if !math.IsNaN(p.Validation) {
				lastVal = p.Validation
				if cfg.Checkpoint != nil && ckErr == nil {
					ckErr = cfg.Checkpoint(Checkpoint{Net: net, Adam: opt})
				}
			}
			if cfg.Progress != nil {
				cfg.Progress(p)
			}
		},
	}
	if val != nil {
		tc.Validate = func() float64 { return val.loss(net) }
	}
	if err := score.Train(net, b.batch, opt, tc); err != nil {
		return nil, fmt.Errorf("deepmass: %w", err)
	}
	if ckErr != nil {
		return nil, fmt.Errorf("deepmass: checkpoint: %w", ckErr)
	}

	c := sim.Config
	info := Info{
		Input:         InputWiener,
		PixelArcmin:   c.PixelArcmin,
		Ell:           c.Ell,
		Cl:            c.Cl,
		WienerTol:     c.WienerTol,
		WienerMaxIter: c.WienerMaxIter,
		Scale:         scale,
		Training: TrainingInfo{
			Maps:           len(train.Wiener),
			ValidationMaps: len(sim.Validation.Wiener),
			Shifts:         c.Shifts,
			Crop:           max(crop, 0),
			Seconds:        time.Since(start).Seconds(),
			ValidationLoss: lastVal,
			WienerLoss:     sim.WienerLoss(),
		},
	}
	return New(net, info)
}

// batcher cuts training windows.
type batcher struct {
	pairs      *Pairs
	scale      float64
	h, w       int
	seed       uint64
	in, target *nn.Tensor
	sigma      []float32
}

// batch fills the batch of a step: map, window and orientation from the
// PCG stream (seed, step).
func (b *batcher) batch(step int) (*nn.Tensor, *nn.Tensor, []float32) {
	rng := rand.New(rand.NewPCG(b.seed, uint64(step)))
	p := b.pairs
	square := b.h == b.w
	for n := range b.in.N {
		i := rng.IntN(len(p.Wiener))
		x0 := rng.IntN(p.NX - b.w + 1)
		y0 := rng.IntN(p.NY - b.h + 1)
		orient := rng.IntN(4)
		if square {
			orient = rng.IntN(8)
		}
		wf, truth := p.Wiener[i], p.Truth[i]
		in0, in1, tg := b.in.Plane(n, 0), b.in.Plane(n, 1), b.target.Plane(n, 0)
		s := float32(b.scale)
		for y := range b.h {
			for x := range b.w {
				u, v := x, y
				if orient&1 != 0 {
					u = b.w - 1 - u
				}
				if orient&2 != 0 {
					v = b.h - 1 - v
				}
				if orient&4 != 0 {
					u, v = v, u
				}
				q := (y0+v)*p.NX + x0 + u
				o := y*b.w + x
				in0[o] = s * wf[q]
				in1[o] = p.Mask[q]
				tg[o] = s * (truth[q] - wf[q])
			}
		}
	}
	return b.in, b.target, b.sigma
}

// validator computes the loss on whole validation maps.
type validator struct {
	pairs           *Pairs
	scale           float64
	in, target, out *nn.Tensor
	sigma           []float32
}

func newValidator(p *Pairs, scale float64) *validator {
	if len(p.Wiener) == 0 {
		return nil
	}
	v := &validator{pairs: p, scale: scale,
		in: nn.NewTensor(1, 2, p.NY, p.NX), target: nn.NewTensor(1, 1, p.NY, p.NX), out: nn.NewTensor(1, 1, p.NY, p.NX),
		sigma: []float32{0}}
	return v
}

func (v *validator) fill(i int) {
	s := float32(v.scale)
	wf, truth := v.pairs.Wiener[i], v.pairs.Truth[i]
	in0, in1, tg := v.in.Plane(0, 0), v.in.Plane(0, 1), v.target.Plane(0, 0)
	for q := range wf {
		in0[q] = s * wf[q]
		in1[q] = v.pairs.Mask[q]
		tg[q] = s * (truth[q] - wf[q])
	}
}

// loss returns the mean squared error of net on the validation maps, or
// NaN if a forward pass fails.
func (v *validator) loss(net *score.UNet) float64 {
	var sum float64
	for i := range v.pairs.Wiener {
		v.fill(i)
		if err := net.Forward(v.out, v.in, v.sigma); err != nil {
			return math.NaN()
		}
		sum += score.MeanSquaredError(nil, v.out, v.target)
	}
	return sum / float64(len(v.pairs.Wiener))
}
