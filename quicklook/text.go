package quicklook

import (
	"fmt"
	"image"
	"image/color"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Font sizes in pixels. They do not grow with the map, which the automatic
// Scale keeps at most 760 pixels across unless the map itself is larger.
const (
	tickFontPx  = 14
	labelFontPx = 15
	titleFontPx = 18
)

// goFonts parses the embedded Go fonts once. An *opentype.Font is safe for
// concurrent use but an *opentype.Face is not, so each Encode call makes its
// own faces.
var goFonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return [2]*opentype.Font{}, fmt.Errorf("quicklook: parsing Go Regular font: %w", err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return [2]*opentype.Font{}, fmt.Errorf("quicklook: parsing Go Bold font: %w", err)
	}
	return [2]*opentype.Font{regular, bold}, nil
})

// faces holds the font faces of one Encode call.
type faces struct {
	tick, label, title font.Face
}

func newFaces() (*faces, error) {
	fonts, err := goFonts()
	if err != nil {
		return nil, err
	}
	newFace := func(f *opentype.Font, px float64) (font.Face, error) {
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return nil, fmt.Errorf("quicklook: making %g px font face: %w", px, err)
		}
		return face, nil
	}
	var fs faces
	if fs.tick, err = newFace(fonts[0], tickFontPx); err != nil {
		return nil, err
	}
	if fs.label, err = newFace(fonts[0], labelFontPx); err != nil {
		return nil, err
	}
	if fs.title, err = newFace(fonts[1], titleFontPx); err != nil {
		return nil, err
	}
	return &fs, nil
}

func (fs *faces) close() {
	fs.tick.Close()
	fs.label.Close()
	fs.title.Close()
}

// textWidth returns the advance width of s in pixels.
func textWidth(face font.Face, s string) int {
	return font.MeasureString(face, s).Ceil()
}

// textHeight returns the line height from ascent to descent in pixels.
func textHeight(face font.Face) int {
	m := face.Metrics()
	return (m.Ascent + m.Descent).Ceil()
}

// capHeight returns the height of capital letters and digits in pixels.
func capHeight(face font.Face) int {
	return face.Metrics().CapHeight.Round()
}

// drawText draws s with its top-left corner at (x, y), where top is the
// ascent line of the face.
func drawText(dst *image.RGBA, face font.Face, s string, x, y int, c color.Color) {
	drawTextBaseline(dst, face, s, x, y+face.Metrics().Ascent.Ceil(), c)
}

// drawTextBaseline draws s starting at x on the baseline y.
func drawTextBaseline(dst *image.RGBA, face font.Face, s string, x, baseline int, c color.Color) {
	d := font.Drawer{
		Dst:  dst,
		Src:  image.NewUniform(c),
		Face: face,
		Dot:  fixed.P(x, baseline),
	}
	d.DrawString(s)
}

// drawTextUp draws s rotated 90° anticlockwise so that it reads from bottom
// to top, inside the box whose top-left corner is (x, y). The box is
// textHeight wide and textWidth tall.
func drawTextUp(dst *image.RGBA, face font.Face, s string, x, y int, c color.RGBA) {
	w, h := textWidth(face, s), textHeight(face)
	if w == 0 {
		return
	}
	mask := image.NewAlpha(image.Rect(0, 0, w, h))
	d := font.Drawer{
		Dst:  mask,
		Src:  image.Opaque,
		Face: face,
		Dot:  fixed.P(0, face.Metrics().Ascent.Ceil()),
	}
	d.DrawString(s)

	// Pixel (u, v) of the upright text lands at (x+v, y+w-1-u).
	for v := range h {
		for u := range w {
			a := mask.AlphaAt(u, v).A
			if a == 0 {
				continue
			}
			blend(dst, x+v, y+w-1-u, c, a)
		}
	}
}

// blend paints c with coverage a (0 to 255) over the pixel at (x, y).
func blend(dst *image.RGBA, x, y int, c color.RGBA, a uint8) {
	if !(image.Point{x, y}.In(dst.Rect)) {
		return
	}
	i := dst.PixOffset(x, y)
	p := dst.Pix[i : i+3 : i+3]
	p[0] = mix(p[0], c.R, a)
	p[1] = mix(p[1], c.G, a)
	p[2] = mix(p[2], c.B, a)
}

func mix(under, over, a uint8) uint8 {
	return uint8((uint32(under)*(255-uint32(a)) + uint32(over)*uint32(a) + 127) / 255)
}
