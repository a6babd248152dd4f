package fits_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fits"
)

// checkError fails unless err wraps kind and its message contains every
// fragment.
func checkError(t *testing.T, err, kind error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one wrapping %v", kind)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %q does not wrap %v", err, kind)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	good := handFile(t)
	content, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("not FITS", func(t *testing.T) {
		path := writeFile(t, dir, "cat.txt", []byte("ra dec e1 e2\n1 2 3 4\n"))
		_, err := fits.ReadTable(path, "")
		checkError(t, err, fits.ErrNotFITS, path, "not a FITS file")
	})

	t.Run("empty file", func(t *testing.T) {
		path := writeFile(t, dir, "empty.fits", nil)
		_, err := fits.ReadImage(path, "")
		checkError(t, err, fits.ErrNotFITS, path)
	})

	t.Run("truncated data", func(t *testing.T) {
		// Cut the file inside the binary table's rows: HDU 2 has 3 rows
		// of 18 bytes after three header blocks and one data block.
		cut := 4*2880 + 30
		path := writeFile(t, dir, "cut.fits", content[:cut])
		_, err := fits.ReadTable(path, "SHEAR")
		checkError(t, err, fits.ErrTruncated, path, "expected 54 bytes of data for HDU 2, found 30")
	})

	t.Run("missing END", func(t *testing.T) {
		h := []byte(strings.Repeat(card("SIMPLE", true)+card("BITPIX", 8)+card("NAXIS", 0)+card("COMMENT", "x"), 9))
		path := writeFile(t, dir, "noend.fits", h)
		_, err := fits.ReadImage(path, "")
		checkError(t, err, fits.ErrTruncated, path, "missing END card", "HDU 0")
	})

	t.Run("HDU name not found", func(t *testing.T) {
		_, err := fits.ReadTable(good, "GALAXIES")
		checkError(t, err, fits.ErrNotFound, good, "GALAXIES", "1 'MASK'", "2 'SHEAR': binary table, 3 rows x 4 columns")
	})

	t.Run("HDU index not found", func(t *testing.T) {
		_, err := fits.ReadImage(good, "7")
		checkError(t, err, fits.ErrNotFound, good, "HDU 7 not found", "4 HDUs")
	})

	t.Run("image is not a table", func(t *testing.T) {
		_, err := fits.ReadTable(good, "mask")
		checkError(t, err, fits.ErrWrongType, good, "HDU 1 'MASK' is an image, not a table; tables in this file: 2 'SHEAR', 3 'ASC'")
	})

	t.Run("table is not an image", func(t *testing.T) {
		_, err := fits.ReadImage(good, "2")
		checkError(t, err, fits.ErrWrongType, good, "HDU 2 'SHEAR' is a binary table, not an image; images in this file: 0, 1 'MASK'")
	})

	t.Run("no table", func(t *testing.T) {
		path := filepath.Join(dir, "image-only.fits")
		if err := fits.WriteImages(path, false, fits.ImageHDU{Axes: []int{1}, Data: []float64{1}}); err != nil {
			t.Fatal(err)
		}
		_, err := fits.ReadTable(path, "")
		checkError(t, err, fits.ErrNotFound, path, "no HDU holds a table", "0: image, 1, BITPIX -64")
	})

	t.Run("column not found", func(t *testing.T) {
		tab, err := fits.ReadTable(good, "SHEAR")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = tab.Float64("dec")
		checkError(t, err, fits.ErrNotFound, good, `"dec"`, "columns: ra, e1, flag, name")
		_, err = tab.Strings("ra")
		checkError(t, err, fits.ErrUnsupported, good, `"ra"`, "TFORM")
	})

	t.Run("invalid headers", func(t *testing.T) {
		cases := []struct {
			name      string
			cards     []string
			fragments []string
		}{
			{"bad BITPIX", []string{card("SIMPLE", true), card("BITPIX", 12), card("NAXIS", 0)}, []string{"BITPIX = 12"}},
			{"negative NAXIS1", []string{card("SIMPLE", true), card("BITPIX", 8), card("NAXIS", 1), card("NAXIS1", -5)}, []string{"NAXIS1 = -5"}},
			{"missing NAXIS2", []string{card("SIMPLE", true), card("BITPIX", 8), card("NAXIS", 2), card("NAXIS1", 5)}, []string{"NAXIS2 is missing"}},
			{"string NAXIS", []string{card("SIMPLE", true), card("BITPIX", 8), card("NAXIS", "2")}, []string{"NAXIS = 2 is not an integer"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				path := writeFile(t, dir, "bad.fits", header(c.cards...))
				_, err := fits.ReadImage(path, "")
				checkError(t, err, fits.ErrInvalid, append(c.fragments, path)...)
			})
		}
	})

	t.Run("huge axes", func(t *testing.T) {
		h := header(card("SIMPLE", true), card("BITPIX", -64), card("NAXIS", 3),
			card("NAXIS1", 2000000000), card("NAXIS2", 2000000000), card("NAXIS3", 2000000000))
		path := writeFile(t, dir, "huge.fits", h)
		_, err := fits.ReadImage(path, "")
		checkError(t, err, fits.ErrTruncated, path)
	})

	t.Run("row length disagrees with TFORM", func(t *testing.T) {
		h := header(card("SIMPLE", true), card("BITPIX", 8), card("NAXIS", 0))
		tab := header(card("XTENSION", "BINTABLE"), card("BITPIX", 8), card("NAXIS", 2), card("NAXIS1", 9),
			card("NAXIS2", 1), card("PCOUNT", 0), card("GCOUNT", 1), card("TFIELDS", 1),
			card("TTYPE1", "x"), card("TFORM1", "D"))
		path := writeFile(t, dir, "naxis1.fits", h, tab, padData(make([]byte, 9)))
		_, err := fits.ReadTable(path, "")
		checkError(t, err, fits.ErrInvalid, path, "8 bytes per row", "NAXIS1 = 9")
	})

	t.Run("unknown TFORM letter", func(t *testing.T) {
		h := header(card("SIMPLE", true), card("BITPIX", 8), card("NAXIS", 0))
		tab := header(card("XTENSION", "BINTABLE"), card("BITPIX", 8), card("NAXIS", 2), card("NAXIS1", 8),
			card("NAXIS2", 1), card("PCOUNT", 0), card("GCOUNT", 1), card("TFIELDS", 1),
			card("TTYPE1", "weird"), card("TFORM1", "8Z"))
		path := writeFile(t, dir, "tform.fits", h, tab, padData(make([]byte, 8)))
		_, err := fits.ReadTable(path, "")
		checkError(t, err, fits.ErrInvalid, path, `"weird"`, "8Z")
	})

	t.Run("trailing bytes ignored", func(t *testing.T) {
		path := writeFile(t, dir, "trailing.fits", content, []byte("junk after the last HDU"))
		if _, err := fits.ReadTable(path, "ASC"); err != nil {
			t.Errorf("bytes after the last HDU: %v", err)
		}
	})
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	one := func(cards ...fits.Card) fits.ImageHDU {
		return fits.ImageHDU{Axes: []int{1}, Data: []float64{0}, Cards: cards}
	}
	cases := []struct {
		name     string
		hdu      fits.ImageHDU
		fragment string
	}{
		{"lowercase key", one(fits.Card{Key: "crval1", Value: 1.0}), `"crval1" is not a FITS keyword`},
		{"long key", one(fits.Card{Key: "PROVENANCE", Value: "x"}), `"PROVENANCE" is not a FITS keyword`},
		{"structural key", one(fits.Card{Key: "NAXIS1", Value: 3}), "NAXIS1 is set by the writer"},
		{"EXTNAME in Cards", one(fits.Card{Key: "EXTNAME", Value: "X"}), "EXTNAME is set by the writer"},
		{"column keyword", one(fits.Card{Key: "TFORM1", Value: "D"}), "TFORM1 is set by the writer"},
		{"duplicate", one(fits.Card{Key: "A", Value: 1}, fits.Card{Key: "A", Value: 2}), "card A appears twice"},
		{"NaN", one(fits.Card{Key: "X", Value: 0.0 / zero()}), "no NaN or Inf"},
		{"non-ASCII", one(fits.Card{Key: "PATH", Value: "/home/zoë/cat.fits"}), "printable ASCII"},
		{"nil value", one(fits.Card{Key: "X"}), "card X has no value"},
		{"unsupported type", one(fits.Card{Key: "X", Value: []int{1}}), "type []int"},
		{"integer Bitpix", fits.ImageHDU{Axes: []int{1}, Data: []float64{0}, Bitpix: 16}, "Bitpix = 16 cannot be written"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.fits")
			err := fits.WriteImages(path, false, c.hdu)
			checkError(t, err, nil, path, c.fragment)
			if _, statErr := os.Stat(path); statErr == nil {
				t.Errorf("%s was created despite the error", path)
			}
		})
	}

	t.Run("table column names", func(t *testing.T) {
		path := filepath.Join(dir, "bad-table.fits")
		err := fits.WriteTable(path, false, "", fits.Column{Name: "RA", Data: []float64{1}}, fits.Column{Name: "ra", Data: []float64{1}})
		checkError(t, err, nil, path, `"RA" and "ra"`)
		err = fits.WriteTable(path, false, "", fits.Column{Data: []float64{1}})
		checkError(t, err, nil, path, "column 1 has no name")
	})
}

func zero() float64 { return 0 }

// mustPanic fails unless f panics with a message starting "fits:".
func mustPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		msg, _ := r.(string)
		if !strings.HasPrefix(msg, "fits:") {
			t.Errorf("panic %v, want a message starting with fits:", r)
		}
	}()
	f()
}

func TestWritePanics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.fits")
	t.Run("data length", func(t *testing.T) {
		mustPanic(t, func() {
			fits.WriteImages(path, false, fits.ImageHDU{Axes: []int{3, 2}, Data: make([]float64, 5)})
		})
	})
	t.Run("no HDU", func(t *testing.T) {
		mustPanic(t, func() { fits.WriteImages(path, false) })
	})
	t.Run("column lengths", func(t *testing.T) {
		mustPanic(t, func() {
			fits.WriteTable(path, false, "", fits.Column{Name: "a", Data: []float64{1, 2}}, fits.Column{Name: "b", Data: []int32{1}})
		})
	})
	t.Run("column type", func(t *testing.T) {
		mustPanic(t, func() { fits.WriteTable(path, false, "", fits.Column{Name: "a", Data: []string{"x"}}) })
	})
}
