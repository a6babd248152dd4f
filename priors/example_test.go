package priors_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/skyinv/skyinv/priors"
)

// The normalisation of a power map, shown on white noise. A field of
// pixel variance s² has P = N s² on every unnormalised FFT coefficient, N
// the number of pixels. Its prior then has log p(x) = −½ Σ x²/s² up to a
// constant, and score −x/(s² + σ²) at noise level σ.
func ExampleGaussian() {
	const nx, ny = 16, 12
	const n = nx * ny
	const s, sigma = 0.02, 0.01
	power := make([]float64, n)
	for i := range power {
		power[i] = n * s * s
	}
	prior, err := priors.NewGaussian(power, nx, ny)
	if err != nil {
		log.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n)
	sum2 := 0.0
	for i := range x {
		x[i] = s * rng.NormFloat64()
		sum2 += x[i] * x[i]
	}
	fmt.Printf("log p / (−½ Σ x²/s²) = %.6f\n", prior.LogDensity(x)/(-sum2/(2*s*s)))

	score := make([]float64, n)
	prior.Score(score, x, sigma)
	fmt.Printf("score · (s² + σ²) / x = %.6f at pixel 0, %.6f at pixel 100\n",
		score[0]*(s*s+sigma*sigma)/x[0], score[100]*(s*s+sigma*sigma)/x[100])
	// Output:
	// log p / (−½ Σ x²/s²) = 1.000000
	// score · (s² + σ²) / x = -1.000000 at pixel 0, -1.000000 at pixel 100
}
