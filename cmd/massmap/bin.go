package main

import (
	"io"
	"time"

	"github.com/skyinv/skyinv/quicklook"
	"github.com/skyinv/skyinv/skymap"
)

const binSynopsis = `Usage: massmap bin [--catalog FILE] --out FILE.fits [flags]

Bins a shear catalogue onto a pixel grid and writes the weighted mean shear
(GAMMA1, GAMMA2), the galaxy count (NGAL), the sum of weights (WEIGHT) and
the noise standard deviation of the mean shear per pixel (SHEAR_STD,
sigma_e sqrt(sum w^2) / sum w, NaN where a pixel has no weight) as image
HDUs of one FITS file, each with a celestial WCS. Maps have North up and
East to the left.`

func runBin(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("bin", binSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var out outputFlags
	in.register(fs)
	gf.register(fs)
	out.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	gr, err := gf.parse(fs)
	if err != nil {
		return err
	}
	if err := out.check(in.catalog); err != nil {
		return err
	}

	b, err := loadAndBin(in, gr, stderr)
	if err != nil {
		return err
	}
	f := b.field
	ngal := make([]float64, len(f.NGal))
	for i, c := range f.NGal {
		ngal[i] = float64(c)
	}
	maps := []skymap.Map{
		{Name: "GAMMA1", Data: f.G1, Description: "weighted mean e1 per pixel (0 where no weight)"},
		{Name: "GAMMA2", Data: f.G2, Description: "weighted mean e2 per pixel (0 where no weight)"},
		{Name: "NGAL", Data: ngal, Unit: "count", Description: "number of galaxies per pixel"},
		{Name: "WEIGHT", Data: f.Weight, Description: "sum of galaxy weights per pixel"},
		{Name: "SHEAR_STD", Data: f.Std, Description: "noise std of GAMMA1 and GAMMA2 (NaN where no weight)"},
	}
	png := quicklook.Options{
		Title:       "NGAL  (galaxies per pixel)",
		Label:       "galaxies per pixel",
		PixelArcmin: b.grid.PixelArcmin,
		Mask:        f.Mask(),
		East:        "N up, E left",
	}
	if err := writeOutputs(out, b.grid, provenance("bin", fs, args, b), maps, png, 2, stderr); err != nil {
		return err
	}
	logDone(stderr, start)
	return nil
}

func logDone(w io.Writer, start time.Time) {
	io.WriteString(w, "done in "+since(start)+"\n")
}
