package nn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/nn"
)

func BenchmarkProfFwd(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	c := nn.NewConv2D(32, 32, 3, 3)
	c.InitUniform(rng)
	c.Workers = 1
	in := randomTensor(rng, 1, 32, 360, 360)
	out := nn.NewTensor(1, 32, 360, 360)
	for b.Loop() {
		c.Forward(out, in)
	}
	b.ReportMetric(2*float64(360*360*32*32*9)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
