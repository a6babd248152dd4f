package fits_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/skyinv/skyinv/fits"
)

// fuzzSeeds returns small valid files (an image file, a table file and the
// hand-assembled file) and some cut short, as starting points for mutation.
func fuzzSeeds(f *testing.F) [][]byte {
	dir := f.TempDir()
	img := filepath.Join(dir, "img.fits")
	if err := fits.WriteImages(img, false, testImages()[1:4]...); err != nil {
		f.Fatal(err)
	}
	tab := filepath.Join(dir, "tab.fits")
	if err := fits.WriteTable(tab, false, "T", testColumns()...); err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, path := range []string{img, tab, handFile(f)} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b, b[:len(b)-100], b[:2880])
	}
	return seeds
}

// fuzzFile writes data to a file that the fuzz target reads.
func fuzzFile(t *testing.T, data []byte) string {
	path := filepath.Join(t.TempDir(), "fuzz.fits")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// FuzzReadImage checks that no input makes the reader panic or hang.
func FuzzReadImage(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := fuzzFile(t, data)
		fits.List(path)
		for _, hdu := range []string{"", "0", "1", "MASK"} {
			img, err := fits.ReadImage(path, hdu)
			if err != nil {
				continue
			}
			n := 1
			for _, a := range img.Axes {
				n *= a
			}
			if len(img.Axes) > 0 && len(img.Data) != n {
				t.Errorf("HDU %q: %d values for axes %v", hdu, len(img.Data), img.Axes)
			}
		}
	})
}

// FuzzReadTable checks that no input makes the table reader panic or hang.
func FuzzReadTable(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := fuzzFile(t, data)
		for _, hdu := range []string{"", "1", "2", "3"} {
			tab, err := fits.ReadTable(path, hdu)
			if err != nil {
				continue
			}
			for _, name := range tab.ColumnNames() {
				if values, null, err := tab.Float64(name); err == nil && (len(values) != tab.Rows || len(null) != tab.Rows) {
					t.Errorf("column %q: %d values and %d null flags for %d rows", name, len(values), len(null), tab.Rows)
				}
				tab.Strings(name)
			}
		}
	})
}
