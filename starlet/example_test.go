package starlet_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/starlet"
)

// The coefficients of a unit impulse are the equivalent filters of the
// scales: with periodic boundaries each wavelet scale sums to zero, the
// coarse scale keeps the impulse's sum, and the norm of each wavelet scale
// is that scale's noise level. Summing the planes gives the image back.
func Example() {
	const nx, ny, scales = 64, 48, 3
	tr, err := starlet.New(nx, ny, scales, starlet.Options{Boundary: starlet.Periodic})
	if err != nil {
		fmt.Println(err)
		return
	}
	image := make([]float64, nx*ny)
	image[20*nx+30] = 1

	coeffs := tr.NewCoeffs()
	tr.Forward(coeffs, image)
	levels := starlet.NoiseLevels(scales)
	for j := range scales {
		sum, sumSquares := 0.0, 0.0
		for _, w := range coeffs[j] {
			sum += w
			sumSquares += w * w
		}
		fmt.Printf("w_%d: sum %.4f, norm %.4f, noise level %.4f\n", j+1, math.Abs(sum), math.Sqrt(sumSquares), levels[j])
	}
	coarseSum := 0.0
	for _, c := range coeffs[scales] {
		coarseSum += c
	}
	fmt.Printf("c_%d: sum %.4f\n", scales, coarseSum)

	back := make([]float64, nx*ny)
	tr.Inverse(back, coeffs)
	maxError := 0.0
	for i := range back {
		maxError = max(maxError, math.Abs(back[i]-image[i]))
	}
	fmt.Println("reconstruction error below 1e-15:", maxError < 1e-15)

	_, err = starlet.New(nx, ny, 6, starlet.Options{})
	fmt.Println(err)
	// Output:
	// w_1: sum 0.0000, norm 0.8908, noise level 0.8908
	// w_2: sum 0.0000, norm 0.2007, noise level 0.2007
	// w_3: sum 0.0000, norm 0.0855, noise level 0.0855
	// c_3: sum 1.0000
	// reconstruction error below 1e-15: true
	// starlet: 6 scales requested for a 64×48 map, but at most 5 fit: scale J needs 2^J ≤ min(nx, ny) − 1
}

// Denoising by soft thresholding: a k-sigma threshold per wavelet scale,
// from the noise's standard deviation and the scale's noise level, with
// the coarse scale kept.
func ExampleSoftThreshold() {
	const n, scales = 64, 5
	const sigma, k = 0.5, 3.0
	tr, err := starlet.New(n, n, scales, starlet.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}

	// A smooth bump plus seeded white noise.
	rng := rand.New(rand.NewPCG(1, 2))
	truth := make([]float64, n*n)
	image := make([]float64, n*n)
	for y := range n {
		for x := range n {
			r2 := float64((x-32)*(x-32) + (y-32)*(y-32))
			truth[y*n+x] = 10 * math.Exp(-r2/50)
			image[y*n+x] = truth[y*n+x] + sigma*rng.NormFloat64()
		}
	}

	coeffs := tr.NewCoeffs()
	tr.Forward(coeffs, image)
	thresholds := starlet.NoiseLevels(scales)
	for j := range thresholds {
		thresholds[j] *= k * sigma
	}
	fmt.Printf("thresholds: %.4f\n", thresholds)
	fmt.Printf("prior before: %.1f\n", starlet.L1Norm(coeffs, thresholds))
	starlet.SoftThreshold(coeffs, coeffs, thresholds)
	fmt.Printf("prior after: %.1f\n", starlet.L1Norm(coeffs, thresholds))

	denoised := make([]float64, n*n)
	tr.Inverse(denoised, coeffs)
	rms := func(x []float64) float64 {
		s := 0.0
		for i := range x {
			s += (x[i] - truth[i]) * (x[i] - truth[i])
		}
		return math.Sqrt(s / float64(len(x)))
	}
	fmt.Printf("rms error: noisy %.2f, denoised %.2f\n", rms(image), rms(denoised))
	// Output:
	// thresholds: [1.3362 0.3010 0.1283 0.0618 0.0306]
	// prior before: 2265.8
	// prior after: 149.2
	// rms error: noisy 0.50, denoised 0.19
}
