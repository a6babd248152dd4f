package catalog

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/skyinv/skyinv/fits"
)

// Columns names the catalogue columns to read. An empty name means the
// default: ra, dec, e1, e2 and weight.
type Columns struct {
	RA, Dec, E1, E2, Weight string
}

// Options controls Read. The zero value reads the default columns of the
// first table.
type Options struct {
	Columns

	// HDU selects the table of a FITS catalogue: "" for the first table, a
	// decimal HDU index, or an EXTNAME. It must be "" for a text catalogue.
	HDU string

	// FlipE1 and FlipE2 negate e1 or e2 after reading, to match a
	// catalogue's sign convention to the map's.
	FlipE1, FlipE2 bool
}

// Catalog is a shear catalogue with the unusable rows removed.
type Catalog struct {
	Path string

	// RA and Dec are positions in degrees, RA in [0, 360). E1 and E2 are
	// the ellipticity components. Weight is 1 for every galaxy when the
	// catalogue has no weight column.
	RA, Dec, E1, E2, Weight []float64

	// HasWeight reports whether Weight was read from a column.
	HasWeight bool

	// Rows is the number of rows in the input, Dropped those removed.
	Rows    int
	Dropped Drops
}

// Drops counts the rows that Read removed, by reason. A row is counted once,
// under the first reason that applies in the order of the fields.
type Drops struct {
	Null      int // a null value (FITS TNULLn) in a column that is read
	NonFinite int // NaN or ±Inf in a column that is read
}

// Total returns the number of dropped rows.
func (d Drops) Total() int { return d.Null + d.NonFinite }

// String describes the drops for a summary, as in "12 with a null value
// (TNULL), 3 with NaN or Inf", or "none".
func (d Drops) String() string {
	var parts []string
	if d.Null > 0 {
		parts = append(parts, fmt.Sprintf("%d with a null value (TNULL)", d.Null))
	}
	if d.NonFinite > 0 {
		parts = append(parts, fmt.Sprintf("%d with NaN or Inf", d.NonFinite))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// role is one quantity read from the catalogue.
type role struct {
	quantity string // "RA", "Dec", ...
	name     string // column name requested
	flag     string // command-line flag that sets it
	explicit bool   // named by the caller rather than defaulted
}

// Read reads a shear catalogue: a FITS binary or ASCII table, or a text
// table.
//
// The format is found from the content: a file that starts with "SIMPLE  ="
// is FITS, anything else is text. A text table has a header line of column
// names (it may start with '#'), then one row per line. Fields are separated
// by commas when the header line contains one, by spaces or tabs otherwise.
// Later lines starting with '#' and blank lines are skipped. Values are
// parsed as float64 ("nan" and "inf" allowed). Quoted fields are not
// supported.
//
// Columns are matched by exact name first, then without regard to case. The
// weight column is optional when it was not named: without it every weight
// is 1 and HasWeight is false.
//
// Rows with a null (TNULLn) or a NaN or Inf in any column read are dropped
// and counted in Dropped. Read returns an error, naming the file, for a
// missing column, an empty catalogue, a catalogue with every row dropped, a
// negative weight, weights that are all zero, or |Dec| > 90.
func Read(path string, opt Options) (*Catalog, error) {
	roles := []role{
		{quantity: "RA", name: opt.RA, flag: "--ra-col"},
		{quantity: "Dec", name: opt.Dec, flag: "--dec-col"},
		{quantity: "e1", name: opt.E1, flag: "--e1-col"},
		{quantity: "e2", name: opt.E2, flag: "--e2-col"},
		{quantity: "weight", name: opt.Weight, flag: "--weight-col"},
	}
	defaults := []string{"ra", "dec", "e1", "e2", "weight"}
	for i := range roles {
		roles[i].explicit = roles[i].name != ""
		if !roles[i].explicit {
			roles[i].name = defaults[i]
		}
	}

	src, err := open(path, opt.HDU)
	if err != nil {
		return nil, err
	}

	// Find each column; only an unnamed weight column may be missing.
	names := src.columnNames()
	columns := make([]string, len(roles))
	for i, r := range roles {
		name, candidates := matchColumn(names, r.name)
		switch {
		case name != "":
			columns[i] = name
		case len(candidates) > 1:
			return nil, fmt.Errorf("%s: the %s column %q matches %s without regard to case; set %s to one of them",
				path, r.quantity, r.name, strings.Join(quoteAll(candidates), " and "), r.flag)
		case r.quantity == "weight" && !r.explicit:
			// No weight column: every weight is 1.
		default:
			return nil, fmt.Errorf("%s: %s column %q not found; set %s to the column that holds %s; columns%s: %s%s",
				path, r.quantity, r.name, r.flag, r.quantity, src.where(), strings.Join(names, ", "), src.otherTables())
		}
	}

	// Read the values and their null flags.
	values := make([][]float64, len(roles))
	nulls := make([][]bool, len(roles))
	for i, name := range columns {
		if name == "" {
			continue
		}
		if values[i], nulls[i], err = src.column(name); err != nil {
			return nil, err
		}
	}

	cat := &Catalog{Path: path, Rows: src.rows(), HasWeight: columns[4] != ""}
	if cat.Rows == 0 {
		return nil, fmt.Errorf("%s: the catalogue is empty (0 rows)", path)
	}
	keep := cat.selectRows(values, nulls)
	if len(keep) == 0 {
		return nil, fmt.Errorf("%s: all %d rows were dropped: %v", path, cat.Rows, cat.Dropped)
	}

	pick := func(v []float64) []float64 {
		out := make([]float64, len(keep))
		for j, r := range keep {
			out[j] = v[r]
		}
		return out
	}
	cat.RA, cat.Dec, cat.E1, cat.E2 = pick(values[0]), pick(values[1]), pick(values[2]), pick(values[3])
	if cat.HasWeight {
		cat.Weight = pick(values[4])
	} else {
		cat.Weight = make([]float64, len(keep))
		for j := range cat.Weight {
			cat.Weight[j] = 1
		}
	}

	if err := cat.check(keep, columns, src); err != nil {
		return nil, err
	}

	for j, ra := range cat.RA {
		cat.RA[j] = normaliseRA(ra)
	}
	if opt.FlipE1 {
		for j := range cat.E1 {
			cat.E1[j] = -cat.E1[j]
		}
	}
	if opt.FlipE2 {
		for j := range cat.E2 {
			cat.E2[j] = -cat.E2[j]
		}
	}
	return cat, nil
}

// selectRows returns the indices of the rows without a null or a non-finite
// value in any column read, and counts the others in cat.Dropped.
func (cat *Catalog) selectRows(values [][]float64, nulls [][]bool) []int {
	keep := make([]int, 0, cat.Rows)
rows:
	for r := 0; r < cat.Rows; r++ {
		for i := range values {
			if nulls[i] != nil && nulls[i][r] {
				cat.Dropped.Null++
				continue rows
			}
		}
		for i := range values {
			if values[i] != nil && (math.IsNaN(values[i][r]) || math.IsInf(values[i][r], 0)) {
				cat.Dropped.NonFinite++
				continue rows
			}
		}
		keep = append(keep, r)
	}
	return keep
}

// check rejects a Dec outside [-90, 90], negative weights and weights that
// are all zero. keep maps each kept row to its input row, for messages.
func (cat *Catalog) check(keep []int, columns []string, src source) error {
	for j, dec := range cat.Dec {
		if math.Abs(dec) > 90 {
			return fmt.Errorf("%s: %s has Dec = %g (column %q), outside [-90, 90]; Dec must be in degrees (set --dec-col to choose another column)",
				cat.Path, src.rowLabel(keep[j]), dec, columns[1])
		}
	}
	if !cat.HasWeight {
		return nil
	}
	negative, first, positive := 0, -1, false
	for j, w := range cat.Weight {
		switch {
		case w < 0:
			if negative == 0 {
				first = j
			}
			negative++
		case w > 0:
			positive = true
		}
	}
	if negative > 0 {
		return fmt.Errorf("%s: %d rows have a negative weight in column %q, the first at %s (weight %g); weights must be >= 0",
			cat.Path, negative, columns[4], src.rowLabel(keep[first]), cat.Weight[first])
	}
	if !positive {
		return fmt.Errorf("%s: every weight in column %q is zero; at least one galaxy needs a positive weight", cat.Path, columns[4])
	}
	return nil
}

// normaliseRA maps an RA in degrees to [0, 360).
func normaliseRA(ra float64) float64 {
	ra = math.Mod(ra, 360)
	if ra < 0 {
		ra += 360
	}
	// -1e-15 + 360 rounds to 360 itself.
	if ra >= 360 {
		ra = 0
	}
	return ra
}

// matchColumn returns the column called name: the exact name, else the only
// name equal to it without regard to case. When there is no single match it
// returns "" and the names that match without regard to case.
func matchColumn(names []string, name string) (string, []string) {
	for _, n := range names {
		if n == name {
			return n, nil
		}
	}
	var candidates []string
	for _, n := range names {
		if strings.EqualFold(n, name) {
			candidates = append(candidates, n)
		}
	}
	if len(candidates) == 1 {
		return candidates[0], nil
	}
	return "", candidates
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}

// source is a table of named numeric columns.
type source interface {
	columnNames() []string
	rows() int
	column(name string) (values []float64, null []bool, err error)
	rowLabel(row int) string // "row 12" or "line 14", for messages
	where() string           // " in this file" or " in HDU 1 'SHEAR'", for messages
	otherTables() string     // "; other tables in this file: ...", or ""
}

// open reads the catalogue at path as FITS or text, by its first bytes.
func open(path, hdu string) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 9)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if bytes.Equal(head[:n], []byte("SIMPLE  =")) {
		t, err := fits.ReadTable(path, hdu)
		if err != nil {
			return nil, err
		}
		src := fitsSource{t: t}
		if hdus, err := fits.List(path); err == nil {
			for _, h := range hdus {
				if h.Kind == fits.KindBinaryTable || h.Kind == fits.KindASCIITable {
					src.tables = append(src.tables, h)
				}
			}
		}
		return src, nil
	}
	if hdu != "" {
		return nil, fmt.Errorf("%s: an HDU (%q) was given, but the file is a text table, not FITS", path, hdu)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return readText(path, f)
}

type fitsSource struct {
	t      *fits.Table
	tables []fits.HDUInfo // every table of the file, for messages
}

// table returns the HDU of the table read: the one with its name, or the
// only table of the file.
func (s fitsSource) table() (fits.HDUInfo, bool) {
	for _, h := range s.tables {
		if len(s.tables) == 1 || (s.t.Name != "" && strings.EqualFold(h.Name, s.t.Name)) {
			return h, true
		}
	}
	return fits.HDUInfo{}, false
}

func (s fitsSource) where() string {
	h, ok := s.table()
	if !ok {
		return " in the table read"
	}
	return " in " + hduLabel(h)
}

func (s fitsSource) otherTables() string {
	if len(s.tables) < 2 {
		return ""
	}
	labels := make([]string, len(s.tables))
	for i, h := range s.tables {
		labels[i] = hduLabel(h)
	}
	return "; tables in this file: " + strings.Join(labels, ", ") + " (select one with --hdu)"
}

func hduLabel(h fits.HDUInfo) string {
	if h.Name == "" {
		return fmt.Sprintf("HDU %d", h.Index)
	}
	return fmt.Sprintf("HDU %d '%s'", h.Index, h.Name)
}

func (s fitsSource) columnNames() []string { return s.t.ColumnNames() }
func (s fitsSource) rows() int             { return s.t.Rows }
func (s fitsSource) column(name string) ([]float64, []bool, error) {
	return s.t.Float64(name)
}
func (s fitsSource) rowLabel(row int) string { return fmt.Sprintf("row %d", row+1) }
