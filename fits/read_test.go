package fits_test

import (
	"encoding/binary"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fits"
)

// makeAstropyTables writes, with astropy, a binary table whose integer
// columns carry TSCALn, TZEROn and TNULLn, and an ASCII table. astropy writes
// the raw integers; the scaling keywords are added to the header afterwards so
// that the raw values in the file are the ones listed here.
const makeAstropyTables = `
import sys
import numpy as np
from astropy.io import fits

path = sys.argv[1]
cols = [
    fits.Column(name='e1', format='J', array=np.array([0, 1, -999, 1000], dtype=np.int32)),
    fits.Column(name='u16', format='I', array=np.array([-32768, -32767, 32767, 7232], dtype=np.int16)),
    fits.Column(name='b', format='B', array=np.array([1, 255, 0, 7], dtype=np.uint8)),
    fits.Column(name='k', format='K', array=np.array([5, -1, 0, 3], dtype=np.int64)),
    fits.Column(name='w', format='E', array=np.array([0.5, np.nan, -1.25, 3e38], dtype=np.float32)),
    fits.Column(name='ra', format='D', unit='deg', array=np.array([359.9, 0.1, np.nan, 150.1161025])),
    fits.Column(name='vec', format='3E', array=np.zeros((4, 3), dtype=np.float32)),
    fits.Column(name='label', format='8A', array=np.array(['gal-1', '', "it's", 'x' * 8])),
    fits.Column(name='good', format='L', array=np.array([True, False, True, True])),
]
binary = fits.BinTableHDU.from_columns(cols, name='SHEAR')
ascii = fits.TableHDU.from_columns([
    fits.Column(name='n', format='I5', array=np.array([1, -20, 300])),
    fits.Column(name='x', format='F8.3', array=np.array([1.5, -0.125, 99.999])),
    fits.Column(name='y', format='E12.4', array=np.array([1.5e-10, -2.0, 3.25e20])),
    fits.Column(name='tag', format='A4', array=np.array(['ab', 'cdef', 'g'])),
], name='ASCII')
image = fits.ImageHDU(np.arange(6, dtype=np.int16).reshape(2, 3), name='MASK')
fits.HDUList([fits.PrimaryHDU(), image, binary, ascii]).writeto(path)

with fits.open(path, mode='update') as hdul:
    h = hdul[2].header
    h.insert('TFORM1', ('TSCAL1', 0.25), after=True)
    h.insert('TSCAL1', ('TZERO1', 100.0), after=True)
    h.insert('TZERO1', ('TNULL1', -999), after=True)
    h.insert('TFORM2', ('TZERO2', 32768), after=True)
    h.insert('TFORM3', ('TNULL3', 255), after=True)
    h.insert('TFORM4', ('TNULL4', -1), after=True)
`

func TestReadTableFromAstropy(t *testing.T) {
	python := requireAstropy(t)
	path := filepath.Join(t.TempDir(), "astropy.fits")
	runPython(t, python, makeAstropyTables, nil, path)

	tab, err := fits.ReadTable(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Name != "SHEAR" || tab.Rows != 4 {
		t.Errorf("first table: name %q, %d rows; want SHEAR, 4 rows", tab.Name, tab.Rows)
	}
	wantNames := "e1 u16 b k w ra vec label good"
	if got := strings.Join(tab.ColumnNames(), " "); got != wantNames {
		t.Errorf("ColumnNames = %q, want %q", got, wantNames)
	}
	if tab.Columns[5].Unit != "deg" || tab.Columns[6].Format != "3E" {
		t.Errorf("column 6 unit %q and column 7 format %q, want deg and 3E", tab.Columns[5].Unit, tab.Columns[6].Format)
	}

	nan := math.NaN()
	cases := []struct {
		column string
		values []float64
		null   []bool
	}{
		// e1 = 100 + 0.25*raw; raw -999 is TNULL1.
		{"e1", []float64{100, 100.25, nan, 350}, []bool{false, false, true, false}},
		// TZERO2 = 32768 turns int16 into uint16.
		{"u16", []float64{0, 1, 65535, 40000}, []bool{false, false, false, false}},
		{"b", []float64{1, nan, 0, 7}, []bool{false, true, false, false}},
		{"k", []float64{5, nan, 0, 3}, []bool{false, true, false, false}},
		// NaN in a float column is not null.
		{"w", []float64{0.5, nan, -1.25, float64(float32(3e38))}, []bool{false, false, false, false}},
		{"ra", []float64{359.9, 0.1, nan, 150.1161025}, []bool{false, false, false, false}},
		// Column names match without regard to case when no exact match exists.
		{"RA", []float64{359.9, 0.1, nan, 150.1161025}, []bool{false, false, false, false}},
	}
	for _, c := range cases {
		values, null, err := tab.Float64(c.column)
		if err != nil {
			t.Errorf("Float64(%q): %v", c.column, err)
			continue
		}
		compareFloats(t, c.column, values, c.values)
		for i := range c.null {
			if null[i] != c.null[i] {
				t.Errorf("%s: null[%d] = %v, want %v", c.column, i, null[i], c.null[i])
			}
		}
	}

	labels, err := tab.Strings("label")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(labels, "|"); got != "gal-1||it's|xxxxxxxx" {
		t.Errorf("Strings(label) = %q", got)
	}

	for _, column := range []string{"vec", "good", "label"} {
		_, _, err := tab.Float64(column)
		if err == nil || !strings.Contains(err.Error(), column) || !strings.Contains(err.Error(), path) {
			t.Errorf("Float64(%q): error %v, want one naming the file and the column", column, err)
		}
	}

	t.Run("ascii", func(t *testing.T) {
		asc, err := fits.ReadTable(path, "ascii")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]float64{
			"n": {1, -20, 300},
			"x": {1.5, -0.125, 99.999},
			"y": {1.5e-10, -2.0, 3.25e20},
		}
		for name, w := range want {
			got, _, err := asc.Float64(name)
			if err != nil {
				t.Fatal(err)
			}
			compareFloats(t, name, got, w)
		}
		tags, err := asc.Strings("tag")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(tags, "|"); got != "ab|cdef|g" {
			t.Errorf("Strings(tag) = %q", got)
		}
	})

	t.Run("integer image", func(t *testing.T) {
		img, err := fits.ReadImage(path, "")
		if err != nil {
			t.Fatal(err)
		}
		if img.Name != "MASK" || img.Bitpix != 16 {
			t.Errorf("first image: name %q BITPIX %d, want MASK 16", img.Name, img.Bitpix)
		}
		compareFloats(t, "MASK", img.Data, []float64{0, 1, 2, 3, 4, 5})
	})
}

// be appends big-endian values.
func be(values ...any) []byte {
	var b []byte
	for _, v := range values {
		b, _ = binary.Append(b, binary.BigEndian, v)
	}
	return b
}

// handFile assembles, byte by byte, a file with an empty primary HDU, an
// int16 image with BSCALE, BZERO and BLANK, a binary table with TSCALn,
// TZEROn and TNULLn, and an ASCII table. It tests the reader without any
// other FITS software.
func handFile(t testing.TB) string {
	primary := header(
		card("SIMPLE", true), card("BITPIX", 8), card("NAXIS", 0), card("EXTEND", true),
		card("OBSERVER", "it''s me"),
		raw("LONGPATH= '/a/very/long/&'"),
		raw("CONTINUE  'path.fits' / where it came from"),
		raw("HIERARCH ESO DET CHIP = 5 / hierarch"),
		raw("COMMENT   free text"),
		card("EXPTIME", "1.5D2"),
		raw("DEXP    =               1.5D-2 / Fortran exponent"),
	)
	// LONGPATH, HIERARCH and DEXP are written by hand because card() only
	// writes plain values; card("EXPTIME", "1.5D2") is a string.

	image := header(
		card("XTENSION", "IMAGE"), card("BITPIX", 16), card("NAXIS", 2), card("NAXIS1", 3), card("NAXIS2", 2),
		card("PCOUNT", 0), card("GCOUNT", 1), card("EXTNAME", "MASK"),
		card("BSCALE", 0.5), card("BZERO", 10.0), card("BLANK", -1),
		card("CRVAL1", 150), card("CDELT1", -0.1),
	)
	pixels := padData(be(int16(0), int16(1), int16(-1), int16(4), int16(32767), int16(-32768)))

	// Columns: ra (D), e1 (J, TSCAL 0.001, TZERO 0.5, TNULL -1), flag (I,
	// TZERO 32768), name (4A).
	table := header(
		card("XTENSION", "BINTABLE"), card("BITPIX", 8), card("NAXIS", 2), card("NAXIS1", 8+4+2+4), card("NAXIS2", 3),
		card("PCOUNT", 0), card("GCOUNT", 1), card("TFIELDS", 4),
		card("TTYPE1", "ra"), card("TFORM1", "1D"), card("TUNIT1", "deg"),
		card("TTYPE2", "e1"), card("TFORM2", "J"), card("TSCAL2", 0.001), card("TZERO2", 0.5), card("TNULL2", -1),
		card("TTYPE3", "flag"), card("TFORM3", "I"), card("TZERO3", 32768),
		card("TTYPE4", "name"), card("TFORM4", "4A"),
		card("EXTNAME", "SHEAR"),
	)
	rows := padData(be(
		359.9, int32(1000), int16(-32768), [4]byte{'a', 'b', ' ', ' '},
		-0.1, int32(-1), int16(0), [4]byte{'c', 0, 0, 0},
		math.NaN(), int32(-500), int16(32767), [4]byte{'d', 'e', 'f', 'g'},
	))

	// An ASCII table: TBCOL is 1-based; "12345" in an F8.3 field has an
	// implied decimal point (12.345).
	ascii := header(
		card("XTENSION", "TABLE"), card("BITPIX", 8), card("NAXIS", 2), card("NAXIS1", 16), card("NAXIS2", 2),
		card("PCOUNT", 0), card("GCOUNT", 1), card("TFIELDS", 2),
		card("TTYPE1", "n"), card("TFORM1", "I5"), card("TBCOL1", 1), card("TNULL1", "***"),
		card("TTYPE2", "x"), card("TFORM2", "F8.3"), card("TBCOL2", 7), card("TSCAL2", 2.0),
		card("EXTNAME", "ASC"),
	)
	asciiRows := []byte("   42   1.250   " + "  ***    12345   ")[:32]
	for len(asciiRows)%2880 != 0 {
		asciiRows = append(asciiRows, ' ')
	}

	return writeFile(t, t.TempDir(), "hand.fits", primary, image, pixels, table, rows, ascii, asciiRows)
}

func TestReadHandAssembled(t *testing.T) {
	path := handFile(t)

	t.Run("list", func(t *testing.T) {
		infos, err := fits.List(path)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"0: image, no data",
			"1 'MASK': image, 3 x 2, BITPIX 16",
			"2 'SHEAR': binary table, 3 rows x 4 columns",
			"3 'ASC': ASCII table, 2 rows x 2 columns",
		}
		if len(infos) != len(want) {
			t.Fatalf("List: %d HDUs, want %d: %v", len(infos), len(want), infos)
		}
		for i := range want {
			if infos[i].String() != want[i] {
				t.Errorf("HDU %d: %q, want %q", i, infos[i].String(), want[i])
			}
		}
	})

	t.Run("primary cards", func(t *testing.T) {
		img, err := fits.ReadImage(path, "0")
		if err != nil {
			t.Fatal(err)
		}
		if len(img.Axes) != 0 || len(img.Data) != 0 {
			t.Errorf("primary HDU: Axes %v and %d values, want none", img.Axes, len(img.Data))
		}
		want := []fits.Card{
			{Key: "OBSERVER", Value: "it's me"},
			{Key: "LONGPATH", Value: "/a/very/long/path.fits", Comment: "where it came from"},
			{Key: "HIERARCH", Comment: " ESO DET CHIP = 5 / hierarch"},
			{Key: "COMMENT", Comment: "  free text"},
			{Key: "EXPTIME", Value: "1.5D2"},
			{Key: "DEXP", Value: 0.015, Comment: "Fortran exponent"},
		}
		if len(img.Cards) != len(want) {
			t.Fatalf("primary cards: %#v, want %#v", img.Cards, want)
		}
		for i := range want {
			if img.Cards[i] != want[i] {
				t.Errorf("card %d: %#v, want %#v", i, img.Cards[i], want[i])
			}
		}
	})

	t.Run("image", func(t *testing.T) {
		img, err := fits.ReadImage(path, "")
		if err != nil {
			t.Fatal(err)
		}
		if img.Name != "MASK" || img.Bitpix != 16 || len(img.Axes) != 2 || img.Axes[0] != 3 || img.Axes[1] != 2 {
			t.Errorf("image: name %q BITPIX %d axes %v, want MASK 16 [3 2]", img.Name, img.Bitpix, img.Axes)
		}
		// value = 10 + 0.5*raw; raw -1 is BLANK.
		compareFloats(t, "MASK", img.Data, []float64{10, 10.5, math.NaN(), 12, 10 + 0.5*32767, 10 - 0.5*32768})
		for _, key := range []string{"BSCALE", "BZERO", "BLANK", "NAXIS1", "EXTNAME"} {
			if _, ok := img.Card(key); ok {
				t.Errorf("structural card %s is in Cards", key)
			}
		}
		if v, ok := img.Float("crval1"); !ok || v != 150 {
			t.Errorf("Float(crval1) = %v, %v; want 150 from an integer card", v, ok)
		}
		if v, ok := img.Float("CDELT1"); !ok || v != -0.1 {
			t.Errorf("Float(CDELT1) = %v, %v; want -0.1", v, ok)
		}
		if _, ok := img.Float("MISSING"); ok {
			t.Error("Float(MISSING) reported a value")
		}
	})

	t.Run("binary table", func(t *testing.T) {
		tab, err := fits.ReadTable(path, "")
		if err != nil {
			t.Fatal(err)
		}
		ra, null, err := tab.Float64("ra")
		if err != nil {
			t.Fatal(err)
		}
		compareFloats(t, "ra", ra, []float64{359.9, -0.1, math.NaN()})
		if null[2] {
			t.Error("ra: NaN in a float column reported as null")
		}

		e1, null, err := tab.Float64("e1")
		if err != nil {
			t.Fatal(err)
		}
		compareFloats(t, "e1", e1, []float64{0.5 + 0.001*1000, math.NaN(), 0.5 + 0.001*-500})
		if null[0] || !null[1] || null[2] {
			t.Errorf("e1: null = %v, want [false true false]", null)
		}

		flag, _, err := tab.Float64("flag")
		if err != nil {
			t.Fatal(err)
		}
		compareFloats(t, "flag", flag, []float64{0, 32768, 65535})

		names, err := tab.Strings("name")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(names, "|"); got != "ab|c|defg" {
			t.Errorf("Strings(name) = %q, want ab|c|defg", got)
		}
		if tab.Columns[0].Unit != "deg" || tab.Columns[0].Format != "1D" {
			t.Errorf("column ra: unit %q format %q, want deg 1D", tab.Columns[0].Unit, tab.Columns[0].Format)
		}
	})

	t.Run("ascii table", func(t *testing.T) {
		tab, err := fits.ReadTable(path, "3")
		if err != nil {
			t.Fatal(err)
		}
		n, null, err := tab.Float64("n")
		if err != nil {
			t.Fatal(err)
		}
		compareFloats(t, "n", n, []float64{42, math.NaN()})
		if null[0] || !null[1] {
			t.Errorf("n: null = %v, want [false true]", null)
		}
		x, _, err := tab.Float64("x")
		if err != nil {
			t.Fatal(err)
		}
		// TSCAL2 = 2; the second field has an implied decimal point.
		compareFloats(t, "x", x, []float64{2.5, 2 * 12.345})
	})
}
