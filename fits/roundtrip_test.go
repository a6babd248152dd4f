package fits_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/atomicfile"
)

func TestImageRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "images.fits")
	images := testImages()
	if err := fits.WriteImages(path, false, images...); err != nil {
		t.Fatal(err)
	}

	for i, want := range images {
		got, err := fits.ReadImage(path, fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != want.Name {
			t.Errorf("HDU %d: name %q, want %q", i, got.Name, want.Name)
		}
		if fmt.Sprint(got.Axes) != fmt.Sprint(want.Axes) {
			t.Errorf("HDU %d: axes %v, want %v", i, got.Axes, want.Axes)
		}
		wantBitpix := want.Bitpix
		if wantBitpix == 0 {
			wantBitpix = -64
		}
		if got.Bitpix != wantBitpix {
			t.Errorf("HDU %d: Bitpix %d, want %d", i, got.Bitpix, wantBitpix)
		}
		expect := make([]float64, len(want.Data))
		for j, v := range want.Data {
			expect[j] = v
			if wantBitpix == -32 {
				expect[j] = float64(float32(v))
			}
		}
		compareFloats(t, fmt.Sprintf("HDU %d", i), got.Data, expect)
		// Signs of zero survive too.
		for j := range expect {
			if expect[j] == 0 && math.Signbit(expect[j]) != math.Signbit(got.Data[j]) {
				t.Errorf("HDU %d pixel %d: sign of zero lost", i, j)
			}
		}

		// Cards come back in order; commentary text longer than one card
		// comes back split, and int64 values as int.
		var wantCards []fits.Card
		for _, c := range want.Cards {
			if c.Value == nil && len(c.Comment) > commentaryWidth {
				wantCards = append(wantCards, fits.Card{Key: c.Key, Comment: c.Comment[:commentaryWidth]},
					fits.Card{Key: c.Key, Comment: c.Comment[commentaryWidth:]})
				continue
			}
			if v, ok := c.Value.(int64); ok {
				c.Value = int(v)
			}
			wantCards = append(wantCards, c)
		}
		if len(got.Cards) != len(wantCards) {
			t.Errorf("HDU %d: %d cards, want %d:\n%#v", i, len(got.Cards), len(wantCards), got.Cards)
			continue
		}
		for j := range wantCards {
			if got.Cards[j] != wantCards[j] {
				t.Errorf("HDU %d card %d: %#v, want %#v", i, j, got.Cards[j], wantCards[j])
			}
		}
	}
}

func TestImageRewrite(t *testing.T) {
	// What ReadImage returns can be written again unchanged.
	dir := t.TempDir()
	first := filepath.Join(dir, "first.fits")
	if err := fits.WriteImages(first, false, testImages()[0]); err != nil {
		t.Fatal(err)
	}
	img, err := fits.ReadImage(first, "")
	if err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "second.fits")
	if err := fits.WriteImages(second, false, *img); err != nil {
		t.Fatal(err)
	}
	again, err := fits.ReadImage(second, "")
	if err != nil {
		t.Fatal(err)
	}
	compareFloats(t, "rewritten", again.Data, img.Data)
	if fmt.Sprintf("%#v", again.Cards) != fmt.Sprintf("%#v", img.Cards) {
		t.Errorf("rewritten cards differ:\n%#v\nwant\n%#v", again.Cards, img.Cards)
	}
}

func TestWriteOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "map.fits")
	img := fits.ImageHDU{Axes: []int{2}, Data: []float64{1, 2}}
	if err := fits.WriteImages(path, false, img); err != nil {
		t.Fatal(err)
	}
	img.Data = []float64{3, 4}
	if err := fits.WriteImages(path, false, img); !errors.Is(err, atomicfile.ErrExists) {
		t.Errorf("second write without overwrite: %v, want ErrExists", err)
	}
	if err := fits.WriteImages(path, true, img); err != nil {
		t.Fatalf("write with overwrite: %v", err)
	}
	got, err := fits.ReadImage(path, "")
	if err != nil {
		t.Fatal(err)
	}
	compareFloats(t, "overwritten", got.Data, []float64{3, 4})

	if err := fits.WriteTable(path, false, "T", fits.Column{Name: "x", Data: []float64{1}}); !errors.Is(err, atomicfile.ErrExists) {
		t.Errorf("WriteTable without overwrite: %v, want ErrExists", err)
	}
}

func TestTableRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "table.fits")
	cols := testColumns()
	if err := fits.WriteTable(path, false, "SHEAR", cols...); err != nil {
		t.Fatal(err)
	}
	tab, err := fits.ReadTable(path, "shear")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Name != "SHEAR" || tab.Rows != 6 || len(tab.Columns) != len(cols) {
		t.Fatalf("table %q with %d rows and %d columns, want SHEAR, 6, %d", tab.Name, tab.Rows, len(tab.Columns), len(cols))
	}
	for i, c := range cols {
		info := tab.Columns[i]
		if info.Name != c.Name || info.Unit != c.Unit {
			t.Errorf("column %d: %q [%s], want %q [%s]", i, info.Name, info.Unit, c.Name, c.Unit)
		}
		got, null, err := tab.Float64(c.Name)
		if err != nil {
			t.Fatal(err)
		}
		compareFloats(t, c.Name, got, asFloat64(c.Data))
		for r, isNull := range null {
			if isNull {
				t.Errorf("%s row %d: null without TNULL", c.Name, r)
			}
		}
	}
}

func asFloat64(data any) []float64 {
	var out []float64
	switch d := data.(type) {
	case []float64:
		out = append(out, d...)
	case []float32:
		for _, v := range d {
			out = append(out, float64(v))
		}
	case []int16:
		for _, v := range d {
			out = append(out, float64(v))
		}
	case []int32:
		for _, v := range d {
			out = append(out, float64(v))
		}
	case []int64:
		for _, v := range d {
			out = append(out, float64(v))
		}
	case []uint8:
		for _, v := range d {
			out = append(out, float64(v))
		}
	}
	return out
}
