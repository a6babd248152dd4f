package quicklook_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/quicklook"
)

// End colours of viridis: entries 0 and 255 of matplotlib's table rounded to
// 8 bits, (0.267004, 0.004874, 0.329415) and (0.993248, 0.906157, 0.143936).
var (
	viridisMin = color.RGBA{68, 1, 84, 255}
	viridisMax = color.RGBA{253, 231, 37, 255}
)

// encode runs Encode and decodes its output, failing the test on any error.
func encode(t *testing.T, data []float64, nx, ny int, opt quicklook.Options) *image.RGBA {
	t.Helper()
	var buf bytes.Buffer
	if err := quicklook.Encode(&buf, data, nx, ny, opt); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("decoding the PNG that Encode wrote: %v", err)
	}
	rgba := image.NewRGBA(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	return rgba
}

func isBlack(c color.RGBA) bool { return c == color.RGBA{0, 0, 0, 255} }

// findMap returns the w × h rectangle inside a one-pixel black frame, or
// fails the test when there is none.
func findMap(t *testing.T, img *image.RGBA, w, h int) image.Rectangle {
	t.Helper()
	b := img.Bounds()
	for y := b.Min.Y + 1; y+h < b.Max.Y; y++ {
		for x := b.Min.X + 1; x+w < b.Max.X; x++ {
			if !isBlack(img.RGBAAt(x-1, y-1)) || !isBlack(img.RGBAAt(x+w, y+h)) ||
				!isBlack(img.RGBAAt(x+w, y-1)) || !isBlack(img.RGBAAt(x-1, y+h)) {
				continue
			}
			r := image.Rect(x, y, x+w, y+h)
			if framed(img, r) {
				return r
			}
		}
	}
	t.Fatalf("no %d×%d framed map in the %v image", w, h, b)
	return image.Rectangle{}
}

// framed reports whether a black line runs just outside r on all four sides.
func framed(img *image.RGBA, r image.Rectangle) bool {
	for x := r.Min.X - 1; x <= r.Max.X; x++ {
		if !isBlack(img.RGBAAt(x, r.Min.Y-1)) || !isBlack(img.RGBAAt(x, r.Max.Y)) {
			return false
		}
	}
	for y := r.Min.Y - 1; y <= r.Max.Y; y++ {
		if !isBlack(img.RGBAAt(r.Min.X-1, y)) || !isBlack(img.RGBAAt(r.Max.X, y)) {
			return false
		}
	}
	return true
}

// findColorBar returns the inside of the framed colour bar right of the map.
// Its left and right frame lines are the first columns right of the map
// that are black over most of the map's height.
func findColorBar(t *testing.T, img *image.RGBA, mapArea image.Rectangle) image.Rectangle {
	t.Helper()
	var edges []int
	for x := mapArea.Max.X + 1; x < img.Bounds().Max.X && len(edges) < 2; x++ {
		black := 0
		for y := mapArea.Min.Y; y < mapArea.Max.Y; y++ {
			if isBlack(img.RGBAAt(x, y)) {
				black++
			}
		}
		if black > mapArea.Dy()/2 {
			edges = append(edges, x)
			x++ // a frame line is one pixel wide
		}
	}
	if len(edges) < 2 {
		t.Fatalf("no colour bar right of the map at %v", mapArea)
	}
	mid := (edges[0] + edges[1]) / 2
	top, bottom := (mapArea.Min.Y+mapArea.Max.Y)/2, (mapArea.Min.Y+mapArea.Max.Y)/2
	for !isBlack(img.RGBAAt(mid, top-1)) {
		top--
	}
	for !isBlack(img.RGBAAt(mid, bottom)) {
		bottom++
	}
	return image.Rect(edges[0]+1, top, edges[1], bottom)
}

// near reports whether every channel of a and b differs by at most tol.
func near(a, b color.RGBA, tol int) bool {
	d := func(u, v uint8) bool { return max(int(u)-int(v), int(v)-int(u)) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

func isGrey(c color.RGBA) bool { return c.R == c.G && c.G == c.B && c.R > 64 && c.R < 192 }

// blockColor returns the colour at the centre of the image block of map
// pixel (x, y), with y counted from the bottom row of the map.
func blockColor(img *image.RGBA, area image.Rectangle, scale, x, y int) color.RGBA {
	return img.RGBAAt(area.Min.X+x*scale+scale/2, area.Max.Y-1-y*scale-scale/2)
}

func ramp(nx, ny int) []float64 {
	data := make([]float64, nx*ny)
	for i := range data {
		data[i] = float64(i)
	}
	return data
}

func TestEncodeImageSize(t *testing.T) {
	t.Run("explicit scale", func(t *testing.T) {
		img := encode(t, ramp(50, 40), 50, 40, quicklook.Options{Scale: 3, Title: "ramp", Label: "value"})
		area := findMap(t, img, 150, 120)
		if img.Bounds().Dx() <= area.Dx() || img.Bounds().Dy() <= area.Dy() {
			t.Errorf("image %v is not larger than its map %v", img.Bounds(), area)
		}
	})
	t.Run("automatic scale", func(t *testing.T) {
		for _, tc := range []struct{ nx, ny, mapW, mapH int }{
			{360, 360, 720, 720}, // scale 2
			{64, 32, 512, 256},   // scale 8
			{400, 300, 400, 300}, // scale 2 would pass 760 pixels
			{1000, 20, 1000, 20}, // never below scale 1
		} {
			img := encode(t, ramp(tc.nx, tc.ny), tc.nx, tc.ny, quicklook.Options{PixelArcmin: 0.5})
			findMap(t, img, tc.mapW, tc.mapH)
			if w := img.Bounds().Dx(); tc.mapW <= 760 && (w < 550 || w > 1000) {
				t.Errorf("%d×%d map: image is %d pixels wide, want 550 to 1000", tc.nx, tc.ny, w)
			}
		}
	})
}

func TestEncodeOrientation(t *testing.T) {
	const nx, ny, scale = 30, 20, 4
	t.Run("top row is y = ny-1", func(t *testing.T) {
		data := make([]float64, nx*ny)
		for x := range nx {
			data[(ny-1)*nx+x] = 1
		}
		img := encode(t, data, nx, ny, quicklook.Options{Scale: scale})
		area := findMap(t, img, nx*scale, ny*scale)
		for x := area.Min.X; x < area.Max.X; x++ {
			for y := area.Min.Y; y < area.Min.Y+scale; y++ {
				if c := img.RGBAAt(x, y); c != viridisMax {
					t.Fatalf("top block row at (%d, %d) is %v, want the maximum colour %v", x, y, c, viridisMax)
				}
			}
			if c := img.RGBAAt(x, area.Min.Y+scale); c != viridisMin {
				t.Fatalf("second block row at (%d, %d) is %v, want the minimum colour %v", x, area.Min.Y+scale, c, viridisMin)
			}
			if c := img.RGBAAt(x, area.Max.Y-1); c != viridisMin {
				t.Fatalf("bottom row at (%d, %d) is %v, want the minimum colour %v", x, area.Max.Y-1, c, viridisMin)
			}
		}
	})
	t.Run("left column is x = 0", func(t *testing.T) {
		data := make([]float64, nx*ny)
		for y := range ny {
			data[y*nx] = 1
		}
		img := encode(t, data, nx, ny, quicklook.Options{Scale: scale})
		area := findMap(t, img, nx*scale, ny*scale)
		if c := img.RGBAAt(area.Min.X, area.Min.Y); c != viridisMax {
			t.Errorf("leftmost column is %v, want the maximum colour %v", c, viridisMax)
		}
		if c := img.RGBAAt(area.Max.X-1, area.Min.Y); c != viridisMin {
			t.Errorf("rightmost column is %v, want the minimum colour %v", c, viridisMin)
		}
	})
}

func TestEncodeMaskedAndNonFiniteGrey(t *testing.T) {
	const nx, ny, scale = 16, 12, 5
	data := ramp(nx, ny)
	mask := make([]bool, nx*ny)
	for i := range mask {
		mask[i] = true
	}
	masked := [2]int{3, 4}
	mask[masked[1]*nx+masked[0]] = false
	data[5*nx+9] = math.NaN()
	data[7*nx+2] = math.Inf(1)
	data[8*nx+12] = math.Inf(-1)

	img := encode(t, data, nx, ny, quicklook.Options{Scale: scale, Mask: mask})
	area := findMap(t, img, nx*scale, ny*scale)
	for _, p := range [][2]int{masked, {9, 5}, {2, 7}, {12, 8}} {
		if c := blockColor(img, area, scale, p[0], p[1]); !isGrey(c) {
			t.Errorf("pixel (%d, %d) is %v, want neutral grey", p[0], p[1], c)
		}
	}
	for _, p := range [][2]int{{0, 0}, {3, 5}, {15, 11}} {
		if c := blockColor(img, area, scale, p[0], p[1]); isGrey(c) {
			t.Errorf("valid pixel (%d, %d) is grey %v", p[0], p[1], c)
		}
	}
}

func TestEncodeColorBarMinToMax(t *testing.T) {
	img := encode(t, ramp(40, 40), 40, 40, quicklook.Options{Scale: 10, Label: "value"})
	area := findMap(t, img, 400, 400)
	bar := findColorBar(t, img, area)
	if bar.Dy() < 200 {
		t.Fatalf("colour bar %v is shorter than 200 pixels", bar)
	}
	mid := (bar.Min.X + bar.Max.X) / 2
	if c := img.RGBAAt(mid, bar.Max.Y-1); c != viridisMin {
		t.Errorf("bottom of the colour bar is %v, want the minimum colour %v", c, viridisMin)
	}
	if c := img.RGBAAt(mid, bar.Min.Y); c != viridisMax {
		t.Errorf("top of the colour bar is %v, want the maximum colour %v", c, viridisMax)
	}
}

func TestEncodeRobustRange(t *testing.T) {
	const n, scale = 20, 10
	data := ramp(n, n)
	data[0] = 1e9 // one hot pixel must not squash the rest into one colour
	img := encode(t, data, n, n, quicklook.Options{Scale: scale})
	area := findMap(t, img, n*scale, n*scale)
	if c := blockColor(img, area, scale, n-2, n-1); !near(c, viridisMax, 20) {
		t.Errorf("second-largest pixel is %v, want close to the maximum colour %v", c, viridisMax)
	}
	if c := blockColor(img, area, scale, 1, 0); !near(c, viridisMin, 20) {
		t.Errorf("pixel next to the hot pixel is %v, want close to the minimum colour %v", c, viridisMin)
	}
}

func TestEncodeSymmetric(t *testing.T) {
	const nx, ny, scale = 12, 1, 20
	data := make([]float64, nx*ny)
	for i := range data {
		data[i] = -0.2 + float64(i)*0.1 // −0.2 … 0.9, zero at x = 2
	}
	img := encode(t, data, nx, ny, quicklook.Options{Scale: scale, Symmetric: true})
	area := findMap(t, img, nx*scale, ny*scale)
	zero := blockColor(img, area, scale, 2, 0)
	if !near(zero, color.RGBA{0xf7, 0xf7, 0xf7, 0xff}, 12) {
		t.Errorf("zero is drawn as %v, want the near-white centre of rdbu_r", zero)
	}
	if low := blockColor(img, area, scale, 0, 0); !(low.B > low.R) {
		t.Errorf("negative value is drawn as %v, want blue", low)
	}
	if high := blockColor(img, area, scale, nx-1, 0); !(high.R > high.B) {
		t.Errorf("largest value is drawn as %v, want red", high)
	}
}

func TestEncodeDegenerateMaps(t *testing.T) {
	const n, scale = 10, 20
	t.Run("constant", func(t *testing.T) {
		data := make([]float64, n*n)
		for i := range data {
			data[i] = 3.5
		}
		img := encode(t, data, n, n, quicklook.Options{Scale: scale, Label: "value"})
		area := findMap(t, img, n*scale, n*scale)
		first := img.RGBAAt(area.Min.X, area.Min.Y)
		if isGrey(first) {
			t.Errorf("constant map is drawn grey, as if masked")
		}
		if c := img.RGBAAt(area.Max.X-1, area.Max.Y-1); c != first {
			t.Errorf("constant map has two colours, %v and %v", first, c)
		}
	})
	t.Run("all zero and symmetric", func(t *testing.T) {
		encode(t, make([]float64, n*n), n, n, quicklook.Options{Scale: scale, Symmetric: true})
	})
	t.Run("all masked", func(t *testing.T) {
		img := encode(t, ramp(n, n), n, n, quicklook.Options{Scale: scale, Mask: make([]bool, n*n), Label: "value"})
		area := findMap(t, img, n*scale, n*scale)
		if c := img.RGBAAt(area.Min.X, area.Min.Y); !isGrey(c) {
			t.Errorf("fully masked map has corner colour %v, want grey", c)
		}
	})
	t.Run("all NaN", func(t *testing.T) {
		data := make([]float64, n*n)
		for i := range data {
			data[i] = math.NaN()
		}
		encode(t, data, n, n, quicklook.Options{Scale: scale})
	})
	t.Run("single pixel", func(t *testing.T) {
		img := encode(t, []float64{1}, 1, 1, quicklook.Options{PixelArcmin: 0.29})
		findMap(t, img, 480, 480)
	})
}

func TestEncodeErrors(t *testing.T) {
	data := make([]float64, 12)
	for _, tc := range []struct {
		name   string
		data   []float64
		nx, ny int
		opt    quicklook.Options
		want   []string // substrings of the message
	}{
		{"short data", data[:10], 4, 3, quicklook.Options{}, []string{"len(data) = 10", "4×3", "12"}},
		{"long data", make([]float64, 13), 4, 3, quicklook.Options{}, []string{"len(data) = 13", "12"}},
		{"mask length", data, 4, 3, quicklook.Options{Mask: make([]bool, 11)}, []string{"len(Mask) = 11", "12"}},
		{"zero width", nil, 0, 3, quicklook.Options{}, []string{"0×3"}},
		{"unknown colour map", data, 4, 3, quicklook.Options{Colormap: "jet"}, []string{`"jet"`, "viridis"}},
		{"inverted range", data, 4, 3, quicklook.Options{Min: 1, Max: -1}, []string{"Min = 1", "Max = -1"}},
		{"overflowing range", data, 4, 3, quicklook.Options{Min: -math.MaxFloat64, Max: math.MaxFloat64}, []string{"colour range", "wider"}},
		{"NaN range", data, 4, 3, quicklook.Options{Min: math.NaN(), Max: 1}, []string{"Min = NaN"}},
		{"negative pixel size", data, 4, 3, quicklook.Options{PixelArcmin: -0.29}, []string{"PixelArcmin = -0.29"}},
		{"negative scale", data, 4, 3, quicklook.Options{Scale: -2}, []string{"Scale = -2"}},
		{"huge scale", data, 4, 3, quicklook.Options{Scale: 100000}, []string{"Scale = 100000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := quicklook.Encode(&buf, tc.data, tc.nx, tc.ny, tc.opt)
			if err == nil {
				t.Fatal("Encode returned no error")
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if buf.Len() != 0 {
				t.Errorf("Encode wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestEncodeEveryColormap(t *testing.T) {
	names := quicklook.Colormaps()
	if len(names) < 3 {
		t.Fatalf("Colormaps() = %v, want at least viridis, magma and a diverging map", names)
	}
	for _, name := range append(names, "Viridis") {
		if err := quicklook.Encode(io.Discard, ramp(8, 8), 8, 8, quicklook.Options{Colormap: name}); err != nil {
			t.Errorf("colour map %q: %v", name, err)
		}
	}
}

// barLightness returns CIE L* along the centre of the colour bar of a
// figure drawn with the named colour map, from the bottom to the top.
func barLightness(t *testing.T, name string) []float64 {
	t.Helper()
	img := encode(t, ramp(64, 64), 64, 64, quicklook.Options{Scale: 8, Colormap: name})
	bar := findColorBar(t, img, findMap(t, img, 512, 512))
	mid := (bar.Min.X + bar.Max.X) / 2
	var ls []float64
	for y := bar.Max.Y - 1; y >= bar.Min.Y; y-- {
		ls = append(ls, lightness(img.RGBAAt(mid, y)))
	}
	return ls
}

func TestColormapLightness(t *testing.T) {
	// Rounding to 8 bits per channel makes L* dip slightly between some
	// neighbouring entries (by 0.03 in viridis), so small reversals pass.
	const tol = 0.2
	for _, tc := range []struct {
		name        string
		first, last float64 // L* of the end colours, by lightness below
	}{
		{"viridis", 14.90, 90.86}, // (68, 1, 84) and (253, 231, 37)
		{"magma", 0.08, 97.92},    // (0, 0, 4) and (252, 253, 191)
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := barLightness(t, tc.name)
			for i := 1; i < len(ls); i++ {
				if ls[i] < ls[i-1]-tol {
					t.Fatalf("L* falls from %.2f to %.2f at %d of %d pixels up the colour bar", ls[i-1], ls[i], i, len(ls))
				}
			}
			if math.Abs(ls[0]-tc.first) > 1 || math.Abs(ls[len(ls)-1]-tc.last) > 1 {
				t.Errorf("L* runs from %.1f to %.1f, want %.1f to %.1f", ls[0], ls[len(ls)-1], tc.first, tc.last)
			}
		})
	}
	for _, name := range []string{"rdbu", "rdbu_r"} {
		t.Run(name, func(t *testing.T) {
			ls := barLightness(t, name)
			peak := 0
			for i, l := range ls {
				if l > ls[peak] {
					peak = i
				}
			}
			if mid := len(ls) / 2; peak < mid-len(ls)/20 || peak > mid+len(ls)/20 {
				t.Errorf("lightest colour is at %d of %d pixels, want the middle", peak, len(ls))
			}
			for i := 1; i < len(ls); i++ {
				rising := i <= peak
				if (rising && ls[i] < ls[i-1]-tol) || (!rising && ls[i] > ls[i-1]+tol) {
					t.Fatalf("L* goes from %.2f to %.2f at %d of %d pixels, want a rise to the middle and a fall after it", ls[i-1], ls[i], i, len(ls))
				}
			}
		})
	}
}

// lightness returns CIE 1976 L* of an sRGB colour (IEC 61966-2-1 transfer
// function, Rec. 709 luminance weights).
func lightness(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		f := float64(v) / 255
		if f <= 0.04045 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	y := 0.2126729*lin(c.R) + 0.7151522*lin(c.G) + 0.0721750*lin(c.B)
	if y > 216.0/24389 {
		return 116*math.Cbrt(y) - 16
	}
	return 24389.0 / 27 * y
}

func BenchmarkEncode360Scale2(b *testing.B) {
	kappa, mask := demoKappa(360, 0.29)
	opt := quicklook.Options{
		Title:       "KAPPA_E",
		Label:       "convergence κ",
		PixelArcmin: 0.29,
		Mask:        mask,
		Scale:       2,
		East:        "N up, E left",
	}
	for b.Loop() {
		if err := quicklook.Encode(io.Discard, kappa, 360, 360, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEncodePanel(t *testing.T) {
	a, err := quicklook.Render(make([]float64, 20*10), 20, 10, quicklook.Options{Title: "a"})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]float64, 12*12)
	for i := range data {
		data[i] = float64(i)
	}
	b, err := quicklook.Render(data, 12, 12, quicklook.Options{Title: "b"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := quicklook.EncodePanel(&buf, []*image.RGBA{a, b, a}, 2); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	cw := max(a.Bounds().Dx(), b.Bounds().Dx())
	ch := max(a.Bounds().Dy(), b.Bounds().Dy())
	if got := img.Bounds().Size(); got != image.Pt(2*cw, 2*ch) {
		t.Fatalf("panel is %v, want %dx%d", got, 2*cw, 2*ch)
	}
	// Figure b sits in the second cell of the first row, pixel for pixel.
	for _, p := range []image.Point{{5, 5}, {b.Bounds().Dx() / 2, b.Bounds().Dy() / 2}} {
		r1, g1, b1, _ := img.At(cw+p.X, p.Y).RGBA()
		r2, g2, b2, _ := b.At(p.X, p.Y).RGBA()
		if r1 != r2 || g1 != g2 || b1 != b2 {
			t.Errorf("pixel %v of figure b differs in the panel", p)
		}
	}
	// The fourth cell is empty: white.
	if r, g, bl, _ := img.At(cw+cw/2, ch+ch/2).RGBA(); r != 0xffff || g != 0xffff || bl != 0xffff {
		t.Error("the empty cell is not white")
	}
	if err := quicklook.EncodePanel(&buf, nil, 2); err == nil {
		t.Error("an empty panel gave no error")
	}
}
