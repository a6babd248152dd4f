package catalog

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// textTable is a text catalogue split into fields. Values are parsed only
// for the columns that are read, so other columns may hold any text.
type textTable struct {
	path   string
	names  []string
	fields [][]string // per row
	lines  []int      // line number of each row
	comma  bool
}

// readText splits a text catalogue into its header and rows, checking that
// every row has one field per column.
//
// The header is normally the first line that is neither blank nor a comment
// (a line starting with '#'). When that line holds a number, it is the
// first row instead, and the header is the last comment line before it with
// as many fields, its '#' removed: the "commented header" that many programs
// write. A file of comment lines only takes its first one as the header. A
// UTF-8 byte-order mark at the start of the file is ignored, and double
// quotes around a column name are removed.
func readText(path string, r io.Reader) (*textTable, error) {
	t := &textTable{path: path}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	type comment struct {
		text string
		line int
	}
	var comments []comment // comment lines before the first other line
	for sc.Scan() {
		line++
		raw := sc.Text()
		if line == 1 {
			raw = strings.TrimPrefix(raw, "\uFEFF")
		}
		text := strings.TrimSpace(raw)
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "#") {
			if t.names == nil {
				comments = append(comments, comment{strings.TrimSpace(strings.TrimPrefix(text, "#")), line})
			}
			continue
		}
		if t.names == nil {
			header, headerLine := text, line
			if hasNumber(text) {
				n := len(t.splitAs(text, strings.Contains(text, ",")))
				for i := len(comments) - 1; i >= 0; i-- {
					c := comments[i]
					if len(t.splitAs(c.text, strings.Contains(c.text, ","))) == n {
						header, headerLine = c.text, c.line
						break
					}
				}
			}
			if err := t.setHeader(header, headerLine); err != nil {
				return nil, err
			}
			if headerLine == line {
				continue
			}
		}
		f := t.split(text)
		if len(f) != len(t.names) {
			return nil, fmt.Errorf("%s:%d: %d fields, but the header names %d columns (%s)",
				path, line, len(f), len(t.names), strings.Join(t.names, ", "))
		}
		t.fields = append(t.fields, f)
		t.lines = append(t.lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: line %d: %w", path, line+1, err)
	}
	if t.names == nil {
		if len(comments) == 0 {
			return nil, fmt.Errorf("%s: the catalogue is empty (no header line and 0 rows)", path)
		}
		if err := t.setHeader(comments[0].text, comments[0].line); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// setHeader takes the column names from a header line.
func (t *textTable) setHeader(header string, line int) error {
	t.comma = strings.Contains(header, ",")
	t.names = t.split(header)
	for i, n := range t.names {
		t.names[i] = strings.Trim(n, `"`)
	}
	if len(t.names) == 0 || len(t.names) == 1 && t.names[0] == "" {
		return fmt.Errorf("%s:%d: the header line names no columns", t.path, line)
	}
	return nil
}

// hasNumber reports whether a field of the line parses as a number.
func hasNumber(text string) bool {
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err == nil {
			return true
		}
	}
	return false
}

func (t *textTable) split(text string) []string { return t.splitAs(text, t.comma) }

// splitAs splits a line at commas or, when comma is false, at white space.
func (t *textTable) splitAs(text string, comma bool) []string {
	if !comma {
		return strings.Fields(text)
	}
	f := strings.Split(text, ",")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

func (t *textTable) columnNames() []string { return t.names }
func (t *textTable) where() string         { return " in this file" }
func (t *textTable) otherTables() string   { return "" }
func (t *textTable) rows() int             { return len(t.fields) }

func (t *textTable) column(name string) ([]float64, []bool, error) {
	index := -1
	for i, n := range t.names {
		if n == name {
			index = i
			break
		}
	}
	if index < 0 {
		return nil, nil, fmt.Errorf("%s: column %q not found", t.path, name)
	}
	values := make([]float64, len(t.fields))
	for r, f := range t.fields {
		field := f[index]
		if field == "" {
			return nil, nil, fmt.Errorf("%s:%d: column %q is empty; write nan to mark a missing value", t.path, t.lines[r], name)
		}
		v, err := strconv.ParseFloat(field, 64)
		if err != nil && !isRangeError(err) {
			return nil, nil, fmt.Errorf("%s:%d: column %q: %q is not a number", t.path, t.lines[r], name, field)
		}
		// A value beyond float64 range parses as ±Inf (and is then dropped
		// as non-finite); an underflow parses as 0 or a subnormal.
		values[r] = v
	}
	return values, make([]bool, len(t.fields)), nil
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func (t *textTable) rowLabel(row int) string {
	return fmt.Sprintf("line %d", t.lines[row])
}
