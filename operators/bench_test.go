package operators

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkConvolution times one PSF convolution (Apply) of a 1024 x 1024
// image with a 20 x 20 PSF, the size of the HST PSFs of the reference data.
func BenchmarkConvolution(b *testing.B) {
	for _, bnd := range []Boundary{ZeroPad, Periodic} {
		b.Run(fmt.Sprintf("n=1024/%v", bnd), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			const n, k = 1024, 20
			c, err := NewConvolution(n, n, randomPSF(rng, k, k), k, k, bnd)
			if err != nil {
				b.Fatal(err)
			}
			x := randomVector(rng, n*n)
			y := make([]float64, n*n)
			b.ReportAllocs()
			for b.Loop() {
				c.Apply(y, x)
			}
		})
	}
}
