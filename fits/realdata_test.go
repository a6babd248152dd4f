package fits_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/skyinv/skyinv/fits"
)

// The reference data in ../shared/data (beside the repository) are read
// when present: the COSMOS shear catalogue, the survey mask, kappaTNG maps
// and HST galaxy stamps with their PSFs and catalogue.

func TestReadCOSMOSCatalogue(t *testing.T) {
	path := sharedData(t, "cosmos/cosmos_shear_cat.fits")
	tab, err := fits.ReadTable(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Name != "SHEAR" || tab.Rows != 417117 {
		t.Errorf("table %q with %d rows, want SHEAR with 417117", tab.Name, tab.Rows)
	}
	if got := fmt.Sprint(tab.ColumnNames()); got != "[ra dec e1 e2 weight]" {
		t.Errorf("columns %s, want [ra dec e1 e2 weight]", got)
	}
	ra, _, err := tab.Float64("ra")
	if err != nil {
		t.Fatal(err)
	}
	dec, _, err := tab.Float64("dec")
	if err != nil {
		t.Fatal(err)
	}
	// Ranges stated with the data: RA 149.43-150.80, Dec 1.57-2.89 deg.
	if lo, hi := slices.Min(ra), slices.Max(ra); lo < 149.42 || hi > 150.81 {
		t.Errorf("RA spans %v to %v, want within 149.43-150.80", lo, hi)
	}
	if lo, hi := slices.Min(dec), slices.Max(dec); lo < 1.56 || hi > 2.90 {
		t.Errorf("Dec spans %v to %v, want within 1.57-2.89", lo, hi)
	}
}

func TestReadHSTCatalogue(t *testing.T) {
	path := sharedData(t, "hst/AEGIS_F814w_catalog.fits")
	tab, err := fits.ReadTable(path, "1")
	if err != nil {
		t.Fatal(err)
	}
	names, err := tab.Strings("GAL_FILENAME")
	if err != nil {
		t.Fatal(err)
	}
	hdus, _, err := tab.Float64("GAL_HDU")
	if err != nil {
		t.Fatal(err)
	}
	// Every row names a stamp that exists: the file beside the catalogue
	// and an HDU within it.
	for i, name := range names {
		infos, err := fits.List(filepath.Join(filepath.Dir(path), name))
		if err != nil {
			t.Errorf("row %d: %v", i, err)
			continue
		}
		if h := int(hdus[i]); h < 0 || h >= len(infos) || infos[h].Kind != fits.KindImage {
			t.Errorf("row %d: HDU %d of %s is not an image", i, h, name)
		}
	}
}

// digestScript prints, for each HDU with data of the file in argv[1], a
// SHA-256 of its values as big-endian float64 with every NaN made the same
// quiet NaN: images in FITS order, and each numeric table column.
const digestScript = `
import hashlib, json, sys
import numpy as np
from astropy.io import fits

def digest(a):
    a = np.asarray(a, dtype=np.float64).ravel(order="C")
    a = np.where(np.isnan(a), np.float64("nan"), a)
    return [hashlib.sha256(a.astype(">f8").tobytes()).hexdigest(), int(a.size)]

out = []
with fits.open(sys.argv[1]) as hdul:
    for i, hdu in enumerate(hdul):
        if isinstance(hdu, fits.BinTableHDU):
            for col in hdu.columns:
                if hdu.data[col.name].dtype.kind in "iuf" and hdu.data[col.name].ndim == 1:
                    out.append([i, col.name] + digest(hdu.data[col.name]))
        elif hdu.data is not None:
            out.append([i, ""] + digest(hdu.data))
json.dump(out, sys.stdout)
`

// digest hashes values as digestScript does.
func digest(values []float64) string {
	h := sha256.New()
	var b [8]byte
	for _, v := range values {
		bits := math.Float64bits(v)
		if math.IsNaN(v) {
			bits = 0x7ff8000000000000 // numpy's NaN
		}
		binary.BigEndian.PutUint64(b[:], bits)
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestReferenceDataMatchesAstropy(t *testing.T) {
	files := []string{
		"cosmos/cosmos_shear_cat.fits",
		"cosmos/cosmos_mask_360.fits",
		"ktng/kappa_truth_360.fits",
		"ktng/shear_cosmos_noise_360.fits",
		"hst/AEGIS_F814w_images_01.fits",
		"hst/AEGIS_F814w_PSF_images_01.fits",
		"hst/AEGIS_F814w_catalog.fits",
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			path := sharedData(t, name)
			python := requireAstropy(t)
			var want [][4]any
			runPython(t, python, digestScript, &want, path)
			if len(want) == 0 {
				t.Fatal("astropy found no data")
			}
			for _, w := range want {
				index, column, sum := fmt.Sprint(w[0]), w[1].(string), w[2].(string)
				var values []float64
				if column == "" {
					img, err := fits.ReadImage(path, index)
					if err != nil {
						t.Fatal(err)
					}
					values = img.Data
				} else {
					tab, err := fits.ReadTable(path, index)
					if err != nil {
						t.Fatal(err)
					}
					if values, _, err = tab.Float64(column); err != nil {
						t.Fatal(err)
					}
				}
				if got := digest(values); got != sum {
					t.Errorf("HDU %s %s: %d values with digest %s, astropy's %v values have %s", index, column, len(values), got, w[3], sum)
				}
			}
		})
	}
}

// BenchmarkReadCOSMOS reads the 417,117-row COSMOS catalogue and decodes its
// five float64 columns.
func BenchmarkReadCOSMOS(b *testing.B) {
	path := sharedData(b, "cosmos/cosmos_shear_cat.fits")
	benchmarkReadTable(b, path)
}

// BenchmarkReadTable does the same on a generated table of the same shape,
// so that it runs without the reference data.
func BenchmarkReadTable(b *testing.B) {
	const rows = 417117
	cols := make([]fits.Column, 5)
	for i, name := range []string{"ra", "dec", "e1", "e2", "weight"} {
		data := make([]float64, rows)
		for r := range data {
			data[r] = float64(r) * 1e-3
		}
		cols[i] = fits.Column{Name: name, Data: data}
	}
	path := filepath.Join(b.TempDir(), "table.fits")
	if err := fits.WriteTable(path, false, "SHEAR", cols...); err != nil {
		b.Fatal(err)
	}
	benchmarkReadTable(b, path)
}

func benchmarkReadTable(b *testing.B, path string) {
	for b.Loop() {
		tab, err := fits.ReadTable(path, "")
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range tab.ColumnNames() {
			if _, _, err := tab.Float64(name); err != nil {
				b.Fatal(err)
			}
		}
	}
}
