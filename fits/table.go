package fits

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Table is a binary (BINTABLE) or ASCII (TABLE) table read into memory.
type Table struct {
	Name    string       // EXTNAME, "" when absent
	Rows    int          // NAXIS2
	Columns []ColumnInfo // in file order
	Cards   []Card       // header cards other than the structural and column keywords

	path     string
	index    int
	ascii    bool
	rowBytes int
	data     []byte // Rows*rowBytes bytes, the heap left out
}

// ColumnInfo describes one table column.
type ColumnInfo struct {
	Name   string // TTYPEn; "" when absent
	Format string // TFORMn as written in the file, e.g. "D", "1J", "20A", "F10.4"
	Unit   string // TUNITn; "" when absent

	scale, zero float64 // TSCALn and TZEROn, 1 and 0 when absent
	hasNull     bool
	null        int64  // binary TNULLn
	nullText    string // ASCII TNULLn
	code        byte   // type letter of TFORMn
	repeat      int    // binary repeat count; ASCII field width
	decimals    int    // ASCII: digits after an implied decimal point
	offset      int    // byte offset within a row
	width       int    // bytes per row
}

// ReadTable reads one table HDU of the FITS file at path.
//
// hdu selects it: "" is the first table (binary or ASCII), a decimal number
// is the HDU index, and any other text is an EXTNAME compared without regard
// to case. The rows are loaded into memory; a variable-length array heap is
// not.
func ReadTable(path, hdu string) (*Table, error) {
	ff, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer ff.Close()

	isTable := func(h *hduEntry) bool {
		return (h.Kind == KindBinaryTable || h.Kind == KindASCIITable) && !h.Compressed
	}
	h, err := ff.selectHDU(hdu, "a table", isTable)
	if err != nil {
		return nil, err
	}
	if !isTable(h) {
		return nil, ff.wrongType(h, "a table", "tables", isTable)
	}

	t := &Table{
		Name:     h.Name,
		Rows:     h.Rows,
		Cards:    otherCards(h.cards, true),
		path:     path,
		index:    h.Index,
		ascii:    h.Kind == KindASCIITable,
		rowBytes: h.Axes[0],
	}
	if err := t.readColumns(header{cards: h.cards, ff: ff, index: h.Index}, h.Columns); err != nil {
		return nil, err
	}
	if t.rowBytes == 0 && t.Rows > 0 {
		// Such rows hold nothing, and a per-row result for up to 2^31 of
		// them would exhaust memory.
		return nil, errorf(ErrUnsupported, "%s: HDU %d: the table has %d rows of 0 bytes (NAXIS1 = 0), which hold no values",
			path, h.Index, t.Rows)
	}
	if h.Bitpix != 8 {
		return nil, errorf(ErrInvalid, "%s: HDU %d: a table must have BITPIX = 8, found %d", path, h.Index, h.Bitpix)
	}

	// Only the rows; the heap (PCOUNT bytes) that may follow is not needed.
	rows := *h
	rows.dataBytes = int64(t.rowBytes) * int64(t.Rows)
	if rows.dataBytes > h.dataBytes {
		return nil, errorf(ErrInvalid, "%s: HDU %d: %d rows of %d bytes do not fit in the %d bytes of data that PCOUNT and GCOUNT announce",
			path, h.Index, t.Rows, t.rowBytes, h.dataBytes)
	}
	if t.data, err = ff.readData(&rows); err != nil {
		return nil, err
	}
	return t, nil
}

// readColumns reads TTYPEn, TFORMn and the other column keywords and checks
// that the columns fit in a row.
func (t *Table) readColumns(hd header, n int) error {
	t.Columns = make([]ColumnInfo, n)
	offset := 0
	for i := range t.Columns {
		c := &t.Columns[i]
		num := strconv.Itoa(i + 1)
		c.Name = strings.TrimSpace(hd.str("TTYPE" + num))
		c.Unit = strings.TrimSpace(hd.str("TUNIT" + num))
		c.Format = strings.TrimSpace(hd.str("TFORM" + num))
		if c.Format == "" {
			return errorf(ErrInvalid, "%s: HDU %d: column %d (%q) has no TFORM%d", t.path, t.index, i+1, c.Name, i+1)
		}
		c.scale, c.zero = 1, 0
		if v, ok := cardFloat(hd.cards, "TSCAL"+num); ok {
			c.scale = v
		}
		if v, ok := cardFloat(hd.cards, "TZERO"+num); ok {
			c.zero = v
		}
		if card, ok := hd.find("TNULL" + num); ok {
			c.hasNull = true
			switch v := card.Value.(type) {
			case int:
				c.null = int64(v)
			case string:
				c.nullText = strings.TrimSpace(v)
			}
		}

		if t.ascii {
			if err := c.parseASCIIFormat(); err != nil {
				return errorf(ErrInvalid, "%s: HDU %d: column %q: %v", t.path, t.index, c.Name, err)
			}
			start, err := hd.integer("TBCOL" + num)
			if err != nil {
				return err
			}
			c.offset = int(start) - 1
			if c.offset < 0 || c.offset+c.width > t.rowBytes {
				return errorf(ErrInvalid, "%s: HDU %d: column %q (TBCOL%d = %d, width %d) does not fit in a row of %d characters",
					t.path, t.index, c.Name, i+1, start, c.width, t.rowBytes)
			}
			continue
		}

		if err := c.parseBinaryFormat(); err != nil {
			return errorf(ErrInvalid, "%s: HDU %d: column %q: %v", t.path, t.index, c.Name, err)
		}
		c.offset = offset
		offset += c.width
		if offset > t.rowBytes {
			break
		}
	}
	if !t.ascii && offset != t.rowBytes {
		return errorf(ErrInvalid, "%s: HDU %d: the TFORMn columns take %d bytes per row, but NAXIS1 = %d",
			t.path, t.index, offset, t.rowBytes)
	}
	return nil
}

// parseBinaryFormat reads a binary-table TFORM: an optional repeat count, a
// type letter and, for the array descriptors P and Q, text that is ignored.
func (c *ColumnInfo) parseBinaryFormat() error {
	f := c.Format
	digits := 0
	for digits < len(f) && f[digits] >= '0' && f[digits] <= '9' {
		digits++
	}

	c.repeat = 1
	if digits > 0 {
		r, err := strconv.Atoi(f[:digits])
		if err != nil || r > math.MaxInt32 {
			return fmt.Errorf("invalid repeat count in TFORM %q", f)
		}
		c.repeat = r
	}
	if digits == len(f) {
		return fmt.Errorf("TFORM %q has no type letter", f)
	}

	c.code = f[digits]
	var size int
	switch c.code {
	case 'L', 'B', 'A':
		size = 1
	case 'I':
		size = 2
	case 'J', 'E':
		size = 4
	case 'K', 'D', 'C':
		size = 8
	case 'M':
		size = 16
	case 'X':
		c.width = (c.repeat + 7) / 8
		return nil
	case 'P':
		c.width = 8 * min(c.repeat, 1)
		return nil
	case 'Q':
		c.width = 16 * min(c.repeat, 1)
		return nil
	default:
		return fmt.Errorf("TFORM %q has the unknown type letter %q", f, c.code)
	}
	c.width = c.repeat * size
	return nil
}

// parseASCIIFormat reads an ASCII-table TFORM: Aw, Iw, Fw.d, Ew.d or Dw.d.
func (c *ColumnInfo) parseASCIIFormat() error {
	f := c.Format
	if f == "" {
		return fmt.Errorf("empty TFORM")
	}
	c.code = f[0]
	width, decimals, _ := strings.Cut(f[1:], ".")
	w, err := strconv.Atoi(width)
	if err != nil || w <= 0 || w > math.MaxInt32 {
		return fmt.Errorf("invalid width in TFORM %q", f)
	}
	c.repeat, c.width = w, w
	if decimals != "" {
		if c.decimals, err = strconv.Atoi(decimals); err != nil || c.decimals < 0 {
			return fmt.Errorf("invalid decimal count in TFORM %q", f)
		}
	}
	switch c.code {
	case 'A', 'I', 'F', 'E', 'D':
		return nil
	}
	return fmt.Errorf("TFORM %q has the unknown type letter %q", f, c.code)
}

// ColumnNames returns the TTYPE of every column in file order.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// Card returns the first header card with the given key, compared without
// regard to case. Column keywords (TTYPEn, TFORMn, ...) are in Columns
// instead.
func (t *Table) Card(key string) (Card, bool) {
	return findCard(t.Cards, key)
}

// Column returns the index of the column called name: the exact name if
// present, else the only name equal to it without regard to case. The error
// lists the columns that exist.
func (t *Table) Column(name string) (int, error) {
	for i, c := range t.Columns {
		if c.Name == name {
			return i, nil
		}
	}
	found := -1
	for i, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			if found >= 0 {
				return -1, errorf(ErrNotFound, "%s: HDU %d: column %q not found, and %q and %q differ from it only in case",
					t.path, t.index, name, t.Columns[found].Name, c.Name)
			}
			found = i
		}
	}
	if found < 0 {
		return -1, errorf(ErrNotFound, "%s: HDU %d: column %q not found; columns: %s",
			t.path, t.index, name, strings.Join(t.ColumnNames(), ", "))
	}
	return found, nil
}

// Float64 returns the values of a numeric column with TSCALn and TZEROn
// applied, and for each row whether it is null. The column must hold one
// number per row: TFORM B, I, J, K, E or D in a binary table (repeat count
// 1), or I, F, E or D in an ASCII table.
//
// Integer values equal to TNULLn are null: null[i] is true and values[i] is
// NaN. In an ASCII table, a field equal to TNULLn or all blank is null. NaN
// in a float column stays NaN with null[i] false. Both slices have one
// entry per row.
func (t *Table) Float64(name string) (values []float64, null []bool, err error) {
	i, err := t.Column(name)
	if err != nil {
		return nil, nil, err
	}
	c := &t.Columns[i]
	if t.ascii {
		return t.asciiFloat64(c)
	}

	switch c.code {
	case 'B', 'I', 'J', 'K', 'E', 'D':
	default:
		return nil, nil, errorf(ErrUnsupported, "%s: HDU %d: column %q has TFORM %q, which is not numeric; Float64 reads TFORM B, I, J, K, E and D",
			t.path, t.index, c.Name, c.Format)
	}
	if c.repeat != 1 {
		return nil, nil, errorf(ErrUnsupported, "%s: HDU %d: column %q has TFORM %q with %d values per row; Float64 reads columns with one value per row",
			t.path, t.index, c.Name, c.Format, c.repeat)
	}

	values = make([]float64, t.Rows)
	null = make([]bool, t.Rows)
	be := binary.BigEndian
	stride := t.rowBytes
	data := t.data[c.offset:]
	switch c.code {
	case 'E':
		for r := range values {
			values[r] = float64(math.Float32frombits(be.Uint32(data[r*stride:])))
		}
	case 'D':
		for r := range values {
			values[r] = math.Float64frombits(be.Uint64(data[r*stride:]))
		}
	default:
		for r := range values {
			var v int64
			switch c.code {
			case 'B':
				v = int64(data[r*stride])
			case 'I':
				v = int64(int16(be.Uint16(data[r*stride:])))
			case 'J':
				v = int64(int32(be.Uint32(data[r*stride:])))
			case 'K':
				v = int64(be.Uint64(data[r*stride:]))
			}
			if c.hasNull && v == c.null {
				null[r] = true
				values[r] = math.NaN()
				continue
			}
			values[r] = float64(v)
		}
	}
	c.applyScale(values)
	return values, null, nil
}

// applyScale computes zero + scale*value in place.
func (c *ColumnInfo) applyScale(values []float64) {
	if c.scale == 1 && c.zero == 0 {
		return
	}
	for i, v := range values {
		values[i] = c.zero + c.scale*v
	}
}

func (t *Table) asciiFloat64(c *ColumnInfo) ([]float64, []bool, error) {
	if c.code == 'A' {
		return nil, nil, errorf(ErrUnsupported, "%s: HDU %d: column %q has TFORM %q, which is not numeric; Float64 reads TFORM I, F, E and D in an ASCII table",
			t.path, t.index, c.Name, c.Format)
	}
	values := make([]float64, t.Rows)
	null := make([]bool, t.Rows)
	for r := range values {
		field := strings.TrimSpace(string(t.data[r*t.rowBytes+c.offset : r*t.rowBytes+c.offset+c.width]))
		// NOTE: the FITS standard leaves the meaning of an all-blank
		// numeric field to the reader; it is null here rather than 0.
		if field == "" || c.hasNull && field == c.nullText {
			null[r] = true
			values[r] = math.NaN()
			continue
		}
		v, ok := parseASCIINumber(field, c.code, c.decimals)
		if !ok {
			return nil, nil, errorf(ErrInvalid, "%s: HDU %d: column %q, row %d: %q is not a number of TFORM %q",
				t.path, t.index, c.Name, r+1, field, c.Format)
		}
		values[r] = v
	}
	c.applyScale(values)
	return values, null, nil
}

// parseASCIINumber reads a Fortran-formatted field. A real field without a
// decimal point has an implied one before its last decimals digits (of the
// mantissa), as in Fortran input.
func parseASCIINumber(field string, code byte, decimals int) (float64, bool) {
	if code == 'I' {
		v, err := strconv.ParseInt(field, 10, 64)
		return float64(v), err == nil
	}
	mantissa, exponent := field, ""
	if i := strings.IndexAny(field, "EeDd"); i >= 0 {
		mantissa, exponent = field[:i], field[i+1:]
	}
	if strings.Contains(mantissa, ".") || decimals == 0 {
		return parseFloat(field)
	}
	m, err := strconv.ParseInt(mantissa, 10, 64)
	if err != nil {
		return 0, false
	}
	e := int64(0)
	if exponent != "" {
		if e, err = strconv.ParseInt(exponent, 10, 32); err != nil {
			return 0, false
		}
	}
	return float64(m) * math.Pow(10, float64(e)-float64(decimals)), true
}

// Strings returns the values of a character column (TFORM rA in a binary
// table, Aw in an ASCII table) with trailing spaces and NUL bytes removed.
func (t *Table) Strings(name string) ([]string, error) {
	i, err := t.Column(name)
	if err != nil {
		return nil, err
	}
	c := &t.Columns[i]
	if c.code != 'A' {
		return nil, errorf(ErrUnsupported, "%s: HDU %d: column %q has TFORM %q; Strings reads character columns (TFORM A)",
			t.path, t.index, c.Name, c.Format)
	}
	out := make([]string, t.Rows)
	for r := range out {
		field := t.data[r*t.rowBytes+c.offset : r*t.rowBytes+c.offset+c.width]
		if nul := bytes.IndexByte(field, 0); nul >= 0 {
			field = field[:nul]
		}
		out[r] = strings.TrimRight(string(field), " ")
	}
	return out, nil
}
