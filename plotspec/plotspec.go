// Package plotspec draws binned angular power spectra as a PNG figure for a
// first look at a measurement: measured bands as points with error bars and
// model spectra as lines, on log-log axes of
//
//	D_ℓ = ℓ(ℓ+1) C_ℓ / 2π   against the multipole ℓ.
//
// The figure is drawn with gonum.org/v1/plot and its bundled Liberation fonts,
// so no system fonts are needed.
//
// # Values that a log axis cannot show
//
// Bands whose ℓ or C_ℓ is not a positive finite number (NaN for a band
// without Fourier modes, 0 for a map without power) are left out. An error
// bar whose lower end C_ℓ − ΔC_ℓ is not positive is drawn down to the bottom
// of the plot, so a band consistent with zero is still visible as such.
package plotspec

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Points is a measured spectrum: C_ℓ in bands centred on Ell, with the
// standard error Err (nil for no error bars). The slices have equal length.
type Points struct {
	Label        string
	Ell, Cl, Err []float64
}

// Curve is a model spectrum, drawn as a line through (Ell, Cl) in order.
type Curve struct {
	Label   string
	Ell, Cl []float64
	// Dashed draws a dashed line, for a level such as the noise power
	// rather than a model of the signal.
	Dashed bool
}

// Figure is the content of one plot.
type Figure struct {
	Title string
	// YLabel is the label of the vertical axis. The default is
	// "ℓ(ℓ+1) Cℓ / 2π".
	YLabel string
	Points []Points
	Curves []Curve
}

// The colours of the Points and of the Curves, each in order and repeating:
// black and the Okabe–Ito colours, which stay distinct under colour
// blindness. Points and curves draw from separate lists, so that the first
// curve has the same colour whatever the number of Points.
var (
	pointColors = []color.RGBA{
		{0x00, 0x00, 0x00, 0xff}, // black
		{0xd5, 0x5e, 0x00, 0xff}, // vermillion
		{0xcc, 0x79, 0xa7, 0xff}, // reddish purple
	}
	curveColors = []color.RGBA{
		{0x00, 0x72, 0xb2, 0xff}, // blue
		{0x00, 0x9e, 0x73, 0xff}, // bluish green
		{0xe6, 0x9f, 0x00, 0xff}, // orange
	}
)

// Figure size: 7 × 5 inches at 110 dots per inch, 770 × 550 pixels.
const (
	width, height = 7 * vg.Inch, 5 * vg.Inch
	dpi           = 110
)

// Encode draws the figure and writes it to w as a PNG image. It returns an
// error, and writes nothing, when two slices of one Points or Curve differ in
// length or when no band and no curve has a value that a log axis can show.
func Encode(w io.Writer, f Figure) error {
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = "multipole ℓ"
	yLabel := f.YLabel
	if yLabel == "" {
		yLabel = "ℓ(ℓ+1) Cℓ / 2π"
	}
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = logTicks{}, logTicks{}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(6)
	p.Add(plotter.NewGrid())

	// Collect the points that a log axis can show, and the range they need.
	var r span
	type band struct {
		xy       plotter.XYs
		err      []float64 // nil for no error bars
		label    string
		colorIdx int
	}
	var bands []band
	for i, pts := range f.Points {
		if len(pts.Cl) != len(pts.Ell) || (pts.Err != nil && len(pts.Err) != len(pts.Ell)) {
			return fmt.Errorf("plotspec: %q has %d ℓ, %d C_ℓ and %d errors: want equal lengths", pts.Label, len(pts.Ell), len(pts.Cl), len(pts.Err))
		}
		b := band{label: pts.Label, colorIdx: i}
		if pts.Err != nil {
			b.err = []float64{}
		}
		for j, ell := range pts.Ell {
			d := dell(ell, pts.Cl[j])
			if !positive(ell) || !positive(d) {
				continue
			}
			b.xy = append(b.xy, plotter.XY{X: ell, Y: d})
			r.add(ell, d)
			if b.err != nil {
				e := dell(ell, pts.Err[j])
				if !(e >= 0) || math.IsInf(e, 0) {
					e = 0
				}
				b.err = append(b.err, e)
				r.add(ell, d+e)
				if d-e > 0 {
					r.add(ell, d-e)
				}
			}
		}
		bands = append(bands, b)
	}
	var curves []plotter.XYs
	for _, c := range f.Curves {
		if len(c.Cl) != len(c.Ell) {
			return fmt.Errorf("plotspec: %q has %d ℓ and %d C_ℓ: want equal lengths", c.Label, len(c.Ell), len(c.Cl))
		}
		var xy plotter.XYs
		for j, ell := range c.Ell {
			d := dell(ell, c.Cl[j])
			if positive(ell) && positive(d) {
				xy = append(xy, plotter.XY{X: ell, Y: d})
				r.add(ell, d)
			}
		}
		curves = append(curves, xy)
	}
	if r.empty() {
		return errors.New("plotspec: no band and no curve has a positive finite ℓ and C_ℓ to plot on log axes")
	}

	// Each axis gets a margin of 5% on both sides. The vertical axis spans
	// at least a factor 10, so that a flat spectrum is not drawn as noise.
	// Its top leaves room for the legend, which would otherwise hide the
	// largest values. That room is an estimate: one line of the legend font
	// per entry, over the figure height less about 80 points of title and
	// horizontal axis.
	xMin, xMax := r.xMin, r.xMax
	if xMax/xMin < 1.5 {
		xMin, xMax = xMin/1.5, xMax*1.5
	}
	lx := math.Log10(xMax/xMin) / 0.9
	p.X.Min, p.X.Max = xMin/math.Pow(10, 0.05*lx), xMax*math.Pow(10, 0.05*lx)
	yMin, yMax := r.yMin, r.yMax
	if yMax/yMin < 10 {
		mid := math.Sqrt(yMin * yMax)
		yMin, yMax = mid/math.Sqrt(10), mid*math.Sqrt(10)
	}
	entries := 0
	for _, pts := range f.Points {
		if pts.Label != "" {
			entries++
		}
	}
	for _, c := range f.Curves {
		if c.Label != "" {
			entries++
		}
	}
	lineHeight := p.Legend.TextStyle.Font.Size * 1.25
	top := 0.05 + float64(vg.Length(entries)*lineHeight/(height-80))
	const bottom = 0.05
	ly := math.Log10(yMax/yMin) / (1 - top - bottom)
	p.Y.Min, p.Y.Max = yMin/math.Pow(10, bottom*ly), yMax*math.Pow(10, top*ly)

	// The curves first, so that the points are drawn on top of them.
	for i, xy := range curves {
		if len(xy) == 0 {
			continue
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("plotspec: %q: %w", f.Curves[i].Label, err)
		}
		line.Color = curveColors[i%len(curveColors)]
		line.Width = vg.Points(1.5)
		if f.Curves[i].Dashed {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(line)
		if f.Curves[i].Label != "" {
			p.Legend.Add(f.Curves[i].Label, line)
		}
	}
	for _, b := range bands {
		if len(b.xy) == 0 {
			continue
		}
		col := pointColors[b.colorIdx%len(pointColors)]
		scatter, err := plotter.NewScatter(b.xy)
		if err != nil {
			return fmt.Errorf("plotspec: %q: %w", b.label, err)
		}
		scatter.Color = col
		scatter.Shape = draw.CircleGlyph{}
		scatter.Radius = vg.Points(2.5)
		if b.err != nil {
			// Error bars are given relative to the point. A lower end at
			// or below zero stops at the bottom of the plot.
			rel := make(plotter.YErrors, len(b.xy))
			for j, pt := range b.xy {
				low := pt.Y - math.Max(pt.Y-b.err[j], p.Y.Min)
				rel[j].Low, rel[j].High = math.Max(low, 0), b.err[j]
			}
			bars, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{b.xy, rel})
			if err != nil {
				return fmt.Errorf("plotspec: %q: %w", b.label, err)
			}
			bars.Color = col
			bars.CapWidth = vg.Points(5)
			p.Add(bars)
		}
		p.Add(scatter)
		if b.label != "" {
			p.Legend.Add(b.label, scatter)
		}
	}

	// The vertical-axis label is drawn here rather than by the plot. For a
	// log axis, plot v0.17 places the label's glyph box at the data value
	// (Y.Min + Y.Max)/2, near the top of the axis, and so shrinks the plot to
	// make room for a label that it then draws at the centre.
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
	c := draw.New(img)
	style := p.Y.Label.TextStyle
	style.Rotation = math.Pi / 2
	x := c.Min.X + style.Height(yLabel) - style.FontExtents().Descent
	c.FillText(style, vg.Point{X: x, Y: c.Center().Y}, yLabel)
	p.Draw(draw.Crop(c, style.Height(yLabel)+p.Y.Label.Padding, 0, 0, 0))
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("plotspec: encoding the PNG: %w", err)
	}
	return nil
}

// dell returns D_ℓ = ℓ(ℓ+1) C_ℓ / 2π.
func dell(ell, cl float64) float64 { return ell * (ell + 1) * cl / (2 * math.Pi) }

func positive(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

// span is the range of the plotted values.
type span struct {
	xMin, xMax, yMin, yMax float64
	n                      int
}

func (s *span) add(x, y float64) {
	if s.n == 0 {
		s.xMin, s.xMax, s.yMin, s.yMax = x, x, y, y
	}
	s.xMin, s.xMax = math.Min(s.xMin, x), math.Max(s.xMax, x)
	s.yMin, s.yMax = math.Min(s.yMin, y), math.Max(s.yMax, y)
	s.n++
}

func (s *span) empty() bool { return s.n == 0 }

// logTicks marks every decade with a label written as 100 or 1e-05, and the
// multiples 2 to 9 of each decade as minor ticks. When the axis shows fewer
// than three decades, 2 and 5 times each decade get labels too.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	first := int(math.Floor(math.Log10(lo)))
	last := int(math.Ceil(math.Log10(hi)))
	labelled := 0
	for e := first; e <= last; e++ {
		if v := math.Pow(10, float64(e)); v >= lo && v <= hi {
			labelled++
		}
	}
	var ticks []plot.Tick
	for e := first; e <= last; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, float64(e))
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (labelled < 3 && (m == 2 || m == 5)) {
				t.Label = tickLabel(m, e)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// tickLabel writes m × 10^e as a plain number for 1e-2 ≤ value < 1e5 and in
// e-notation otherwise, without the rounding noise of a computed power of 10.
func tickLabel(m, e int) string {
	if e >= -2 && e <= 4 {
		v := float64(m) * math.Pow(10, float64(e))
		return strconv.FormatFloat(v, 'f', max(0, -e), 64)
	}
	return fmt.Sprintf("%de%+03d", m, e)
}
