package deepmass_test

import (
	"fmt"
	"log"
	"math"

	"github.com/skyinv/skyinv/catalog"
	"github.com/skyinv/skyinv/deepmass"
	"github.com/skyinv/skyinv/shearmap"
	"github.com/skyinv/skyinv/skymap"
)

// The embedded COSMOS model applied to the mock catalogue of the
// repository. The grid must have the model's pixel size, and its sides must
// be multiples of 2^depth, 8 for this model. The highest peak of the
// DeepMass map is the most massive halo of the mock field, as in the
// Kaiser-Squires example of package kaiser.
func ExampleModel_Estimate() {
	model, err := deepmass.Default()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("model: %g-arcmin pixels, U-Net depth %d\n", model.Info.PixelArcmin, model.Net.Config().Depth)

	cat, err := catalog.Read("../testdata/mock_shear_cat.fits", catalog.Options{})
	if err != nil {
		log.Fatal(err)
	}
	grid, err := skymap.NewGrid(208, 208, model.Info.PixelArcmin, skymap.Gnomonic, 0.2, -3)
	if err != nil {
		log.Fatal(err)
	}
	field, err := shearmap.Bin(grid, cat.RA, cat.Dec, cat.E1, cat.E2, cat.Weight)
	if err != nil {
		log.Fatal(err)
	}

	// The noise variance per shear component: SHEAR_STD², and +Inf where a
	// pixel has no galaxies.
	noiseVar := make([]float64, grid.Len())
	for i, s := range field.Std {
		noiseVar[i] = math.Inf(1)
		if s > 0 {
			noiseVar[i] = s * s
		}
	}
	res, err := model.Estimate(deepmass.Data{
		NX: grid.NX, NY: grid.NY, PixelArcmin: grid.PixelArcmin,
		G1: field.G1, G2: field.G2, NoiseVar: noiseVar,
	})
	if err != nil {
		log.Fatal(err)
	}

	peak := 0
	for i, v := range res.Mean {
		if v > res.Mean[peak] {
			peak = i
		}
	}
	ra, dec := grid.ToWorld(float64(peak%grid.NX), float64(peak/grid.NX))
	fmt.Printf("highest DeepMass peak at RA %.2f, Dec %.2f\n", ra, dec)
	// Output:
	// model: 0.29-arcmin pixels, U-Net depth 3
	// highest DeepMass peak at RA 0.00, Dec -2.87
}
