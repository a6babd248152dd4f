package score_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

// The held-out batches are copies: a source that reuses its tensors does
// not change them, and Loss matches the loss of each batch computed
// directly.
func TestHeldOutCopiesBatches(t *testing.T) {
	const tol = 1e-12
	batches := denoisingTask(t, 2, 8, 0.3, 5)
	heldOut := score.NewHeldOut(batches, 3)
	if heldOut.Len() != 3 {
		t.Fatalf("Len = %d, want 3", heldOut.Len())
	}
	in0, _, _ := heldOut.Batch(0)
	first := append([]float32(nil), in0.Data...)
	batches(3) // the source overwrites its tensors
	if in, _, _ := heldOut.Batch(0); !slices.Equal(in.Data, first) {
		t.Error("batch 0 changed after the source drew another batch")
	}

	net := score.NewUNet(score.UNetConfig{Depth: 1, BaseChannels: 4}, rand.New(rand.NewPCG(1, 2)))
	if last := heldOut.LastLoss(); !math.IsNaN(last) {
		t.Errorf("LastLoss before any Loss = %v, want NaN", last)
	}
	var want float64
	for i := range heldOut.Len() {
		in, target, sigma := heldOut.Batch(i)
		out := nn.NewTensor(target.N, target.C, target.H, target.W)
		if err := net.Forward(out, in, sigma); err != nil {
			t.Fatal(err)
		}
		want += score.MeanSquaredError(nil, out, target) / 3
	}
	if got := heldOut.Loss(net); math.Abs(got-want) > tol*want {
		t.Errorf("Loss = %v, want %v", got, want)
	}
	if last := heldOut.LastLoss(); math.Abs(last-want) > tol*want {
		t.Errorf("LastLoss = %v, want the Loss %v", last, want)
	}
}

func TestHeldOutNonFiniteLossIsNaN(t *testing.T) {
	batches := denoisingTask(t, 1, 8, 0.3, 6)
	heldOut := score.NewHeldOut(batches, 1)
	in, _, _ := heldOut.Batch(0)
	in.Data[3] = float32(math.NaN()) // a corrupt input: Forward rejects it
	net := score.NewUNet(score.UNetConfig{Depth: 1, BaseChannels: 4}, rand.New(rand.NewPCG(1, 2)))
	if got := heldOut.Loss(net); !math.IsNaN(got) {
		t.Errorf("Loss = %v, want NaN", got)
	}
}
