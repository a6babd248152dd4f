package skymap_test

import (
	"fmt"

	"github.com/skyinv/skyinv/skymap"
)

// A gnomonic grid maps sky positions to pixels with East to the left.
func ExampleGrid_ToPixel() {
	g, err := skymap.NewGrid(100, 100, 0.5, skymap.Gnomonic, 150, 2)
	if err != nil {
		panic(err)
	}
	x, y, _ := g.ToPixel(150, 2)
	fmt.Printf("centre at pixel (%.1f, %.1f)\n", x, y)
	x, _, _ = g.ToPixel(150.1, 2)
	fmt.Printf("0.1 degree East of it at x = %.2f\n", x)
	w := g.WCS()
	fmt.Println(w.CType1, w.CType2, w.CRPix1, w.CDelt1 < 0)
	// Output:
	// centre at pixel (49.5, 49.5)
	// 0.1 degree East of it at x = 37.51
	// RA---TAN DEC--TAN 50.5 true
}
