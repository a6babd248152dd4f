package starlet_test

import (
	"fmt"
	"testing"

	"github.com/skyinv/skyinv/starlet"
)

// benchScales is the number of wavelet scales in every benchmark, the same
// as in bench/starlet_numpy.py.
const benchScales = 5

// BenchmarkStarlet times one forward transform of an n×n map of the
// formula image (see formulaImage) with Mirror boundaries, with the default
// number of workers and with one.
func BenchmarkStarlet(b *testing.B) {
	for _, n := range []int{128, 256, 1024} {
		for _, workers := range []int{0, 1} {
			name := fmt.Sprintf("n=%d", n)
			if workers == 1 {
				name += "/workers=1"
			}
			b.Run(name, func(b *testing.B) {
				tr := newTransform(b, n, n, benchScales, starlet.Options{Workers: workers})
				image := formulaImage(n, n)
				coeffs := tr.NewCoeffs()
				b.SetBytes(int64(8 * n * n))
				b.ResetTimer()
				for b.Loop() {
					tr.Forward(coeffs, image)
				}
			})
		}
	}
}

// BenchmarkStarletAdjoint times one adjoint transform, the other half of
// each iteration of a proximal solver, in the setting of BenchmarkStarlet.
func BenchmarkStarletAdjoint(b *testing.B) {
	const n = 1024
	tr := newTransform(b, n, n, benchScales, starlet.Options{})
	image := formulaImage(n, n)
	coeffs := tr.NewCoeffs()
	tr.Forward(coeffs, image)
	b.SetBytes(int64(8 * n * n))
	b.ResetTimer()
	for b.Loop() {
		tr.Adjoint(image, coeffs)
	}
}

// formulaImage returns an nx×ny map that bench/starlet_numpy.py builds with
// the same formula: integer arithmetic modulo a prime for small-scale
// structure plus a linear ramp, so both languages get the same values to
// the last bit.
func formulaImage(nx, ny int) []float64 {
	image := make([]float64, nx*ny)
	for y := range ny {
		for x := range nx {
			v := (x*x + 3*y*y + 7*x*y + 5*x) % 1021
			image[y*nx+x] = float64(v)/1021 + float64(x)/float64(nx) - float64(y)/float64(2*ny)
		}
	}
	return image
}
