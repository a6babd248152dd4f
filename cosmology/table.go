package cosmology

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Table is an angular power spectrum C_ℓ tabulated at strictly increasing
// multipoles ℓ > 0, with C_ℓ ≥ 0, for interpolation with At.
type Table struct {
	ell, cl []float64
}

// NewTable returns a Table of the multipoles ell and the power cl. It
// copies both slices and returns an error when their lengths differ, the
// table is empty, an ℓ is not positive, not finite or not greater than the
// previous one, or a C_ℓ is negative or not finite.
func NewTable(ell, cl []float64) (*Table, error) {
	if len(ell) != len(cl) {
		return nil, fmt.Errorf("cosmology: invalid table: %d multipoles but %d values", len(ell), len(cl))
	}
	if len(ell) == 0 {
		return nil, fmt.Errorf("cosmology: invalid table: no rows")
	}
	for i := range ell {
		if err := checkRow(ell[i], cl[i], ell, i); err != nil {
			return nil, fmt.Errorf("cosmology: invalid table: row %d: %v", i, err)
		}
	}
	return &Table{ell: append([]float64(nil), ell...), cl: append([]float64(nil), cl...)}, nil
}

// checkRow returns why row i of a table is invalid, or nil.
func checkRow(l, c float64, ell []float64, i int) error {
	switch {
	case !(l > 0) || math.IsInf(l, 1):
		return fmt.Errorf("ell = %v, want a finite ℓ > 0", l)
	case i > 0 && !(l > ell[i-1]):
		return fmt.Errorf("ell = %v is not greater than the previous ell %v", l, ell[i-1])
	case math.IsNaN(c) || math.IsInf(c, 0):
		return fmt.Errorf("C_ell = %v at ell = %v is not finite", c, l)
	case c < 0:
		return fmt.Errorf("C_ell = %v at ell = %v is negative", c, l)
	}
	return nil
}

// Len returns the number of rows.
func (t *Table) Len() int { return len(t.ell) }

// Row returns the multipole and power of row i.
func (t *Table) Row(i int) (ell, cl float64) { return t.ell[i], t.cl[i] }

// At returns C_ℓ at the multipole ell ≥ 0:
//
//   - between two rows, linear interpolation in (ln ℓ, ln C_ℓ), or in
//     (ln ℓ, C_ℓ) when one of the two C_ℓ is zero;
//   - at ℓ = 0, zero: the mean of a convergence map is not constrained by
//     shear (the mass-sheet degeneracy), so a prior gives it no power;
//   - for 0 < ℓ below the first row, the C_ℓ of the first row, since the
//     convergence spectrum flattens at low ℓ;
//   - above the last row, the power law through the last two rows, or the
//     last C_ℓ when either is zero or the table has one row.
//
// At returns NaN for a NaN ell and panics for a negative one.
func (t *Table) At(ell float64) float64 {
	switch {
	case math.IsNaN(ell):
		return math.NaN()
	case ell < 0:
		panic(fmt.Sprintf("cosmology: Table.At: negative multipole %v", ell))
	case ell == 0:
		return 0
	}
	n := len(t.ell)
	if ell <= t.ell[0] {
		return t.cl[0]
	}
	if n == 1 {
		return t.cl[0]
	}
	i := sort.SearchFloat64s(t.ell, ell) // t.ell[i-1] < ell ≤ t.ell[i]
	if i == n {
		i = n - 1 // extrapolate the last segment
	}
	l0, l1 := t.ell[i-1], t.ell[i]
	c0, c1 := t.cl[i-1], t.cl[i]
	if ell > l1 && (c0 == 0 || c1 == 0) {
		return c1
	}
	x := math.Log(ell/l0) / math.Log(l1/l0)
	if c0 == 0 || c1 == 0 {
		return c0 + x*(c1-c0)
	}
	return c0 * math.Exp(x*math.Log(c1/c0))
}

// TableError is an invalid line of a C_ℓ table file.
type TableError struct {
	File string // file name, as given to ReadTable or ParseTable
	Line int    // 1-based line number; 0 when the problem is the whole file
	Err  error
}

func (e *TableError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("cosmology: %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("cosmology: %s:%d: %v", e.File, e.Line, e.Err)
}

func (e *TableError) Unwrap() error { return e.Err }

// ReadTable reads a C_ℓ table from a text file of two whitespace-separated
// columns, ℓ and C_ℓ, one row a line. Blank lines and lines whose first
// non-blank character is '#' are skipped. Invalid input gives a
// *TableError that names the file and the line. A line is invalid when it
// is not two numbers, when its ℓ is not positive or not greater than the
// one before, or when its C_ℓ is negative or not finite. A file without
// rows is invalid too.
func ReadTable(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cosmology: cannot read C_ell table: %w", err)
	}
	defer f.Close()
	return ParseTable(f, path)
}

// ParseTable reads a C_ℓ table in the format of ReadTable from r. name
// identifies the input in errors.
func ParseTable(r io.Reader, name string) (*Table, error) {
	var ell, cl []float64
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) != 2 {
			return nil, &TableError{name, line, fmt.Errorf("found %d columns, want 2 (ell C_ell)", len(fields))}
		}
		l, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, &TableError{name, line, fmt.Errorf("invalid ell %q", fields[0])}
		}
		c, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			return nil, &TableError{name, line, fmt.Errorf("invalid C_ell %q", fields[1])}
		}
		ell = append(ell, l)
		cl = append(cl, c)
		if err := checkRow(l, c, ell, len(ell)-1); err != nil {
			return nil, &TableError{name, line, err}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &TableError{name, line, fmt.Errorf("read failed: %w", err)}
	}
	if len(ell) == 0 {
		return nil, &TableError{name, 0, fmt.Errorf("no data rows")}
	}
	return &Table{ell: ell, cl: cl}, nil
}
