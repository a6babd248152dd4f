package nn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/nn"
)

// BenchmarkConv2D times a 3×3 convolution from 32 to 32 channels, the
// layer that bench/conv_torch.py times in PyTorch. GFLOP/s counts two
// operations per multiply-add: 2·N·H·W·32·32·9 for the forward pass and
// three times that for forward plus backward (input and weight gradients).
func BenchmarkConv2D(b *testing.B) {
	const channels, kernel = 32, 3
	for _, size := range []int{128, 360} {
		for _, batch := range []int{1, 8} {
			rng := rand.New(rand.NewPCG(1, 1))
			c := nn.NewConv2D(channels, channels, kernel, kernel)
			c.InitUniform(rng)
			in := randomTensor(rng, batch, channels, size, size)
			out := nn.NewTensor(batch, channels, size, size)
			g := randomTensor(rng, batch, channels, size, size)
			dIn := nn.NewTensor(batch, channels, size, size)
			flops := 2 * float64(batch*size*size*channels*channels*kernel*kernel)

			b.Run(fmt.Sprintf("forward/%d/batch%d", size, batch), func(b *testing.B) {
				for b.Loop() {
					c.Forward(out, in)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
			b.Run(fmt.Sprintf("forward+backward/%d/batch%d", size, batch), func(b *testing.B) {
				for b.Loop() {
					c.Forward(out, in)
					c.Backward(dIn, g, in)
				}
				b.ReportMetric(3*flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkLayers times the element-wise and normalisation layers on the
// activations of the first U-Net level: 32 channels at 360×360, batch 1.
func BenchmarkLayers(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	in := randomTensor(rng, 1, 32, 360, 360)
	out := nn.NewTensor(1, 32, 360, 360)
	g := randomTensor(rng, 1, 32, 360, 360)
	dIn := nn.NewTensor(1, 32, 360, 360)
	silu := nn.NewActivation(nn.SiLU, 0)
	gn := nn.NewGroupNorm(8, 32)
	b.Run("SiLU/forward", func(b *testing.B) {
		for b.Loop() {
			silu.Forward(out, in)
		}
	})
	b.Run("SiLU/backward", func(b *testing.B) {
		for b.Loop() {
			silu.Backward(dIn, g, in)
		}
	})
	b.Run("GroupNorm/forward", func(b *testing.B) {
		for b.Loop() {
			gn.Forward(out, in)
		}
	})
	b.Run("GroupNorm/backward", func(b *testing.B) {
		for b.Loop() {
			gn.Backward(dIn, g, in)
		}
	})
}
