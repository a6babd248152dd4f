package quicklook

import (
	"image"
	"image/color"
	"math"
)

// draw paints every element of the figure onto its canvas.
func (f *figure) draw(data []float64, mask []bool, cmap *colormap) {
	fillRect(f.img, f.img.Rect, paper)

	f.drawMap(data, mask, cmap)
	drawFrame(f.img, f.mapArea)
	f.drawMapTicks()

	f.drawColorBar(cmap)
	f.drawBarTicks()

	f.drawLabels()
}

// drawMap fills the map area, one block of scale × scale image pixels per
// map pixel, with data row 0 at the bottom.
func (f *figure) drawMap(data []float64, mask []bool, cmap *colormap) {
	img, s := f.img, f.scale
	lo, inv := f.rng.lo, 1/(f.rng.hi-f.rng.lo)
	rowBytes := f.nx * s * 4
	for y := range f.ny {
		top := f.mapArea.Min.Y + (f.ny-1-y)*s
		first := img.PixOffset(f.mapArea.Min.X, top)
		row := img.Pix[first : first+rowBytes]

		// Paint the first image row of the block, then copy it down.
		for x := range f.nx {
			i := y*f.nx + x
			c := noDataGrey
			if isValid(data[i], mask, i) {
				c = cmap.at((data[i] - lo) * inv)
			}
			for k := range s {
				p := row[(x*s+k)*4 : (x*s+k)*4+4 : (x*s+k)*4+4]
				p[0], p[1], p[2], p[3] = c.R, c.G, c.B, c.A
			}
		}
		for k := 1; k < s; k++ {
			o := img.PixOffset(f.mapArea.Min.X, top+k)
			copy(img.Pix[o:o+rowBytes], row)
		}
	}

	if f.rng.valid == 0 {
		msg := "no valid pixels"
		c := f.mapArea.Min.Add(f.mapArea.Max).Div(2)
		drawText(f.img, f.fs.label, msg, c.X-textWidth(f.fs.label, msg)/2, c.Y-textHeight(f.fs.label)/2, paper)
	}
}

// drawMapTicks draws outward ticks on all four sides of the map and the
// numbers below and to the left of it.
func (f *figure) drawMapTicks() {
	a := f.mapArea
	capH := capHeight(f.fs.tick)

	for i, p := range f.xTicks.major {
		x := clampInt(a.Min.X+int(math.Round(p-0.5)), a.Min.X-1, a.Max.X)
		vline(f.img, x, a.Max.Y+1, a.Max.Y+1+majorTick, ink)
		vline(f.img, x, a.Min.Y-1-majorTick, a.Min.Y-1, ink)
		label := f.xTicks.labels[i]
		drawText(f.img, f.fs.tick, label, x-textWidth(f.fs.tick, label)/2, a.Max.Y+1+majorTick+tickGap, ink)
	}
	for _, p := range f.xTicks.minor {
		x := clampInt(a.Min.X+int(math.Round(p-0.5)), a.Min.X-1, a.Max.X)
		vline(f.img, x, a.Max.Y+1, a.Max.Y+1+minorTick, ink)
		vline(f.img, x, a.Min.Y-1-minorTick, a.Min.Y-1, ink)
	}

	for i, p := range f.yTicks.major {
		y := clampInt(a.Max.Y-1-int(math.Round(p-0.5)), a.Min.Y-1, a.Max.Y)
		hline(f.img, a.Min.X-1-majorTick, a.Min.X-1, y, ink)
		hline(f.img, a.Max.X+1, a.Max.X+1+majorTick, y, ink)
		label := f.yTicks.labels[i]
		right := a.Min.X - 1 - majorTick - tickGap
		drawTextBaseline(f.img, f.fs.tick, label, right-textWidth(f.fs.tick, label), y+capH/2, ink)
	}
	for _, p := range f.yTicks.minor {
		y := clampInt(a.Max.Y-1-int(math.Round(p-0.5)), a.Min.Y-1, a.Max.Y)
		hline(f.img, a.Min.X-1-minorTick, a.Min.X-1, y, ink)
		hline(f.img, a.Max.X+1, a.Max.X+1+minorTick, y, ink)
	}
}

// drawColorBar paints the colour ramp from the minimum colour at the bottom
// to the maximum at the top, with a triangle at each end beyond which some
// pixels were clipped.
func (f *figure) drawColorBar(cmap *colormap) {
	a := f.barArea
	h := float64(a.Dy())
	for y := a.Min.Y; y < a.Max.Y; y++ {
		t := (float64(a.Max.Y-y) - 0.5) / h
		hline(f.img, a.Min.X, a.Max.X, y, cmap.at(t))
	}
	drawFrame(f.img, a)

	if f.rng.above {
		f.drawTriangle(a.Min.Y-2, -1, cmap.at(1))
	}
	if f.rng.below {
		f.drawTriangle(a.Max.Y+1, +1, cmap.at(0))
	}
}

// drawTriangle draws an outlined isosceles triangle whose base row is base
// and whose apex lies triangleH rows away in direction dir (−1 up, +1 down).
// The base spans the colour bar including its frame.
func (f *figure) drawTriangle(base, dir int, fill color.RGBA) {
	a := f.barArea
	centre := float64(a.Min.X+a.Max.X-1) / 2
	halfBase := float64(a.Dx())/2 + 0.5
	for i := range triangleH {
		half := halfBase * float64(triangleH-i) / triangleH
		x0 := int(math.Round(centre - half))
		x1 := int(math.Round(centre + half))
		y := base + dir*i
		hline(f.img, x0, x1+1, y, fill)
		f.img.SetRGBA(x0, y, ink)
		f.img.SetRGBA(x1, y, ink)
	}
	f.img.SetRGBA(int(math.Round(centre)), base+dir*triangleH, ink)
}

// drawBarTicks draws outward ticks and their numbers to the right of the
// colour bar.
func (f *figure) drawBarTicks() {
	a := f.barArea
	capH := capHeight(f.fs.tick)
	for i, p := range f.barTicks.major {
		y := clampInt(a.Max.Y-1-int(math.Round(p-0.5)), a.Min.Y-1, a.Max.Y)
		hline(f.img, a.Max.X+1, a.Max.X+1+majorTick, y, ink)
		drawTextBaseline(f.img, f.fs.tick, f.barTicks.labels[i], a.Max.X+1+majorTick+tickGap, y+capH/2, ink)
	}
}

// drawLabels writes the axis labels, the colour-bar label, the title and the
// East note.
func (f *figure) drawLabels() {
	a := f.mapArea
	tickH := textHeight(f.fs.tick)

	xLabelTop := a.Max.Y + 1 + majorTick + tickGap + tickH + labelGap
	drawText(f.img, f.fs.label, f.xLabel, (a.Min.X+a.Max.X-textWidth(f.fs.label, f.xLabel))/2, xLabelTop, ink)
	yLabelH := textWidth(f.fs.label, f.yLabel)
	drawTextUp(f.img, f.fs.label, f.yLabel, outerPad, (a.Min.Y+a.Max.Y-yLabelH)/2, ink)

	if f.barLabel != "" {
		b := f.barArea
		x := b.Max.X + 1 + majorTick + tickGap + maxWidth(f.fs.tick, f.barTicks.labels) + labelGap
		h := textWidth(f.fs.label, f.barLabel)
		drawTextUp(f.img, f.fs.label, f.barLabel, x, (b.Min.Y+b.Max.Y-h)/2, ink)
	}

	top := outerPad
	if f.opt.Title != "" {
		w := textWidth(f.fs.title, f.opt.Title)
		x := clampInt((a.Min.X+a.Max.X-w)/2, outerPad, f.img.Rect.Dx()-outerPad-w)
		drawText(f.img, f.fs.title, f.opt.Title, x, top, ink)
		top += textHeight(f.fs.title) + titleGap
	}
	if f.opt.East != "" {
		w := textWidth(f.fs.tick, f.opt.East)
		drawText(f.img, f.fs.tick, f.opt.East, max(outerPad, a.Max.X-w), top, ink)
	}
}

func fillRect(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		hline(img, r.Min.X, r.Max.X, y, c)
	}
}

// hline paints columns [x0, x1) of row y.
func hline(img *image.RGBA, x0, x1, y int, c color.RGBA) {
	if y < img.Rect.Min.Y || y >= img.Rect.Max.Y {
		return
	}
	x0, x1 = max(x0, img.Rect.Min.X), min(x1, img.Rect.Max.X)
	for x := x0; x < x1; x++ {
		i := img.PixOffset(x, y)
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
}

// vline paints rows [y0, y1) of column x.
func vline(img *image.RGBA, x, y0, y1 int, c color.RGBA) {
	for y := y0; y < y1; y++ {
		hline(img, x, x+1, y, c)
	}
}

// drawFrame draws a one-pixel line just outside r.
func drawFrame(img *image.RGBA, r image.Rectangle) {
	hline(img, r.Min.X-1, r.Max.X+1, r.Min.Y-1, ink)
	hline(img, r.Min.X-1, r.Max.X+1, r.Max.Y, ink)
	vline(img, r.Min.X-1, r.Min.Y, r.Max.Y, ink)
	vline(img, r.Max.X, r.Min.Y, r.Max.Y, ink)
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
