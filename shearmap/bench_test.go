package shearmap

import (
	"testing"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/shareddata"
	"github.com/skyinv/skyinv/skymap"
)

// BenchmarkBinCOSMOS bins the 417,117 galaxies of the COSMOS catalogue on
// the published 360 x 360 grid of 0.29-arcmin pixels: locating every galaxy
// and accumulating counts, weights, mean shear, σ_e and σ_pix. Reading the
// file is not timed.
func BenchmarkBinCOSMOS(b *testing.B) {
	path := shareddata.Path(b, "cosmos/cosmos_shear_cat.fits")
	tab, err := fits.ReadTable(path, "SHEAR")
	if err != nil {
		b.Fatal(err)
	}
	col := func(name string) []float64 {
		v, _, err := tab.Float64(name)
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	ra, dec, e1, e2, w := col("ra"), col("dec"), col("e1"), col("e2"), col("weight")
	for _, proj := range []skymap.Projection{skymap.PlateCarree, skymap.Gnomonic} {
		b.Run(proj.String(), func(b *testing.B) {
			g, err := skymap.NewGrid(360, 360, 0.29, proj, 150.1161025, 2.247490268)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Bin(g, ra, dec, e1, e2, w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
