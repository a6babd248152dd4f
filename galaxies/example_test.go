package galaxies_test

import (
	"fmt"
	"log"
	"math"

	"github.com/skyinv/skyinv/galaxies"
)

// A de Vaucouleurs bulge (n = 4) drawn on a 64 × 64 image: the pixels sum
// to the flux that falls on the image, a little less than the total
// because the profile's wings extend beyond it. b_4 = 7.6692 is the
// classical constant of the de Vaucouleurs profile.
func ExampleSersic_Add() {
	const n = 64
	bulge := galaxies.Sersic{X: 31.5, Y: 31.5, Flux: 1, N: 4, HalfLight: 4, Q: 0.7, Angle: math.Pi / 6}
	img := make([]float64, n*n)
	if err := bulge.Add(img, n, n); err != nil {
		log.Fatal(err)
	}
	sum := 0.0
	for _, v := range img {
		sum += v
	}
	fmt.Printf("b_4 = %.4f\n", galaxies.SersicB(4))
	fmt.Printf("flux on the image: %.3f of 1\n", sum)
	// Output:
	// b_4 = 7.6692
	// flux on the image: 0.961 of 1
}
