package skymap

import (
	"fmt"

	"github.com/skyinv/skyinv/fits"
)

// Map is one named image on a grid.
type Map struct {
	Name        string    // EXTNAME, for example "KAPPA_E"
	Data        []float64 // Planes × Grid.Len() values, index (k*NY + y)*NX + x
	Unit        string    // BUNIT; "" for a dimensionless quantity
	Description string    // one line written as a COMMENT card

	// Planes, when above 1, makes the map a cube of that many maps on
	// the grid, such as posterior samples, along a third FITS axis
	// labelled by Axis3 (CTYPE3, a linear index counted from 1).
	Planes int
	Axis3  string
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
		planes := max(m.Planes, 1)
		if len(m.Data) != planes*g.Len() {
			panic(fmt.Sprintf("skymap: map %s has %d values for %d planes of a %d x %d grid", m.Name, len(m.Data), planes, g.NX, g.NY))
		}
		cards := make([]fits.Card, 0, len(wcs)+len(header)+7)
		if m.Unit != "" {
			cards = append(cards, fits.Card{Key: "BUNIT", Value: m.Unit, Comment: "unit of the pixel values"})
		}
		for _, k := range wcs {
			if k.Key == "WCSAXES" && planes > 1 {
				k.Value = 3
			}
			cards = append(cards, fits.Card{Key: k.Key, Value: k.Value, Comment: k.Comment})
		}
		axes := []int{g.NX, g.NY}
		if planes > 1 {
			axes = append(axes, planes)
			label := m.Axis3
			if label == "" {
				label = "PLANE"
			}
			cards = append(cards,
				fits.Card{Key: "CTYPE3", Value: label, Comment: "plane index along axis 3 (linear)"},
				fits.Card{Key: "CRPIX3", Value: 1.0, Comment: "reference pixel on axis 3"},
				fits.Card{Key: "CRVAL3", Value: 1.0, Comment: "index of the first plane"},
				fits.Card{Key: "CDELT3", Value: 1.0, Comment: "index step between planes"},
			)
		}
		if m.Description != "" {
			cards = append(cards, fits.Card{Key: "COMMENT", Comment: m.Description})
		}
		cards = append(cards, header...)
		hdus[i] = fits.ImageHDU{Name: m.Name, Axes: axes, Data: m.Data, Bitpix: -64, Cards: cards}
	}
	return fits.WriteImages(path, overwrite, hdus...)
}
