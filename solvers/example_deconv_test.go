package solvers_test

import (
	"errors"
	"fmt"
	"math"

	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/solvers"
)

// Two point sources blurred by a Gaussian PSF are sharpened back by
// Richardson-Lucy, with their total flux kept.
func ExampleRichardsonLucy() {
	const n, k = 32, 9

	// A 9 x 9 Gaussian PSF of σ = 1.5 pixels, normalised to unit sum.
	psf := make([]float64, k*k)
	total := 0.0
	for j := range k {
		for i := range k {
			dx, dy := float64(i-k/2), float64(j-k/2)
			psf[j*k+i] = math.Exp(-(dx*dx + dy*dy) / (2 * 1.5 * 1.5))
			total += psf[j*k+i]
		}
	}
	for i := range psf {
		psf[i] /= total
	}
	a, err := operators.NewConvolution(n, n, psf, k, k, operators.Periodic)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The sky: 100 units of flux at (10, 12) and 50 at (20, 18).
	sky := make([]float64, n*n)
	sky[12*n+10], sky[18*n+20] = 100, 50
	y := make([]float64, n*n)
	a.Apply(y, sky)
	// A noise-free blur computed by FFT has rounding errors below zero,
	// which RichardsonLucy would reject as negative data.
	for i := range y {
		y[i] = math.Max(y[i], 0)
	}

	x, res, err := solvers.RichardsonLucy(nil, a, y, 0, solvers.Settings{Tol: 1e-9, MaxIter: 300})
	if err != nil && !errors.As(err, new(*solvers.NotConvergedError)) {
		fmt.Println(err)
		return
	}
	sumX, sumY := 0.0, 0.0
	for i := range x {
		sumX += x[i]
		sumY += y[i]
	}
	fmt.Printf("peak of the data: %.1f\n", max(y[12*n+10], y[18*n+20]))
	fmt.Printf("after %d iterations: %.1f at (10, 12), %.1f at (20, 18)\n", res.Iterations, x[12*n+10], x[18*n+20])
	fmt.Printf("flux: data %.2f, estimate %.2f\n", sumY, sumX)
	// Output:
	// peak of the data: 7.1
	// after 300 iterations: 97.4 at (10, 12), 48.7 at (20, 18)
	// flux: data 150.00, estimate 150.00
}
