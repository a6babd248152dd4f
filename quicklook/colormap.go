package quicklook

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
)

// lutSize is the number of colours in every lookup table. It matches the
// 256 entries of the viridis and magma tables, so those are used unchanged.
const lutSize = 256

// colormap maps t in [0, 1] to one of lutSize colours.
type colormap [lutSize]color.RGBA

// at returns the colour for t, clamping t to [0, 1].
func (c *colormap) at(t float64) color.RGBA {
	i := int(t * lutSize)
	if !(i > 0) { // also catches NaN
		i = 0
	}
	if i > lutSize-1 {
		i = lutSize - 1
	}
	return c[i]
}

// colormapMakers maps each colour-map name, in lower case, to the function
// that builds its table.
var colormapMakers = map[string]func() *colormap{
	"viridis": func() *colormap { return fromTable(&viridisTable) },
	"magma":   func() *colormap { return fromTable(&magmaTable) },
	"rdbu":    func() *colormap { return fromAnchorsLab(colorBrewerRdBu[:], false) },
	"rdbu_r":  func() *colormap { return fromAnchorsLab(colorBrewerRdBu[:], true) },
}

// Colormaps returns the names that Options.Colormap accepts, sorted.
func Colormaps() []string {
	names := make([]string, 0, len(colormapMakers))
	for name := range colormapMakers {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// lookupColormap returns the colour map called name, ignoring case.
func lookupColormap(name string) (*colormap, error) {
	build, ok := colormapMakers[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("quicklook: unknown colour map %q (known: %s)", name, strings.Join(Colormaps(), ", "))
	}
	return build(), nil
}

func fromTable(table *[lutSize][3]float64) *colormap {
	var c colormap
	for i, rgb := range table {
		c[i] = color.RGBA{to8(rgb[0]), to8(rgb[1]), to8(rgb[2]), 0xff}
	}
	return &c
}

// colorBrewerRdBu is the 11-class "RdBu" diverging scheme of ColorBrewer 2.0
// (Cynthia A. Brewer, Mark Harrower and The Pennsylvania State University,
// Apache License 2.0), from dark red through near-white to dark blue.
var colorBrewerRdBu = [...]uint32{
	0x67001f, 0xb2182b, 0xd6604d, 0xf4a582, 0xfddbc7, 0xf7f7f7,
	0xd1e5f0, 0x92c5de, 0x4393c3, 0x2166ac, 0x053061,
}

// fromAnchorsLab spreads equally spaced anchor colours over the table,
// interpolating linearly in CIELAB so that lightness changes smoothly between
// anchors. With reverse set the last anchor comes first.
func fromAnchorsLab(anchors []uint32, reverse bool) *colormap {
	labs := make([][3]float64, len(anchors))
	for i, hex := range anchors {
		j := i
		if reverse {
			j = len(anchors) - 1 - i
		}
		r := float64(hex>>16&0xff) / 255
		g := float64(hex>>8&0xff) / 255
		b := float64(hex&0xff) / 255
		labs[j] = srgbToLab(r, g, b)
	}

	var c colormap
	segments := float64(len(labs) - 1)
	for i := range c {
		pos := float64(i) / (lutSize - 1) * segments
		k := min(int(pos), len(labs)-2)
		f := pos - float64(k)
		var lab [3]float64
		for ch := range lab {
			lab[ch] = (1-f)*labs[k][ch] + f*labs[k+1][ch]
		}
		r, g, b := labToSRGB(lab)
		c[i] = color.RGBA{to8(r), to8(g), to8(b), 0xff}
	}
	return &c
}

// to8 converts a channel in [0, 1] to 8 bits, rounding to nearest.
func to8(v float64) uint8 {
	return uint8(math.Round(255 * math.Max(0, math.Min(1, v))))
}

// The conversions below use the sRGB transfer function of IEC 61966-2-1 and
// the CIE 1976 L*a*b* formulas with the D65 white point.

var d65 = [3]float64{0.95047, 1.0, 1.08883}

func srgbToLinear(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

func linearToSRGB(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

func srgbToLab(r, g, b float64) [3]float64 {
	r, g, b = srgbToLinear(r), srgbToLinear(g), srgbToLinear(b)
	xyz := [3]float64{
		0.4124564*r + 0.3575761*g + 0.1804375*b,
		0.2126729*r + 0.7151522*g + 0.0721750*b,
		0.0193339*r + 0.1191920*g + 0.9503041*b,
	}
	var f [3]float64
	for i := range f {
		t := xyz[i] / d65[i]
		if t > 216.0/24389 {
			f[i] = math.Cbrt(t)
		} else {
			f[i] = (24389.0/27*t + 16) / 116
		}
	}
	return [3]float64{116*f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])}
}

func labToSRGB(lab [3]float64) (r, g, b float64) {
	fy := (lab[0] + 16) / 116
	f := [3]float64{fy + lab[1]/500, fy, fy - lab[2]/200}
	var xyz [3]float64
	for i := range f {
		if c := f[i] * f[i] * f[i]; c > 216.0/24389 {
			xyz[i] = c * d65[i]
		} else {
			xyz[i] = (116*f[i] - 16) / (24389.0 / 27) * d65[i]
		}
	}
	r = 3.2404542*xyz[0] - 1.5371385*xyz[1] - 0.4985314*xyz[2]
	g = -0.9692660*xyz[0] + 1.8760108*xyz[1] + 0.0415560*xyz[2]
	b = 0.0556434*xyz[0] - 0.2040259*xyz[1] + 1.0572252*xyz[2]
	return linearToSRGB(r), linearToSRGB(g), linearToSRGB(b)
}
