package kaiser_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/skyinv/skyinv/catalog"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/shearmap"
	"github.com/skyinv/skyinv/skymap"
)

// The whole mass-mapping job from Go: read a catalogue, bin it on a grid,
// invert with Kaiser-Squires and write the maps with their WCS.
func Example() {
	cat, err := catalog.Read("../testdata/mock_shear_cat.fits", catalog.Options{})
	if err != nil {
		log.Fatal(err)
	}

	// A 60 x 60 gnomonic grid of 1-arcmin pixels around the field centre.
	grid, err := skymap.NewGrid(60, 60, 1, skymap.Gnomonic, 0.2, -3)
	if err != nil {
		log.Fatal(err)
	}
	field, err := shearmap.Bin(grid, cat.RA, cat.Dec, cat.E1, cat.E2, cat.Weight)
	if err != nil {
		log.Fatal(err)
	}

	// E and B modes, smoothed by a Gaussian of σ = 1.5 arcmin.
	tr, err := kaiser.New(grid.NX, grid.NY, kaiser.Options{SmoothArcmin: 1.5, PixelArcmin: grid.PixelArcmin})
	if err != nil {
		log.Fatal(err)
	}
	kE, kB := make([]float64, grid.Len()), make([]float64, grid.Len())
	tr.Convergence(kE, kB, field.G1, field.G2)

	// The brightest peak is the most massive halo of the mock field.
	peak := 0
	for i, v := range kE {
		if v > kE[peak] {
			peak = i
		}
	}
	ra, dec := grid.ToWorld(float64(peak%grid.NX), float64(peak/grid.NX))
	fmt.Printf("%d galaxies binned, σ_e = %.2f\n", field.Binned, field.SigmaE)
	fmt.Printf("highest κ_E peak at RA %.2f, Dec %.2f\n", ra, dec)

	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "kappa.fits")
	header := []fits.Card{{Key: "ORIGIN", Value: "my analysis"}}
	err = skymap.WriteFITS(out, false, grid, header,
		skymap.Map{Name: "KAPPA_E", Data: kE},
		skymap.Map{Name: "KAPPA_B", Data: kB},
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote kappa.fits")
	// Output:
	// 60000 galaxies binned, σ_e = 0.30
	// highest κ_E peak at RA 0.01, Dec -2.87
	// wrote kappa.fits
}
