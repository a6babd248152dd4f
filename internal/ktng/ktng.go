// Package ktng loads the kappaTNG test field of the reference data for
// tests and benchmarks. The field is the true convergence, its noisy shear
// inside the COSMOS mask, the noise variance of that shear, and the theory
// power spectrum. When the data are absent, Load
// skips the test and names the missing file.
package ktng

import (
	"math"
	"testing"

	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/shareddata"
	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/powerspec"
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

	// NoiseStd is the standard deviation of each shear component's noise,
	// the same in every pixel of the mask, estimated from the data's B
	// modes (kaiser.NoiseScale).
	NoiseStd float64

	// Spectrum is the theory C_ℓ of ktng/ps_theory.txt, and Power the
	// power map of it on this grid with the pixel window
	// (solvers.WienerProblem.Power).
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
	table, err := cosmology.ReadTable(shareddata.Path(tb, "ktng/ps_theory.txt"))
	if err != nil {
		tb.Fatal(err)
	}

	const n, pixelArcmin = 360, 0.29
	f := &Field{NX: n, NY: n, PixelArcmin: pixelArcmin, Truth: truth.Data, Spectrum: table}
	f.G1, f.G2 = make([]float64, n*n), make([]float64, n*n)
	f.NoiseVar = make([]float64, n*n)
	f.Mask = make([]bool, n*n)

	// The simulated shear has the same noise in every pixel of the mask:
	// its residual against the truth's shear has a variance of 0.022 in
	// every decile of the COSMOS catalogue's σ_e²/n_eff, which runs from
	// 0.009 to 0.061. So the noise is estimated from the data's B modes as
	// one variance, as a user without the truth would.
	for i := range n * n {
		f.NoiseVar[i] = math.Inf(1)
		if mask.Data[i] > 0 {
			f.Mask[i] = true
			f.G1[i], f.G2[i] = shear.Data[2*i], shear.Data[2*i+1]
			f.NoiseVar[i] = 1
		}
	}
	scale, err := kaiser.NoiseScale(f.G1, f.G2, f.NoiseVar, n, n, kaiser.Options{PixelFrame: true}, 20, 1)
	if err != nil {
		tb.Fatal(err)
	}
	f.NoiseStd = scale
	for i, v := range f.NoiseVar {
		if !math.IsInf(v, 1) {
			f.NoiseVar[i] = scale * scale
		}
	}
	// The maps' pixels are averages over their area, so the prior carries
	// the pixel window, as in massmap's default.
	f.Power = powerspec.PowerMap(table.At, n, n, pixelArcmin/60*math.Pi/180)
	powerspec.PixelWindow(f.Power, n, n)
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
