package catalog_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/catalog"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/shareddata"
)

// raTol allows for the rounding of 360 + ra when a negative RA is wrapped.
const raTol = 1e-12

func writeText(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkValues(t *testing.T, label string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values %v, want %d %v", label, len(got), got, len(want), want)
		return
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Errorf("%s[%d] = %v, want %v", label, i, got[i], want[i])
		}
	}
}

func TestReadTextAcrossRAZero(t *testing.T) {
	// A field crossing RA = 0, with comments, blank lines and non-finite
	// values, and no weight column.
	path := writeText(t, "field.txt", `# ra dec e1 e2 id
359.9  -1.0   0.1  -0.2  gal-a

# a comment line
0.1    -0.5   0.0   0.3  gal-b
-0.1    0.5  -0.1   0.0  gal-c
360.0   1.0   nan   0.1  gal-d
10      2.0   0.2   inf  gal-e
720.5   3.0   0.4   0.5  gal-f
`)
	cat, err := catalog.Read(path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cat.Path != path || cat.Rows != 6 {
		t.Errorf("Path %q Rows %d, want %q 6", cat.Path, cat.Rows, path)
	}
	if cat.Dropped != (catalog.Drops{NonFinite: 2}) {
		t.Errorf("Dropped = %+v, want 2 non-finite", cat.Dropped)
	}
	if cat.HasWeight {
		t.Error("HasWeight is true without a weight column")
	}
	checkValues(t, "RA", cat.RA, []float64{359.9, 0.1, 359.9, 0.5}, raTol)
	checkValues(t, "Dec", cat.Dec, []float64{-1, -0.5, 0.5, 3}, 0)
	checkValues(t, "e1", cat.E1, []float64{0.1, 0, -0.1, 0.4}, 0)
	checkValues(t, "e2", cat.E2, []float64{-0.2, 0.3, 0, 0.5}, 0)
	checkValues(t, "weight", cat.Weight, []float64{1, 1, 1, 1}, 0)
}

func TestReadCSVWithWeightsAndFlips(t *testing.T) {
	// Upper-case names match the defaults without regard to case; one zero
	// weight is legitimate.
	path := writeText(t, "shear.csv", "RA, DEC, E1, E2, Weight\n150.1, 2.2, 0.1, -0.2, 2.5\n150.2, 2.3, -0.3, 0.4, 0\n")
	cat, err := catalog.Read(path, catalog.Options{FlipE1: true, FlipE2: true})
	if err != nil {
		t.Fatal(err)
	}
	if !cat.HasWeight || cat.Rows != 2 || cat.Dropped.Total() != 0 {
		t.Errorf("HasWeight %v Rows %d Dropped %v, want true 2 none", cat.HasWeight, cat.Rows, cat.Dropped)
	}
	checkValues(t, "e1", cat.E1, []float64{-0.1, 0.3}, 0)
	checkValues(t, "e2", cat.E2, []float64{0.2, -0.4}, 0)
	checkValues(t, "weight", cat.Weight, []float64{2.5, 0}, 0)

	t.Run("flip e2 only", func(t *testing.T) {
		cat, err := catalog.Read(path, catalog.Options{FlipE2: true})
		if err != nil {
			t.Fatal(err)
		}
		checkValues(t, "e1", cat.E1, []float64{0.1, -0.3}, 0)
		checkValues(t, "e2", cat.E2, []float64{0.2, -0.4}, 0)
	})
}

func TestReadNamedColumns(t *testing.T) {
	path := writeText(t, "g.txt", "alpha delta g1 g2 w ra\n10 20 0.1 0.2 3 999\n")
	opt := catalog.Options{Columns: catalog.Columns{RA: "alpha", Dec: "delta", E1: "g1", E2: "g2", Weight: "w"}}
	cat, err := catalog.Read(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkValues(t, "RA", cat.RA, []float64{10}, 0)
	checkValues(t, "Dec", cat.Dec, []float64{20}, 0)
	checkValues(t, "e1", cat.E1, []float64{0.1}, 0)
	checkValues(t, "e2", cat.E2, []float64{0.2}, 0)
	checkValues(t, "weight", cat.Weight, []float64{3}, 0)
}

func TestReadFITSTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shear.fits")
	nan := math.NaN()
	err := fits.WriteTable(path, false, "SHEAR",
		fits.Column{Name: "ra", Unit: "deg", Data: []float64{359.95, 0.05, 1, -0.1}},
		fits.Column{Name: "dec", Unit: "deg", Data: []float64{-2, 2, 3, 4}},
		fits.Column{Name: "e1", Data: []float32{0.5, -0.25, 0, 0.125}},
		fits.Column{Name: "e2", Data: []float64{0.1, nan, 0.3, -0.4}},
		fits.Column{Name: "weight", Data: []float64{1, 2, 3, 4}},
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, hdu := range []string{"", "1", "shear"} {
		cat, err := catalog.Read(path, catalog.Options{HDU: hdu, FlipE2: true})
		if err != nil {
			t.Fatalf("HDU %q: %v", hdu, err)
		}
		if cat.Rows != 4 || cat.Dropped != (catalog.Drops{NonFinite: 1}) || !cat.HasWeight {
			t.Errorf("HDU %q: Rows %d Dropped %+v HasWeight %v, want 4, 1 non-finite, true", hdu, cat.Rows, cat.Dropped, cat.HasWeight)
		}
		checkValues(t, "RA", cat.RA, []float64{359.95, 1, 359.9}, raTol)
		checkValues(t, "Dec", cat.Dec, []float64{-2, 3, 4}, 0)
		checkValues(t, "e1", cat.E1, []float64{0.5, 0, 0.125}, 0)
		checkValues(t, "e2", cat.E2, []float64{-0.1, -0.3, 0.4}, 0)
		checkValues(t, "weight", cat.Weight, []float64{1, 3, 4}, 0)
	}

	_, err = catalog.Read(path, catalog.Options{HDU: "MASK"})
	if err == nil || !strings.Contains(err.Error(), "MASK") || !strings.Contains(err.Error(), "1 'SHEAR'") {
		t.Errorf("HDU MASK: error %v, want one naming MASK and listing 1 'SHEAR'", err)
	}
}

// fitsCard formats one fixed-format header card.
func fitsCard(key string, value any) string {
	var v string
	switch x := value.(type) {
	case string:
		v = fmt.Sprintf("%-20s", "'"+x+"'")
	case bool:
		v = fmt.Sprintf("%20s", map[bool]string{true: "T", false: "F"}[x])
	default:
		v = fmt.Sprintf("%20v", x)
	}
	return fmt.Sprintf("%-80s", fmt.Sprintf("%-8s= %s", key, v))
}

// fitsHeader joins cards, adds END and pads with spaces to whole 2880-byte
// blocks.
func fitsHeader(cards ...string) []byte {
	s := strings.Join(cards, "") + fmt.Sprintf("%-80s", "END")
	for len(s)%2880 != 0 {
		s += " "
	}
	return []byte(s)
}

// fitsData writes values big-endian and pads with zeros to whole blocks.
func fitsData(values ...any) []byte {
	var b []byte
	for _, v := range values {
		b, _ = binary.Append(b, binary.BigEndian, v)
	}
	for len(b)%2880 != 0 {
		b = append(b, 0)
	}
	return b
}

func TestReadFITSScaledIntegers(t *testing.T) {
	// Assembled byte by byte: e1 and e2 are scaled integers with TNULLn,
	// weight an unsigned byte with TSCAL and TNULL.
	primary := fitsHeader(fitsCard("SIMPLE", true), fitsCard("BITPIX", 8), fitsCard("NAXIS", 0), fitsCard("EXTEND", true))
	table := fitsHeader(
		fitsCard("XTENSION", "BINTABLE"), fitsCard("BITPIX", 8), fitsCard("NAXIS", 2),
		fitsCard("NAXIS1", 8+8+4+2+1), fitsCard("NAXIS2", 5), fitsCard("PCOUNT", 0), fitsCard("GCOUNT", 1),
		fitsCard("TFIELDS", 5),
		fitsCard("TTYPE1", "RA"), fitsCard("TFORM1", "D"),
		fitsCard("TTYPE2", "DEC"), fitsCard("TFORM2", "D"),
		fitsCard("TTYPE3", "E1"), fitsCard("TFORM3", "J"), fitsCard("TSCAL3", 0.0001), fitsCard("TZERO3", 0.0), fitsCard("TNULL3", -2147483648),
		fitsCard("TTYPE4", "E2"), fitsCard("TFORM4", "I"), fitsCard("TSCAL4", 0.001), fitsCard("TZERO4", 0.5), fitsCard("TNULL4", -32768),
		fitsCard("TTYPE5", "WEIGHT"), fitsCard("TFORM5", "B"), fitsCard("TSCAL5", 0.5), fitsCard("TNULL5", 255),
		fitsCard("EXTNAME", "SHEAR"),
	)
	data := fitsData(
		150.0, 2.0, int32(2500), int16(-100), uint8(4),
		150.1, 2.1, int32(math.MinInt32), int16(0), uint8(2), // e1 null
		math.NaN(), 2.2, int32(0), int16(math.MinInt16), uint8(2), // e2 null and RA NaN: counted once, as null
		150.3, 2.3, int32(-1000), int16(500), uint8(255), // weight null
		150.4, 2.4, int32(0), int16(-500), uint8(0), // zero weight: kept
	)
	path := filepath.Join(t.TempDir(), "scaled.fits")
	if err := os.WriteFile(path, append(append(primary, table...), data...), 0o644); err != nil {
		t.Fatal(err)
	}

	cat, err := catalog.Read(path, catalog.Options{FlipE1: true})
	if err != nil {
		t.Fatal(err)
	}
	if cat.Rows != 5 || cat.Dropped != (catalog.Drops{Null: 3}) {
		t.Errorf("Rows %d Dropped %+v, want 5 and 3 null", cat.Rows, cat.Dropped)
	}
	if got := cat.Dropped.String(); got != "3 with a null value (TNULL)" {
		t.Errorf("Dropped.String() = %q", got)
	}
	const tol = 1e-12
	checkValues(t, "RA", cat.RA, []float64{150.0, 150.4}, 0)
	checkValues(t, "Dec", cat.Dec, []float64{2.0, 2.4}, 0)
	// e1 = -(0.0001*raw) after the flip; e2 = 0.5 + 0.001*raw.
	checkValues(t, "e1", cat.E1, []float64{-0.25, 0}, tol)
	checkValues(t, "e2", cat.E2, []float64{0.4, 0}, tol)
	checkValues(t, "weight", cat.Weight, []float64{2, 0}, 0)
}

func TestReadErrors(t *testing.T) {
	cases := []struct {
		name      string
		content   string
		opt       catalog.Options
		fragments []string
	}{
		{"missing e1", "ra dec g1 g2\n1 2 3 4\n", catalog.Options{},
			[]string{`e1 column "e1" not found`, "--e1-col", "columns in this file: ra, dec, g1, g2"}},
		{"missing named weight", "ra dec e1 e2\n1 2 0.1 0.2\n", catalog.Options{Columns: catalog.Columns{Weight: "w"}},
			[]string{`weight column "w" not found`, "--weight-col"}},
		{"ambiguous name", "ra dec e1 e2 RA Ra\n1 2 0.1 0.2 1 1\n", catalog.Options{Columns: catalog.Columns{RA: "rA"}},
			[]string{`"rA" matches`, `"ra"`, `"RA"`, "--ra-col"}},
		{"wrong field count", "ra dec e1 e2\n1 2 0.1 0.2\n\n1 2 0.1\n", catalog.Options{},
			[]string{":4: 3 fields, but the header names 4 columns"}},
		{"not a number", "ra,dec,e1,e2\n1,2,0.1,abc\n", catalog.Options{},
			[]string{`:2: column "e2": "abc" is not a number`}},
		{"empty CSV field", "ra,dec,e1,e2\n1,2,,0.2\n", catalog.Options{},
			[]string{`:2: column "e1" is empty`}},
		{"header only", "# ra dec e1 e2\n# nothing yet\n", catalog.Options{},
			[]string{"the catalogue is empty (0 rows)"}},
		{"empty file", "", catalog.Options{},
			[]string{"the catalogue is empty"}},
		{"all dropped", "ra dec e1 e2\n1 2 nan 0\n1 2 0 inf\n", catalog.Options{},
			[]string{"all 2 rows were dropped: 2 with NaN or Inf"}},
		{"negative weights", "ra dec e1 e2 weight\n1 2 0 0 1\n1 2 0 0 -1\n1 2 0 0 -2\n", catalog.Options{},
			[]string{`2 rows have a negative weight in column "weight", the first at line 3 (weight -1)`}},
		{"zero weights", "ra dec e1 e2 weight\n1 2 0 0 0\n1 2 0 0 0\n", catalog.Options{},
			[]string{`every weight in column "weight" is zero`}},
		{"Dec beyond pole", "ra dec e1 e2\n1 2 0 0\n1 95.5 0 0\n", catalog.Options{},
			[]string{"line 3 has Dec = 95.5", "outside [-90, 90]"}},
		{"HDU for text", "ra dec e1 e2\n1 2 0 0\n", catalog.Options{HDU: "1"},
			[]string{"file is a text table"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeText(t, "cat.txt", c.content)
			_, err := catalog.Read(path, c.opt)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			for _, f := range c.fragments {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("error %q does not contain %q", err, f)
				}
			}
		})
	}
}

func TestReadFITSErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dec.fits")
	err := fits.WriteTable(path, false, "SHEAR",
		fits.Column{Name: "ra", Data: []float64{1, 2}},
		fits.Column{Name: "dec", Data: []float64{0, -91}},
		fits.Column{Name: "e1", Data: []float64{0, 0}},
		fits.Column{Name: "e2", Data: []float64{0, 0}},
	)
	if err != nil {
		t.Fatal(err)
	}
	_, err = catalog.Read(path, catalog.Options{})
	if err == nil || !strings.Contains(err.Error(), "row 2 has Dec = -91") {
		t.Errorf("error %v, want one about row 2 and Dec = -91", err)
	}

	img := filepath.Join(dir, "map.fits")
	if err := fits.WriteImages(img, false, fits.ImageHDU{Axes: []int{2}, Data: []float64{1, 2}}); err != nil {
		t.Fatal(err)
	}
	_, err = catalog.Read(img, catalog.Options{})
	if err == nil || !strings.Contains(err.Error(), "no HDU holds a table") {
		t.Errorf("image file: error %v, want one saying no HDU holds a table", err)
	}
}

func TestDropsString(t *testing.T) {
	cases := map[catalog.Drops]string{
		{}:                       "none",
		{Null: 12}:               "12 with a null value (TNULL)",
		{NonFinite: 3}:           "3 with NaN or Inf",
		{Null: 12, NonFinite: 3}: "12 with a null value (TNULL), 3 with NaN or Inf",
	}
	for d, want := range cases {
		if got := d.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", d, got, want)
		}
	}
}

// sharedData returns the path of a reference data file, or skips the test
// when it is absent (see internal/shareddata for where it is looked up).
func sharedData(t *testing.T, name string) string {
	t.Helper()
	return shareddata.Path(t, name)
}

func TestReadCOSMOS(t *testing.T) {
	path := sharedData(t, "cosmos/cosmos_shear_cat.fits")
	cat, err := catalog.Read(path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cat.Rows != 417117 || len(cat.RA) != 417117 || cat.Dropped.Total() != 0 || !cat.HasWeight {
		t.Errorf("Rows %d, %d kept, Dropped %v, HasWeight %v; want 417117, 417117, none, true",
			cat.Rows, len(cat.RA), cat.Dropped, cat.HasWeight)
	}
	// Ranges stated with the data: RA 149.43-150.80, Dec 1.57-2.89 deg.
	if lo, hi := slices.Min(cat.RA), slices.Max(cat.RA); lo < 149.42 || hi > 150.81 {
		t.Errorf("RA spans %v to %v, want within 149.43-150.80", lo, hi)
	}
	if lo, hi := slices.Min(cat.Dec), slices.Max(cat.Dec); lo < 1.56 || hi > 2.90 {
		t.Errorf("Dec spans %v to %v, want within 1.57-2.89", lo, hi)
	}
}

func TestReadFITSAllRowsNull(t *testing.T) {
	primary := fitsHeader(fitsCard("SIMPLE", true), fitsCard("BITPIX", 8), fitsCard("NAXIS", 0), fitsCard("EXTEND", true))
	table := fitsHeader(
		fitsCard("XTENSION", "BINTABLE"), fitsCard("BITPIX", 8), fitsCard("NAXIS", 2),
		fitsCard("NAXIS1", 8+8+4+4), fitsCard("NAXIS2", 3), fitsCard("PCOUNT", 0), fitsCard("GCOUNT", 1),
		fitsCard("TFIELDS", 4),
		fitsCard("TTYPE1", "ra"), fitsCard("TFORM1", "D"),
		fitsCard("TTYPE2", "dec"), fitsCard("TFORM2", "D"),
		fitsCard("TTYPE3", "e1"), fitsCard("TFORM3", "J"), fitsCard("TSCAL3", 0.0001), fitsCard("TNULL3", -1),
		fitsCard("TTYPE4", "e2"), fitsCard("TFORM4", "J"), fitsCard("TSCAL4", 0.0001), fitsCard("TNULL4", -1),
	)
	data := fitsData(
		10.0, 1.0, int32(-1), int32(5),
		10.1, 1.1, int32(7), int32(-1),
		10.2, 1.2, int32(-1), int32(-1),
	)
	path := filepath.Join(t.TempDir(), "nulls.fits")
	if err := os.WriteFile(path, append(append(primary, table...), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := catalog.Read(path, catalog.Options{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{path, "all 3 rows were dropped", "3 with a null value"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestReadTextHeaderForms(t *testing.T) {
	cases := map[string]string{
		"comment above header":  "# my catalogue, version 2\nra,dec,e1,e2\n10,1,0.1,0.2\n",
		"commented header":      "# written by a pipeline\n# ra dec e1 e2\n10 1 0.1 0.2\n",
		"byte-order mark":       "\uFEFFra,dec,e1,e2\n10,1,0.1,0.2\n",
		"quoted names":          "\"ra\",\"dec\",\"e1\",\"e2\"\n10,1,0.1,0.2\n",
		"tabs and mixed spaces": "ra\tdec  e1\t e2\n10\t1 0.1\t0.2\n",
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			cat, err := catalog.Read(writeText(t, "cat.txt", content), catalog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if cat.Rows != 1 || cat.RA[0] != 10 || cat.Dec[0] != 1 || cat.E1[0] != 0.1 || cat.E2[0] != 0.2 {
				t.Errorf("rows %d, values %v %v %v %v", cat.Rows, cat.RA, cat.Dec, cat.E1, cat.E2)
			}
		})
	}
}

func TestMissingColumnNamesTheTables(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "two.fits")
	// A file whose first table is not the shear table.
	err := fits.WriteTable(path, false, "IDS", fits.Column{Name: "id", Data: []int32{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = catalog.Read(path, catalog.Options{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{path, `RA column "ra" not found`, "columns in HDU 1 'IDS': id"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}
