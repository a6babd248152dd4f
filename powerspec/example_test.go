package powerspec_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/powerspec"
)

// Measure the power spectrum of a white-noise map, whose C_ℓ is σ² p² at
// every ℓ, in four logarithmic bands. Each band scatters about 1 by its
// standard error.
func Example() {
	const n, sigma = 128, 0.3
	pixelRad := 1.0 / 60 * math.Pi / 180 // 1 arcmin
	rng := rand.New(rand.NewPCG(1, 2))
	m := make([]float64, n*n)
	for i := range m {
		m[i] = sigma * rng.NormFloat64()
	}

	lmin, lmax := powerspec.EllRange(n, n, pixelRad)
	s, err := powerspec.Measure(m, n, n, pixelRad, powerspec.LogBins(lmin, lmax, 4), powerspec.Options{})
	if err != nil {
		log.Fatal(err)
	}
	white := sigma * sigma * pixelRad * pixelRad
	for _, b := range s.Bands {
		fmt.Printf("ℓ %5.0f: C_ℓ / (σ² p²) = %.2f ± %.2f from %d modes\n", b.EllMean, b.Cl/white, b.Err/white, b.Modes)
	}
	// Output:
	// ℓ   300: C_ℓ / (σ² p²) = 1.11 ± 0.35 from 20 modes
	// ℓ   954: C_ℓ / (σ² p²) = 1.37 ± 0.15 from 172 modes
	// ℓ  2770: C_ℓ / (σ² p²) = 1.01 ± 0.04 from 1412 modes
	// ℓ  7859: C_ℓ / (σ² p²) = 0.98 ± 0.01 from 11246 modes
}

// The power map of a spectrum gives the variance of every FFT coefficient,
// and its sum the pixel variance of the field.
func ExamplePowerMap() {
	const nx, ny = 64, 48
	pixelRad := 0.5 / 60 * math.Pi / 180 // 0.5 arcmin
	cl := func(ell float64) float64 { return 1e-10 * math.Pow(ell/1000, -1) }
	power := powerspec.PowerMap(cl, nx, ny, pixelRad)

	variance := 0.0
	for _, p := range power {
		variance += p
	}
	variance /= nx * ny * nx * ny
	fmt.Printf("P(0) = %g, pixel standard deviation %.4f\n", power[0], math.Sqrt(variance))
	// Output:
	// P(0) = 0, pixel standard deviation 0.0194
}
