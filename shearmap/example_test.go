package shearmap_test

import (
	"fmt"

	"github.com/skyinv/skyinv/shearmap"
	"github.com/skyinv/skyinv/skymap"
)

// Three galaxies in one pixel: the pixel holds their weighted mean shear
// and the noise of that mean.
func ExampleBin() {
	g, _ := skymap.NewGrid(2, 2, 1, skymap.PlateCarree, 10, 0)
	ra := []float64{10.005, 10.006, 10.007}
	dec := []float64{0.005, 0.006, 0.007}
	e1 := []float64{0.3, -0.1, 0.1}
	e2 := []float64{0.0, 0.2, -0.2}
	w := []float64{1, 1, 2}
	f, err := shearmap.Bin(g, ra, dec, e1, e2, w)
	if err != nil {
		panic(err)
	}
	// East is to the left, so the galaxies East of the centre and North of
	// it fall in the upper-left pixel, index y*NX + x = 2.
	fmt.Printf("n = %d, g = (%.3f, %.3f), σ_e = %.3f, σ_pix = %.3f\n", f.NGal[2], f.G1[2], f.G2[2], f.SigmaE, f.Std[2])
	// Output:
	// n = 3, g = (0.100, -0.050), σ_e = 0.154, σ_pix = 0.094
}
