package score

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/nn"
)

// HeldOut is a fixed set of validation batches. NewHeldOut copies them, so
// a source that reuses its tensors, as most Batches do, cannot change
// them afterwards.
type HeldOut struct {
	batches []heldOutBatch
	out     *nn.Tensor
	last    float64 // the result of the latest Loss
}

type heldOutBatch struct {
	in, target *nn.Tensor
	sigma      []float32
}

// NewHeldOut copies batches(i) for i = 0, …, n − 1. It panics if n < 1.
func NewHeldOut(batches Batches, n int) *HeldOut {
	if n < 1 {
		panic(fmt.Sprintf("score: NewHeldOut: %d batches, at least 1 is needed", n))
	}
	h := &HeldOut{batches: make([]heldOutBatch, n), last: math.NaN()}
	for i := range h.batches {
		in, target, sigma := batches(i)
		h.batches[i] = heldOutBatch{in.Clone(), target.Clone(), append([]float32(nil), sigma...)}
	}
	return h
}

// Len returns the number of batches.
func (h *HeldOut) Len() int { return len(h.batches) }

// Batch returns batch i. The caller must not modify it.
func (h *HeldOut) Batch(i int) (in, target *nn.Tensor, sigma []float32) {
	b := h.batches[i]
	return b.in, b.target, b.sigma
}

// Loss returns the mean over the batches of the MeanSquaredError of net's
// output, or NaN if a forward pass fails, and records it for LastLoss.
func (h *HeldOut) Loss(net *UNet) float64 {
	h.last = h.loss(net)
	return h.last
}

// LastLoss returns the result of the latest Loss call, or NaN before the
// first: after Train with Validate calling Loss, the final validation
// loss.
func (h *HeldOut) LastLoss() float64 { return h.last }

func (h *HeldOut) loss(net *UNet) float64 {
	var sum float64
	for _, b := range h.batches {
		t := b.target
		if h.out == nil || h.out.N != t.N || h.out.C != t.C || h.out.H != t.H || h.out.W != t.W {
			h.out = nn.NewTensor(t.N, t.C, t.H, t.W)
		}
		if err := net.Forward(h.out, b.in, b.sigma); err != nil {
			return math.NaN()
		}
		sum += MeanSquaredError(nil, h.out, t)
	}
	return sum / float64(len(h.batches))
}
