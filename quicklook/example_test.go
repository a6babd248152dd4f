package quicklook_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"
	"math"

	"github.com/skyinv/skyinv/quicklook"
)

func ExampleEncode() {
	// A 64 × 64 map of 0.5 arcmin pixels holding a Gaussian blob of
	// σ = 3 arcmin, centred 5 arcmin North of the map centre.
	const n, pixelArcmin = 64, 0.5
	kappa := make([]float64, n*n)
	for y := range n {
		for x := range n {
			dx := (float64(x) + 0.5 - n/2) * pixelArcmin
			dy := (float64(y)+0.5-n/2)*pixelArcmin - 5
			kappa[y*n+x] = 0.1 * math.Exp(-(dx*dx+dy*dy)/(2*3*3))
		}
	}

	var buf bytes.Buffer
	err := quicklook.Encode(&buf, kappa, n, n, quicklook.Options{
		Title:       "Gaussian blob",
		Label:       "convergence κ",
		PixelArcmin: pixelArcmin,
	})
	if err != nil {
		log.Fatal(err)
	}

	cfg, err := png.DecodeConfig(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d × %d pixels\n", cfg.Width, cfg.Height)
	// Output:
	// 716 × 633 pixels
}
