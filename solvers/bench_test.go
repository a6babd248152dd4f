package solvers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/internal/spin2"
)

// BenchmarkMessengerStep times one messenger-field iteration (model shear,
// pixel step, Fourier step) on an n×n grid with a power-law prior and 30%
// of the pixels masked.
func BenchmarkMessengerStep(b *testing.B) {
	for _, n := range []int{360, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			f := spin2.Frequencies(n)
			p := WienerProblem{NX: n, NY: n, Power: make([]float64, n*n), NoiseVar: make([]float64, n*n)}
			for y := range n {
				for x := range n {
					if k := math.Hypot(f[x], f[y]); k > 0 {
						p.Power[y*n+x] = float64(n*n) * 1e-4 * math.Pow(k, -1.5)
					}
				}
			}
			g1, g2 := make([]float64, n*n), make([]float64, n*n)
			for i := range p.NoiseVar {
				p.NoiseVar[i] = 0.01 * (1 + rng.Float64())
				if rng.Float64() < 0.3 {
					p.NoiseVar[i] = math.Inf(1)
				}
				g1[i], g2[i] = 0.1*rng.NormFloat64(), 0.1*rng.NormFloat64()
			}
			m, err := NewMessenger(p)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				m.Step(g1, g2, 1)
			}
		})
	}
}
