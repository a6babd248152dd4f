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
func readText(path string, r io.Reader) (*textTable, error) {
	t := &textTable{path: path}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		if t.names == nil {
			// The first non-blank line is the header; a leading '#' is
			// allowed there.
			text = strings.TrimSpace(strings.TrimPrefix(text, "#"))
			t.comma = strings.Contains(text, ",")
			t.names = t.split(text)
			if len(t.names) == 0 || len(t.names) == 1 && t.names[0] == "" {
				return nil, fmt.Errorf("%s:%d: the header line names no columns", path, line)
			}
			continue
		}
		if strings.HasPrefix(text, "#") {
			continue
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
		return nil, fmt.Errorf("%s: the catalogue is empty (no header line and 0 rows)", path)
	}
	return t, nil
}

func (t *textTable) split(text string) []string {
	if !t.comma {
		return strings.Fields(text)
	}
	f := strings.Split(text, ",")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

func (t *textTable) columnNames() []string { return t.names }
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
