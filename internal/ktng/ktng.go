// Package ktng loads the kappaTNG test field of the reference data for
// tests and benchmarks. The field is the true convergence, its noisy shear
// inside the COSMOS mask, the noise variance per pixel from the real COSMOS
// catalogue, and the theory power spectrum. When the data are absent, Load
// skips the test and names the missing file.
package ktng

import (
	"math"
	"testing"

	"github.com/skyinv/skyinv/catalog"
	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/shareddata"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/shearmap"
	"github.com/skyinv/skyinv/skymap"
)

// Field is the kappaTNG test field. Arrays are in the files' orientation,
// RA increasing with x: the mirror image of the toolkit's maps, so the
// shear is in the pixel frame (kaiser.Options.PixelFrame).
type Field struct {
	NX, NY      int
	PixelArcmin float64
	Truth       []float64
	G1, G2      []float64
	NoiseVar    []float64 // +Inf outside the mask
	Mask        []bool

	// Spectrum is the theory C_ℓ of ktng/ps_theory.txt, and Power the
	// power map of it on this grid (solvers.WienerProblem.Power).
	Spectrum *cosmology.Table
	Power    []float64
}

// Load reads the field.
func Load(tb testing.TB) *Field {
	tb.Helper()
	read := func(rel string) *fits.ImageHDU {
		img, err := fits.ReadImage(shareddata.Path(tb, rel), "")
		if err != nil {
			tb.Fatal(err)
		}
		return img
	}
	truth := read("ktng/kappa_truth_360.fits")
	shear := read("ktng/shear_cosmos_noise_360.fits")
	mask := read("cosmos/cosmos_mask_360.fits")
	catPath := shareddata.Path(tb, "cosmos/cosmos_shear_cat.fits")
	table, err := cosmology.ReadTable(shareddata.Path(tb, "ktng/ps_theory.txt"))
	if err != nil {
		tb.Fatal(err)
	}

	const n, pixelArcmin = 360, 0.29
	f := &Field{NX: n, NY: n, PixelArcmin: pixelArcmin, Truth: truth.Data, Spectrum: table}
	f.G1, f.G2 = make([]float64, n*n), make([]float64, n*n)
	f.NoiseVar = make([]float64, n*n)
	f.Mask = make([]bool, n*n)

	// The noise of the mean shear per pixel, from the real catalogue on the
	// published grid. The binned maps have East to the left; the kappaTNG
	// arrays are their mirror image.
	cat, err := catalog.Read(catPath, catalog.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	grid, err := skymap.NewGrid(n, n, pixelArcmin, skymap.PlateCarree, 150.1161025, 2.247490268)
	if err != nil {
		tb.Fatal(err)
	}
	field, err := shearmap.Bin(grid, cat.RA, cat.Dec, cat.E1, cat.E2, cat.Weight)
	if err != nil {
		tb.Fatal(err)
	}
	for y := range n {
		for x := range n {
			i := y*n + x
			f.NoiseVar[i] = math.Inf(1)
			if mask.Data[i] > 0 {
				f.Mask[i] = true
				f.G1[i], f.G2[i] = shear.Data[2*i], shear.Data[2*i+1]
				std := field.Std[y*n+(n-1-x)]
				if !math.IsNaN(std) {
					f.NoiseVar[i] = std * std
				}
			}
		}
	}
	f.Power = powerspec.PowerMap(table.At, n, n, pixelArcmin/60*math.Pi/180)
	return f
}

// Stats returns the Pearson correlation and the RMS difference between an
// estimate and the truth inside the mask.
func (f *Field) Stats(est []float64) (r, rmse float64) {
	var n, se, st float64
	for i, m := range f.Mask {
		if m {
			n++
			se += est[i]
			st += f.Truth[i]
		}
	}
	me, mt := se/n, st/n
	var cov, ve, vt, sq float64
	for i, m := range f.Mask {
		if m {
			de, dt := est[i]-me, f.Truth[i]-mt
			cov += de * dt
			ve += de * de
			vt += dt * dt
			sq += (est[i] - f.Truth[i]) * (est[i] - f.Truth[i])
		}
	}
	return cov / math.Sqrt(ve*vt), math.Sqrt(sq / n)
}
