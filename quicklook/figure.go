package quicklook

import (
	"image"
	"image/color"
	"math"

	"golang.org/x/image/font"
)

// Layout sizes in image pixels.
const (
	outerPad   = 14 // blank border around the figure
	majorTick  = 7
	minorTick  = 4
	tickGap    = 4  // between a tick and its label
	labelGap   = 8  // between tick labels and the axis label
	titleGap   = 8  // below the title and below the East note
	barGap     = 24 // between the map frame and the colour-bar frame
	barWidth   = 22
	triangleH  = 16 // height of the colour-bar end triangles
	minBarSpan = 160
)

var (
	ink   = color.RGBA{0, 0, 0, 0xff}
	paper = color.RGBA{0xff, 0xff, 0xff, 0xff}

	// noDataGrey marks masked and non-finite pixels. Its lightness is
	// L* ≈ 54, far from the near-white centre of rdbu, and it has no hue, so
	// it is not mistaken for any colour of viridis or magma.
	noDataGrey = color.RGBA{0x80, 0x80, 0x80, 0xff}
)

// tickSet is the ticks of one axis. Positions are in image pixels from
// the start of the axis: the left edge for x, the bottom edge for y and for
// the colour bar.
type tickSet struct {
	major  []float64
	labels []string
	minor  []float64
	factor string // common power of ten of the labels, such as "×10⁻⁴"
}

// figure is the canvas with the position of every element.
type figure struct {
	img *image.RGBA
	fs  *faces
	opt *Options

	nx, ny, scale int
	rng           colorRange

	mapArea image.Rectangle // map pixels, inside the frame
	barArea image.Rectangle // colour-bar pixels, inside the frame

	xTicks, yTicks, barTicks tickSet
	xLabel, yLabel, barLabel string
}

// newFigure lays out the figure and allocates its canvas.
func newFigure(fs *faces, nx, ny, scale int, rng colorRange, opt *Options) *figure {
	f := &figure{fs: fs, opt: opt, nx: nx, ny: ny, scale: scale, rng: rng}
	mapW, mapH := nx*scale, ny*scale
	tickH := textHeight(fs.tick)
	labelH := textHeight(fs.label)

	// Axis ticks and labels.
	f.xTicks = mapTicks(nx, scale, opt.PixelArcmin, fs.tick, true)
	f.yTicks = mapTicks(ny, scale, opt.PixelArcmin, fs.tick, false)
	if opt.PixelArcmin > 0 {
		f.xLabel, f.yLabel = "Δx [arcmin]", "Δy [arcmin]"
	} else {
		f.xLabel, f.yLabel = "x [pixel]", "y [pixel]"
	}
	if opt.East != "" {
		f.xLabel += "   (East to the left)"
	}
	f.xLabel = withFactor(f.xLabel, f.xTicks.factor)
	f.yLabel = withFactor(f.yLabel, f.yTicks.factor)

	// The colour bar is as tall as the map, less room for its end
	// triangles, but never shorter than minBarSpan.
	rowH := max(mapH, minBarSpan)
	barH := rowH - 2*triangleH
	f.barTicks = barTicks(rng, barH, fs.tick)
	f.barLabel = withFactor(opt.Label, f.barTicks.factor)

	// Margins around the map.
	left := outerPad + labelH + labelGap + maxWidth(fs.tick, f.yTicks.labels) + tickGap + majorTick + 1
	top := outerPad + majorTick + 1
	if opt.Title != "" {
		top += textHeight(fs.title) + titleGap
	}
	if opt.East != "" {
		top += tickH + titleGap
	}
	bottom := 1 + majorTick + tickGap + tickH + labelGap + labelH + outerPad
	right := barGap + barWidth + 1 + majorTick + tickGap + maxWidth(fs.tick, f.barTicks.labels) + outerPad
	if f.barLabel != "" {
		right += labelGap + labelH
	}

	width := left + mapW + right
	if w := textWidth(fs.title, opt.Title) + 2*outerPad; w > width {
		width = w
	}
	height := top + rowH + bottom

	// Centre the map and the colour bar vertically in their row.
	rowTop := top
	mapTop := rowTop + (rowH-mapH)/2
	f.mapArea = image.Rect(left, mapTop, left+mapW, mapTop+mapH)
	barLeft := left + mapW + barGap
	barTop := rowTop + (rowH-barH)/2
	f.barArea = image.Rect(barLeft, barTop, barLeft+barWidth, barTop+barH)

	f.img = image.NewRGBA(image.Rect(0, 0, width, height))
	return f
}

func withFactor(label, factor string) string {
	switch {
	case factor == "":
		return label
	case label == "":
		return factor
	}
	return label + "  (" + factor + ")"
}

func maxWidth(face font.Face, labels []string) int {
	w := 0
	for _, s := range labels {
		w = max(w, textWidth(face, s))
	}
	return w
}

// mapTicks returns the ticks for a map axis of n pixels, each drawn scale
// image pixels wide. With pixelArcmin > 0 the values are offsets in arcmin
// from the map centre, otherwise pixel indices at pixel centres. The step
// grows until neighbouring labels no longer touch.
func mapTicks(n, scale int, pixelArcmin float64, face font.Face, horizontal bool) tickSet {
	var lo, hi, span, pxPerUnit, offset float64
	if pixelArcmin > 0 {
		half := float64(n) / 2 * pixelArcmin
		lo, hi, span = -half, half, 2*half
		pxPerUnit = float64(scale) / pixelArcmin
		offset = half * pxPerUnit
	} else {
		lo, hi, span = 0, float64(n-1), float64(n)
		pxPerUnit = float64(scale)
		offset = 0.5 * pxPerUnit
	}

	step := niceStep(span, max(3, n*scale/100))
	if pixelArcmin == 0 {
		step = math.Max(step, 1)
	}
	var ts tickSet
	for {
		values := ticksIn(lo, hi, step)
		format := newTickFormat(step, math.Max(math.Abs(lo), math.Abs(hi)))
		ts = tickSet{labels: make([]string, len(values)), major: make([]float64, len(values)), factor: format.factor()}
		for i, v := range values {
			ts.labels[i] = format.format(v)
			ts.major[i] = offset + v*pxPerUnit
		}
		need := float64(textHeight(face) + 6)
		if horizontal {
			need = float64(maxWidth(face, ts.labels) + 12)
		}
		if step*pxPerUnit >= need {
			break
		}
		step = nextNiceStep(step)
	}

	// Minor ticks divide a step of 1 or 5 into five and a step of 2 into
	// four. Pixel axes get them only at whole pixels.
	divisions := 5
	if m := step / math.Pow(10, math.Floor(math.Log10(step))); math.Abs(m-2) < 1e-6 {
		divisions = 4
	}
	minorStep := step / float64(divisions)
	if minorStep*pxPerUnit < 5 || (pixelArcmin == 0 && minorStep < 1) {
		return ts
	}
	first := math.Ceil(lo/minorStep - 1e-9)
	for k := first; k*minorStep <= hi+1e-9*minorStep; k++ {
		if int(math.Round(k))%divisions != 0 {
			ts.minor = append(ts.minor, offset+k*minorStep*pxPerUnit)
		}
	}
	return ts
}

// barTicks returns the ticks for a colour bar of barH pixels spanning rng.
func barTicks(rng colorRange, barH int, face font.Face) tickSet {
	span := rng.hi - rng.lo
	pxPerUnit := float64(barH) / span
	need := float64(textHeight(face) + 4)
	step := niceStep(span, max(3, barH/80))
	for step*pxPerUnit < need {
		step = nextNiceStep(step)
	}
	// A range that starts just above a multiple of the step may hold a
	// single tick, so refine the step while the labels still fit.
	for len(ticksIn(rng.lo, rng.hi, step)) < 2 && prevNiceStep(step)*pxPerUnit >= need {
		step = prevNiceStep(step)
	}

	values := ticksIn(rng.lo, rng.hi, step)
	format := newTickFormat(step, math.Max(math.Abs(rng.lo), math.Abs(rng.hi)))
	ts := tickSet{labels: make([]string, len(values)), major: make([]float64, len(values)), factor: format.factor()}
	for i, v := range values {
		ts.labels[i] = format.format(v)
		ts.major[i] = (v - rng.lo) * pxPerUnit
	}
	return ts
}
