package fits_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fits"
)

// These tests are the proof that files written here are standard FITS: each
// file must pass fitsverify with no warning and read back in astropy with
// every value identical.

// readBackScript prints, as JSON, every HDU of the file in argv[1] as astropy
// reads it: image pixels and float columns as float.hex (exact), integer
// columns as decimal strings, and every header card with a typed value.
const readBackScript = `
import json, sys
import numpy as np
from astropy.io import fits

def value(v):
    if isinstance(v, (bool, np.bool_)):
        return {"b": bool(v)}
    if isinstance(v, (int, np.integer)):
        return {"i": str(int(v))}
    if isinstance(v, (float, np.floating)):
        return {"f": float(v).hex()}
    if isinstance(v, complex):
        return {"c": [v.real.hex(), v.imag.hex()]}
    return {"s": str(v)}

out = []
with fits.open(sys.argv[1]) as hdul:
    for hdu in hdul:
        h = {"name": hdu.name, "cards": []}
        for c in hdu.header.cards:
            h["cards"].append([c.keyword, value(c.value), c.comment])
        if isinstance(hdu, fits.BinTableHDU):
            h["columns"] = []
            for col in hdu.columns:
                data = hdu.data[col.name]
                if data.dtype.kind in "iu":
                    vals = [str(int(x)) for x in data]
                else:
                    vals = [float(x).hex() for x in data]
                h["columns"].append({"name": col.name, "format": str(col.format),
                                     "unit": col.unit or "", "dtype": str(data.dtype), "values": vals})
        elif hdu.data is not None:
            h["shape"] = list(hdu.data.shape)
            h["dtype"] = str(hdu.data.dtype)
            h["data"] = [float(x).hex() for x in hdu.data.ravel(order="C")]
        else:
            h["shape"] = []
        out.append(h)
json.dump(out, sys.stdout)
`

type astropyValue struct {
	B *bool      `json:"b"`
	I *string    `json:"i"`
	F *string    `json:"f"`
	C *[2]string `json:"c"`
	S *string    `json:"s"`
}

type astropyColumn struct {
	Name   string   `json:"name"`
	Format string   `json:"format"`
	Unit   string   `json:"unit"`
	Dtype  string   `json:"dtype"`
	Values []string `json:"values"`
}

type astropyHDU struct {
	Name    string          `json:"name"`
	Cards   [][3]any        `json:"cards"`
	Shape   []int           `json:"shape"`
	Dtype   string          `json:"dtype"`
	Data    []string        `json:"data"`
	Columns []astropyColumn `json:"columns"`
}

// astropyCard is one header card as astropy read it.
type astropyCard struct {
	key     string
	value   any
	comment string
}

// decodeCards turns the JSON cards into Go values: bool, int64, float64,
// complex128 or string.
func decodeCards(t *testing.T, raw [][3]any) []astropyCard {
	t.Helper()
	var out []astropyCard
	for _, r := range raw {
		key, _ := r[0].(string)
		comment, _ := r[2].(string)
		m, _ := r[1].(map[string]any)
		var v any
		switch {
		case m["b"] != nil:
			v = m["b"].(bool)
		case m["i"] != nil:
			i, err := strconv.ParseInt(m["i"].(string), 10, 64)
			if err != nil {
				t.Fatalf("card %s: %v", key, err)
			}
			v = i
		case m["f"] != nil:
			v = parseHexFloats(t, []string{m["f"].(string)})[0]
		case m["c"] != nil:
			parts := m["c"].([]any)
			f := parseHexFloats(t, []string{parts[0].(string), parts[1].(string)})
			v = complex(f[0], f[1])
		default:
			v, _ = m["s"].(string)
		}
		out = append(out, astropyCard{key, v, comment})
	}
	return out
}

func readWithAstropy(t *testing.T, path string) []astropyHDU {
	t.Helper()
	python := requireAstropy(t)
	var hdus []astropyHDU
	runPython(t, python, readBackScript, &hdus, path)
	return hdus
}

// longPath is a provenance value longer than one card, with quotes that must
// be doubled, including one doubled quote that falls where a CONTINUE split
// would otherwise cut it.
var longPath = "/data/surveys/cosmos/" + strings.Repeat("x", 40) + "'" + strings.Repeat("y", 25) +
	"/it's a 'quoted' directory/" + strings.Repeat("z", 80) + "/cosmos_shear_cat.fits"

// userCards has one card of every value type, with commentary cards long
// enough to be split.
func userCards() []fits.Card {
	return []fits.Card{
		{Key: "FLAGT", Value: true, Comment: "logical true"},
		{Key: "FLAGF", Value: false, Comment: "logical false"},
		{Key: "NITER", Value: 250, Comment: "an int"},
		{Key: "BIGINT", Value: int64(math.MinInt64), Comment: "an int64 at its minimum"},
		{Key: "NEGINT", Value: -7},
		{Key: "CTYPE1", Value: "RA---TAN"},
		{Key: "CTYPE2", Value: "DEC--TAN"},
		{Key: "CRPIX1", Value: 3.0},
		{Key: "CRPIX2", Value: 2.0},
		{Key: "CRVAL1", Value: 150.1161025, Comment: "deg"},
		{Key: "CRVAL2", Value: 2.247490268, Comment: "deg"},
		{Key: "CDELT1", Value: -0.29 / 60, Comment: "deg per pixel"},
		{Key: "CDELT2", Value: 0.29 / 60, Comment: "deg per pixel"},
		{Key: "TINY", Value: -2.2250738585072014e-308, Comment: "needs more than 20 columns"},
		{Key: "HUGE", Value: 1e21},
		{Key: "WHOLE", Value: 3.0, Comment: "a float with an integer value"},
		{Key: "THIRD", Value: 1.0 / 3},
		{Key: "CPLX", Value: complex(1.5, -0.25)},
		{Key: "OBJECT", Value: "COSMOS", Comment: "short string"},
		{Key: "QUOTE", Value: "it's"},
		{Key: "EMPTY", Value: ""},
		{Key: "AMPER", Value: "ends with &"},
		{Key: "INPUT", Value: longPath, Comment: "input catalogue"},
		{Key: "COMMENT", Comment: "A comment long enough to need two cards: " + strings.Repeat("c", 60)},
		{Key: "HISTORY", Comment: "written by the fits package tests"},
		{Key: "", Comment: "a blank-key card"},
	}
}

// commentaryWidth is the text that fits on one COMMENT or HISTORY card.
const commentaryWidth = 72

// expectedAstropyCards returns the cards astropy should see for userCards:
// commentary text split across cards, integers as int64.
func expectedAstropyCards(in []fits.Card) []astropyCard {
	var out []astropyCard
	for _, c := range in {
		if c.Value == nil {
			text := c.Comment
			for {
				n := min(len(text), commentaryWidth)
				out = append(out, astropyCard{c.Key, text[:n], ""})
				text = text[n:]
				if text == "" {
					break
				}
			}
			continue
		}
		v := c.Value
		if i, ok := v.(int); ok {
			v = int64(i)
		}
		out = append(out, astropyCard{c.Key, v, c.Comment})
	}
	return out
}

func checkCards(t *testing.T, hduName string, got []astropyCard, want []astropyCard) {
	t.Helper()
	// Keep only the user's cards: drop the structural ones the writer adds.
	structural := map[string]bool{"SIMPLE": true, "XTENSION": true, "BITPIX": true, "NAXIS": true,
		"EXTEND": true, "PCOUNT": true, "GCOUNT": true, "EXTNAME": true, "LONGSTRN": true}
	var user []astropyCard
	for _, c := range got {
		if structural[c.key] || strings.HasPrefix(c.key, "NAXIS") {
			continue
		}
		user = append(user, c)
	}
	if len(user) != len(want) {
		t.Errorf("HDU %s: astropy read %d user cards, want %d: %v", hduName, len(user), len(want), user)
		return
	}
	for i := range want {
		g, w := user[i], want[i]
		if g.key != w.key {
			t.Errorf("HDU %s card %d: key %q, want %q", hduName, i, g.key, w.key)
			continue
		}
		if fmt.Sprintf("%T", g.value) != fmt.Sprintf("%T", w.value) || g.value != w.value {
			t.Errorf("HDU %s card %s: astropy value %#v (%T), want %#v (%T)", hduName, w.key, g.value, g.value, w.value, w.value)
		}
		if g.comment != w.comment {
			t.Errorf("HDU %s card %s: astropy comment %q, want %q", hduName, w.key, g.comment, w.comment)
		}
	}
}

// testImages returns images of both pixel types, 2-D and 3-D, odd sizes,
// with NaN, infinities, negative zero and extreme values.
func testImages() []fits.ImageHDU {
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1),
		math.SmallestNonzeroFloat64, math.MaxFloat64, 1.0 / 3, -150.1161025}
	img2 := make([]float64, 5*3)
	for i := range img2 {
		img2[i] = float64(i)*0.1 - 0.7
	}
	copy(img2, special)

	cube := make([]float64, 3*4*5)
	for i := range cube {
		cube[i] = float64(float32(math.Sin(float64(i)) * 1e3))
	}
	cube[7] = math.NaN()
	cube[11] = float64(math.MaxFloat32)
	cube[12] = float64(math.SmallestNonzeroFloat32)

	return []fits.ImageHDU{
		{Name: "KAPPA", Axes: []int{5, 3}, Data: img2, Bitpix: -64, Cards: userCards()},
		{Name: "CUBE", Axes: []int{3, 4, 5}, Data: cube, Bitpix: -32,
			Cards: []fits.Card{{Key: "BUNIT", Value: "", Comment: "dimensionless"}}},
		{Name: "NODATA"},
		{Axes: []int{1, 1}, Data: []float64{42}, Bitpix: 0},
		{Name: "F64CUBE", Axes: []int{1, 3, 2}, Data: []float64{1, 2, 3, 4, 5, math.NaN()}, Bitpix: -64,
			Cards: []fits.Card{{Key: "INPUT", Value: strings.Repeat("&", 150)}}},
	}
}

func TestWriteImagesInterop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "images.fits")
	images := testImages()
	if err := fits.WriteImages(path, false, images...); err != nil {
		t.Fatal(err)
	}

	t.Run("fitsverify", func(t *testing.T) { checkFitsverify(t, path) })

	t.Run("astropy", func(t *testing.T) {
		hdus := readWithAstropy(t, path)
		if len(hdus) != len(images) {
			t.Fatalf("astropy read %d HDUs, want %d", len(hdus), len(images))
		}
		for i, img := range images {
			got := hdus[i]
			wantName := strings.ToUpper(img.Name)
			if wantName == "" && i == 0 {
				wantName = "PRIMARY"
			}
			if got.Name != wantName {
				t.Errorf("HDU %d: astropy name %q, want %q", i, got.Name, wantName)
			}

			// numpy's shape lists the axes slowest first.
			want := make([]int, len(img.Axes))
			for j, n := range img.Axes {
				want[len(want)-1-j] = n
			}
			if fmt.Sprint(got.Shape) != fmt.Sprint(want) {
				t.Errorf("HDU %d: astropy shape %v, want %v", i, got.Shape, want)
			}

			// float32 pixels are the float64 values rounded to float32.
			expect := make([]float64, len(img.Data))
			for j, v := range img.Data {
				expect[j] = v
				if img.Bitpix == -32 {
					expect[j] = float64(float32(v))
				}
			}
			compareFloats(t, fmt.Sprintf("HDU %d data", i), parseHexFloats(t, got.Data), expect)

			checkCards(t, fmt.Sprint(i), decodeCards(t, got.Cards), expectedAstropyCards(img.Cards))
		}
	})
}

// testColumns returns one column of each type WriteTable supports, with the
// extremes of each type.
func testColumns() []fits.Column {
	return []fits.Column{
		{Name: "ra", Unit: "deg", Data: []float64{359.9, 0.1, math.NaN(), math.Inf(-1), math.Copysign(0, -1), 4.9e-324}},
		{Name: "mag", Unit: "mag", Data: []float32{21.5, float32(math.NaN()), math.MaxFloat32, -1.5, float32(math.Inf(1)), 1e-45}},
		{Name: "flag16", Data: []int16{math.MinInt16, -1, 0, 1, 2, math.MaxInt16}},
		{Name: "id32", Data: []int32{math.MinInt32, -5, 0, 7, 100000, math.MaxInt32}},
		{Name: "id64", Data: []int64{math.MinInt64, -1, 0, 1, 1 << 53, math.MaxInt64}},
		{Name: "nexp", Data: []uint8{0, 1, 2, 127, 128, 255}},
	}
}

func TestWriteTableInterop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "table.fits")
	cols := testColumns()
	if err := fits.WriteTable(path, false, "SHEAR", cols...); err != nil {
		t.Fatal(err)
	}

	t.Run("fitsverify", func(t *testing.T) { checkFitsverify(t, path) })

	t.Run("astropy", func(t *testing.T) {
		hdus := readWithAstropy(t, path)
		if len(hdus) != 2 {
			t.Fatalf("astropy read %d HDUs, want 2", len(hdus))
		}
		tab := hdus[1]
		if tab.Name != "SHEAR" {
			t.Errorf("table name %q, want SHEAR", tab.Name)
		}
		if len(tab.Columns) != len(cols) {
			t.Fatalf("astropy read %d columns, want %d", len(tab.Columns), len(cols))
		}
		wantFormats := []string{"D", "E", "I", "J", "K", "B"}
		for i, c := range cols {
			got := tab.Columns[i]
			if got.Name != c.Name {
				t.Errorf("column %d: name %q, want %q", i, got.Name, c.Name)
			}
			if got.Unit != c.Unit {
				t.Errorf("column %s: unit %q, want %q", c.Name, got.Unit, c.Unit)
			}
			if got.Format != wantFormats[i] {
				t.Errorf("column %s: format %q, want %q", c.Name, got.Format, wantFormats[i])
			}
			want := columnStrings(c.Data)
			if strings.Join(got.Values, " ") != strings.Join(want, " ") {
				t.Errorf("column %s: astropy values %v, want %v", c.Name, got.Values, want)
			}
		}
	})
}

// columnStrings formats a column as the read-back script does: floats as
// float.hex, integers in decimal.
func columnStrings(data any) []string {
	var out []string
	switch d := data.(type) {
	case []float64:
		for _, v := range d {
			out = append(out, pythonHex(v))
		}
	case []float32:
		for _, v := range d {
			out = append(out, pythonHex(float64(v)))
		}
	case []int16:
		for _, v := range d {
			out = append(out, strconv.Itoa(int(v)))
		}
	case []int32:
		for _, v := range d {
			out = append(out, strconv.Itoa(int(v)))
		}
	case []int64:
		for _, v := range d {
			out = append(out, strconv.FormatInt(v, 10))
		}
	case []uint8:
		for _, v := range d {
			out = append(out, strconv.Itoa(int(v)))
		}
	}
	return out
}

// pythonHex formats v as Python's float.hex does.
func pythonHex(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case v == 0:
		if math.Signbit(v) {
			return "-0x0.0p+0"
		}
		return "0x0.0p+0"
	}
	sign := ""
	if v < 0 {
		sign = "-"
		v = -v
	}
	bits := math.Float64bits(v)
	mantissa := bits & (1<<52 - 1)
	lead, e := 1, int(bits>>52)-1023
	if bits>>52 == 0 {
		// Subnormal: Python writes 0x0.<mantissa>p-1022.
		lead, e = 0, -1022
	}
	return fmt.Sprintf("%s0x%d.%013xp%+d", sign, lead, mantissa, e)
}
