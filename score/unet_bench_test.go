package score_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

// BenchmarkUNetForward times one forward pass of a Depth 3, BaseChannels
// 32 network with group normalisation and SiLU on a batch of one image,
// and reports milliseconds per pass.
func BenchmarkUNetForward(b *testing.B) {
	for _, size := range []int{128, 360} {
		b.Run(fmt.Sprintf("%dx%d", size, size), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			u := score.NewUNet(score.UNetConfig{Depth: 3, BaseChannels: 32, GroupNorm: true, Activation: nn.SiLU}, rng)
			in := randomTensor(rng, 1, 1, size, size)
			out := nn.NewTensor(1, 1, size, size)
			sigma := []float32{1}
			if err := u.Forward(out, in, sigma); err != nil { // warm-up
				b.Fatal(err)
			}
			b.ReportAllocs()
			passes := 0
			for b.Loop() {
				if err := u.Forward(out, in, sigma); err != nil {
					b.Fatal(err)
				}
				passes++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(passes), "ms/pass")
		})
	}
}
