package simulate_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/simulate"
	"github.com/skyinv/skyinv/skymap"
)

// Draw a Gaussian and a lognormal convergence field with the same power
// spectrum on a 256 × 256 grid of 0.5-arcmin pixels.
func Example() {
	const n = 256
	pixelRad := 0.5 / 60 * math.Pi / 180
	cl := func(ell float64) float64 { return 1e-10 * math.Pow(ell/1000, -1.2) }
	power := powerspec.PowerMap(cl, n, n, pixelRad)

	gauss, err := simulate.NewGaussian(power, n, n)
	if err != nil {
		log.Fatal(err)
	}
	lognormal, err := simulate.NewLognormal(power, n, n, 0.02)
	if err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	g := gauss.Field(nil, rng)
	k := lognormal.Field(nil, rng)

	fmt.Printf("expected standard deviation %.4f\n", math.Sqrt(lognormal.Variance()))
	for _, f := range []struct {
		name string
		m    []float64
	}{{"Gaussian", g}, {"lognormal", k}} {
		var sum2 float64
		lowest := math.Inf(1)
		for _, v := range f.m {
			sum2 += v * v
			lowest = math.Min(lowest, v)
		}
		fmt.Printf("%-9s: standard deviation %.4f, minimum %.4f\n", f.name, math.Sqrt(sum2/n/n), lowest)
	}
	// Output:
	// expected standard deviation 0.0159
	// Gaussian : standard deviation 0.0159, minimum -0.0771
	// lognormal: standard deviation 0.0157, minimum -0.0192
}

// Make a mock shear catalogue of a convergence peak and write it where the
// massmap command can read it.
func ExampleMockCatalog() {
	grid, err := skymap.NewGrid(60, 60, 1, skymap.Gnomonic, 150, 2)
	if err != nil {
		log.Fatal(err)
	}
	kappa := make([]float64, grid.Len())
	for y := range grid.NY {
		for x := range grid.NX {
			r2 := float64((x-30)*(x-30) + (y-30)*(y-30))
			kappa[y*grid.NX+x] = 0.2 * math.Exp(-r2/(2*4*4))
		}
	}

	cat, err := simulate.MockCatalog(grid, kappa, simulate.MockOptions{
		DensityArcmin2: 20,   // galaxies per arcmin²
		SigmaE:         0.26, // shape noise per component
		ReducedShear:   true,
		Pad:            30,
		Seed:           1,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d galaxies; first at RA %.4f, Dec %.4f, g = (%.4f, %.4f)\n", cat.Len(), cat.RA[0], cat.Dec[0], cat.G1[0], cat.G2[0])

	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := cat.WriteFITS(filepath.Join(dir, "mock.fits"), false); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote mock.fits: massmap ks --catalog mock.fits reads it")
	// Output:
	// 72000 galaxies; first at RA 150.1599, Dec 2.4099, g = (0.0068, -0.0066)
	// wrote mock.fits: massmap ks --catalog mock.fits reads it
}
