package score_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

// benchConfig is the network of the benchmarks and of the PyTorch
// reference bench/unet_torch.py: Depth 3, 32 base channels, group
// normalisation and SiLU, one image channel plus the noise-level channel.
var benchConfig = score.UNetConfig{Depth: 3, BaseChannels: 32, GroupNorm: true, Activation: nn.SiLU}

// BenchmarkUNet times a forward pass and a forward and backward pass of
// benchConfig at 128×128 and 360×360 with batches of 1 and 8. The
// backward pass computes the gradients of the parameters and of the input.
// Sub-benchmarks are named CASE/SIZE/batchN, as those of nn's
// BenchmarkConv2D, for bench/conv_run.sh.
func BenchmarkUNet(b *testing.B) {
	for _, c := range []string{"forward", "forward+backward"} {
		for _, size := range []int{128, 360} {
			for _, batch := range []int{1, 8} {
				b.Run(fmt.Sprintf("%s/%d/batch%d", c, size, batch), func(b *testing.B) {
					benchUNet(b, c == "forward+backward", size, batch)
				})
			}
		}
	}
}

func benchUNet(b *testing.B, backward bool, size, batch int) {
	rng := rand.New(rand.NewPCG(1, 2))
	u := score.NewUNet(benchConfig, rng)
	in := randomTensor(rng, batch, 1, size, size)
	out := nn.NewTensor(batch, 1, size, size)
	inGrad := nn.NewTensor(batch, 1, size, size)
	outGrad := randomTensor(rng, batch, 1, size, size)
	sigma := make([]float32, batch)
	for i := range sigma {
		sigma[i] = 1
	}
	pass := func() {
		if err := u.Forward(out, in, sigma); err != nil {
			b.Fatal(err)
		}
		if backward {
			u.ZeroGrad()
			u.Backward(inGrad, outGrad)
		}
	}
	pass() // warm-up: the buffers grow here
	b.ReportAllocs()
	for b.Loop() {
		pass()
	}
}
