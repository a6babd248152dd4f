package skymap

import (
	"fmt"

	"github.com/skyinv/skyinv/fits"
)

// Map is one named image on a grid.
type Map struct {
	Name        string    // EXTNAME, for example "KAPPA_E"
	Data        []float64 // Grid.Len() values, index y*NX + x
	Unit        string    // BUNIT; "" for a dimensionless quantity
	Description string    // one line written as a COMMENT card
}

// WriteFITS writes maps as the image HDUs of one FITS file, the first as the
// primary HDU, each with the WCS of g followed by the cards of header
// (provenance, parameters). Pixels are float64. The file appears only when
// complete, and an existing file is replaced only when overwrite is set.
func WriteFITS(path string, overwrite bool, g Grid, header []fits.Card, maps ...Map) error {
	if len(maps) == 0 {
		panic("skymap: WriteFITS needs at least one map")
	}
	wcs := g.WCS().Keywords()
	hdus := make([]fits.ImageHDU, len(maps))
	for i, m := range maps {
		if len(m.Data) != g.Len() {
			panic(fmt.Sprintf("skymap: map %s has %d values for a %d x %d grid", m.Name, len(m.Data), g.NX, g.NY))
		}
		cards := make([]fits.Card, 0, len(wcs)+len(header)+2)
		if m.Unit != "" {
			cards = append(cards, fits.Card{Key: "BUNIT", Value: m.Unit, Comment: "unit of the pixel values"})
		}
		for _, k := range wcs {
			cards = append(cards, fits.Card{Key: k.Key, Value: k.Value, Comment: k.Comment})
		}
		if m.Description != "" {
			cards = append(cards, fits.Card{Key: "COMMENT", Comment: m.Description})
		}
		cards = append(cards, header...)
		hdus[i] = fits.ImageHDU{Name: m.Name, Axes: []int{g.NX, g.NY}, Data: m.Data, Bitpix: -64, Cards: cards}
	}
	return fits.WriteImages(path, overwrite, hdus...)
}
