package quicklook

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
)

// Options controls how Encode draws a map. The zero value draws a viridis map
// with an automatic colour range, pixel axes and no title.
type Options struct {
	// Title is drawn above the map, for example
	// "KAPPA_E  (Kaiser-Squires, smoothed 1.0 arcmin)".
	Title string

	// Label is the colour-bar label, for example "convergence κ" or "counts".
	Label string

	// PixelArcmin is the pixel size in arcmin. When it is positive the axes
	// show offsets from the map centre in arcmin; when it is zero they show
	// pixel indices. Negative or non-finite values are an error, so pass
	// |CDELT1| rather than a signed FITS increment.
	PixelArcmin float64

	// Mask, when not empty, has one entry per pixel in the layout of the data.
	// Pixels whose entry is false are drawn in grey and do not count towards
	// the automatic colour range.
	Mask []bool

	// Min and Max set the colour range. Values outside it get the end colours
	// of the map, and the colour bar then shows a triangle at that end. When
	// both are zero the range runs from the 0.5th to the 99.5th percentile of
	// the valid pixels.
	Min, Max float64

	// Symmetric makes the automatic range [−m, m] with m the larger
	// magnitude of the two percentiles, so zero sits in the middle of a
	// diverging colour map. It does not change an explicit Min and Max.
	Symmetric bool

	// Colormap names the colour map; Colormaps lists the choices, and case is
	// ignored. The default is "viridis", or "rdbu_r" (blue for negative, red
	// for positive values) when Symmetric is set.
	Colormap string

	// Scale is the number of image pixels per map pixel along each axis.
	// Zero chooses the smallest factor that makes the longer side of the
	// map at least 480 pixels, lowered if needed to keep that side within
	// 760 pixels, and never below 1. The whole figure is then about 200
	// pixels wider than the map.
	Scale int

	// East is an orientation note such as "N up, E left", drawn above the
	// top-right corner of the map. When it is set, the x-axis label gets
	// "(East to the left)" as well, so set it only for maps with East along
	// −x, which is how Encode draws a FITS map with negative CDELT1.
	East string
}

// maxMapPixels bounds each side of the drawn map, so that a mistaken Scale
// fails with an error instead of exhausting memory.
const maxMapPixels = 16384

// Encode draws the nx × ny map in data as a PNG figure and writes it to w.
//
// data is row-major with index y*nx + x. Row y = 0 is drawn at the bottom
// and column x = 0 at the left, as SAOImage DS9 shows a FITS image, so a map
// with North along +y appears with North up. NaN and ±Inf pixels are drawn
// in grey like masked ones. The figure has the title on top, the framed map
// with ticks and labels on both axes, and a colour bar on the right.
//
// Encode returns an error, and writes nothing, when nx or ny is not
// positive, when len(data) or a non-empty len(opt.Mask) is not nx*ny, when
// the colour map is unknown, when Min, Max, PixelArcmin or Scale are
// invalid, or when the colour range is wider than the largest float64. A
// constant or fully masked map is drawn without error.
func Encode(w io.Writer, data []float64, nx, ny int, opt Options) error {
	img, err := Render(data, nx, ny, opt)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("quicklook: writing PNG: %w", err)
	}
	return nil
}

// Render draws the figure that Encode writes and returns it as an image,
// for callers that compose several figures (see EncodePanel). It returns
// the errors that Encode returns, except those of writing.
func Render(data []float64, nx, ny int, opt Options) (*image.RGBA, error) {
	if nx <= 0 || ny <= 0 || nx > maxMapPixels || ny > maxMapPixels {
		return nil, fmt.Errorf("quicklook: map size %d×%d is invalid: each side must be between 1 and %d pixels", nx, ny, maxMapPixels)
	}
	if len(data) != nx*ny {
		return nil, fmt.Errorf("quicklook: len(data) = %d, but a %d×%d map has %d pixels", len(data), nx, ny, nx*ny)
	}
	mask := opt.Mask
	if len(mask) == 0 {
		mask = nil
	} else if len(mask) != nx*ny {
		return nil, fmt.Errorf("quicklook: len(Mask) = %d, but a %d×%d map has %d pixels", len(mask), nx, ny, nx*ny)
	}
	if p := opt.PixelArcmin; p < 0 || math.IsNaN(p) || math.IsInf(p, 0) {
		return nil, fmt.Errorf("quicklook: PixelArcmin = %g is invalid: pass the positive pixel size, or zero for pixel axes", p)
	}

	name := opt.Colormap
	if name == "" {
		name = "viridis"
		if opt.Symmetric {
			name = "rdbu_r"
		}
	}
	cmap, err := lookupColormap(name)
	if err != nil {
		return nil, err
	}

	scale := opt.Scale
	switch {
	case scale < 0:
		return nil, fmt.Errorf("quicklook: Scale = %d is invalid: use a positive factor, or zero to choose one", scale)
	case scale == 0:
		scale = autoScale(nx, ny)
	case nx*scale > maxMapPixels || ny*scale > maxMapPixels:
		return nil, fmt.Errorf("quicklook: Scale = %d makes the %d×%d map %d×%d pixels, more than %d on a side", scale, nx, ny, nx*scale, ny*scale, maxMapPixels)
	}

	rng, err := chooseRange(data, mask, &opt)
	if err != nil {
		return nil, err
	}

	fs, err := newFaces()
	if err != nil {
		return nil, err
	}
	defer fs.close()

	fig := newFigure(fs, nx, ny, scale, rng, &opt)
	fig.draw(data, mask, cmap)

	return fig.img, nil
}

// autoScale returns the factor described at Options.Scale.
func autoScale(nx, ny int) int {
	const minSide, maxSide = 480, 760
	side := max(nx, ny)
	return max(1, min((minSide+side-1)/side, maxSide/side))
}

// EncodePanel writes figures made by Render as one PNG, cols figures to a
// row, in order, on a white background. Every cell is as large as the
// largest figure. It returns an error if there is no figure or cols < 1.
func EncodePanel(w io.Writer, figures []*image.RGBA, cols int) error {
	if len(figures) == 0 || cols < 1 {
		return fmt.Errorf("quicklook: a panel of %d figures in %d columns: need at least one of each", len(figures), cols)
	}
	var cw, ch int
	for _, f := range figures {
		cw = max(cw, f.Bounds().Dx())
		ch = max(ch, f.Bounds().Dy())
	}
	cols = min(cols, len(figures))
	rows := (len(figures) + cols - 1) / cols
	panel := image.NewRGBA(image.Rect(0, 0, cols*cw, rows*ch))
	draw.Draw(panel, panel.Bounds(), image.White, image.Point{}, draw.Src)
	for i, f := range figures {
		at := image.Pt(i%cols*cw, i/cols*ch)
		draw.Draw(panel, f.Bounds().Sub(f.Bounds().Min).Add(at), f, f.Bounds().Min, draw.Src)
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, panel); err != nil {
		return fmt.Errorf("quicklook: writing PNG: %w", err)
	}
	return nil
}
