package score

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/nn"
)

// MeanSquaredError returns the L2 loss of out against target, the mean of
// (out − target)² over all elements. Unless grad is nil, it stores the gradient
// 2(out − target)/n in grad, with n the number of elements. It panics if
// the three tensors differ in shape.
func MeanSquaredError(grad, out, target *nn.Tensor) float64 {
	checkSameShape("MeanSquaredError", out, target)
	if grad != nil {
		checkSameShape("MeanSquaredError", grad, out)
	}
	n := len(out.Data)
	if n == 0 {
		return 0
	}
	scale := float32(2 / float64(n))
	var sum float64
	for i, o := range out.Data {
		d := o - target.Data[i]
		sum += float64(d) * float64(d)
		if grad != nil {
			grad.Data[i] = scale * d
		}
	}
	return sum / float64(n)
}

func checkSameShape(caller string, a, b *nn.Tensor) {
	if a.N != b.N || a.C != b.C || a.H != b.H || a.W != b.W {
		panic(fmt.Sprintf("score: %s: shapes %d×%d×%d×%d and %d×%d×%d×%d differ", caller, a.N, a.C, a.H, a.W, b.N, b.C, b.H, b.W))
	}
}

// Batches returns the training batch of a step, counted from 1: noisy
// input images, the target images with the network's output shape, and
// one noise level per image. Train does not keep the tensors after the
// step, so Batches may reuse them.
type Batches func(step int) (in, target *nn.Tensor, sigma []float32)

// Progress is the state of a training run after one step.
type Progress struct {
	Step         int     // the optimiser's step count, counted over resumptions
	Loss         float64 // the training loss of the step's batch, before the update
	LearningRate float64 // the rate the step used

	// Validation is the value that TrainConfig.Validate returned after this
	// step, or NaN on steps without validation.
	Validation float64
}

// TrainConfig sets the length of a training run and its callbacks.
type TrainConfig struct {
	// Steps is the number of optimiser steps to take.
	Steps int

	// Validate, unless nil, is called after every ValidateEvery-th step
	// and after the last one, and its result is passed to Progress. It
	// may run the network, for example on held-out images with
	// MeanSquaredError.
	Validate func() float64

	// ValidateEvery is the number of steps between validations. Zero
	// means validation after the last step only.
	ValidateEvery int

	// Progress, unless nil, is called after every step.
	Progress func(Progress)
}

// Train minimises the mean squared error between net's output and the
// target images with opt, as DeepMass does to learn a posterior mean
// (Jeffrey, Lanusse, Lahav and Starck, "Deep learning dark matter map
// reconstructions from DES SV weak lensing data", MNRAS 492, 5023–5029,
// 2020, doi:10.1093/mnras/staa127). Each step draws a batch
// from batches, runs Forward and Backward and takes one optimiser step.
// Steps are numbered from opt.Steps() + 1, so a run resumed from a
// checkpoint continues the numbering and the schedule.
//
// Train returns an error, and stops before updating the parameters, if
// Forward rejects a batch or the loss is NaN or infinite (an error
// wrapping ErrNonFinite). It panics if opt is not the optimiser of net's
// parameters, or if cfg.Steps or cfg.ValidateEvery is negative.
func Train(net *UNet, batches Batches, opt *Adam, cfg TrainConfig) error {
	checkOptimizer("Train", net, opt)
	if cfg.Steps < 0 || cfg.ValidateEvery < 0 {
		panic(fmt.Sprintf("score: Train: negative Steps %d or ValidateEvery %d", cfg.Steps, cfg.ValidateEvery))
	}

	var out, grad *nn.Tensor
	for i := 1; i <= cfg.Steps; i++ {
		step := opt.Steps() + 1
		in, target, sigma := batches(step)

		// Forward pass and loss, with buffers that follow the batch shape.
		if out == nil || out.N != target.N || out.C != target.C || out.H != target.H || out.W != target.W {
			out = nn.NewTensor(target.N, target.C, target.H, target.W)
			grad = nn.NewTensor(target.N, target.C, target.H, target.W)
		}
		if err := net.Forward(out, in, sigma); err != nil {
			return fmt.Errorf("score: training step %d: %w", step, err)
		}
		loss := MeanSquaredError(grad, out, target)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("score: training step %d: loss is %v: %w", step, loss, ErrNonFinite)
		}

		// Backward pass and update.
		rate := opt.LearningRate()
		net.ZeroGrad()
		net.Backward(nil, grad)
		opt.Step()

		// Validation and progress.
		p := Progress{Step: step, Loss: loss, LearningRate: rate, Validation: math.NaN()}
		last := i == cfg.Steps
		if cfg.Validate != nil && (last || cfg.ValidateEvery > 0 && i%cfg.ValidateEvery == 0) {
			p.Validation = cfg.Validate()
		}
		if cfg.Progress != nil {
			cfg.Progress(p)
		}
	}
	return nil
}

// checkOptimizer panics unless opt updates exactly the parameters of net.
func checkOptimizer(caller string, net *UNet, opt *Adam) {
	params := net.Parameters()
	if len(opt.params) != len(params) {
		panic(fmt.Sprintf("score: %s: optimiser has %d parameters, network has %d", caller, len(opt.params), len(params)))
	}
	for i, p := range params {
		q := opt.params[i]
		if len(q.Value) != len(p.Value) || len(p.Value) > 0 && &q.Value[0] != &p.Value[0] {
			panic(fmt.Sprintf("score: %s: optimiser parameter %d (%s) is not the network's %s", caller, i, q.Name, p.Name))
		}
	}
}
