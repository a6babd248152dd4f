package kaiser

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkKS times one shear-to-convergence inversion (forward FFT,
// multiplier, inverse FFT, E and B out) on square maps.
func BenchmarkKS(b *testing.B) {
	for _, n := range []int{360, 1024, 4096} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			g1, g2 := randomField(rng, n*n), randomField(rng, n*n)
			kE, kB := make([]float64, n*n), make([]float64, n*n)
			tr, err := New(n, n, Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				tr.Convergence(kE, kB, g1, g2)
			}
		})
	}
}
