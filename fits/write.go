package fits

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/skyinv/skyinv/internal/atomicfile"
)

// WriteImages writes a FITS file whose primary HDU is hdus[0] and whose
// IMAGE extensions are the others. The primary HDU may carry a Name
// (EXTNAME) and may have no data (empty Axes).
//
// The file is written to a temporary file and renamed into place, so a
// reader never sees a partial file. An existing path is replaced only when
// overwrite is set.
//
// Pixels are written as float32 (Bitpix -32) or float64 (Bitpix -64 or 0);
// a value too large for float32 becomes ±Inf there. Cards follow the
// mandatory ones in order; a string longer than one card is written with the
// CONTINUE convention, announced by a LONGSTRN card. The error describes the
// first card that cannot be written: a key that is not 1 to 8 characters of
// A-Z, 0-9, '-' and '_', a structural key (which the writer sets itself), a
// duplicated key, a NaN or Inf value, or text that is not printable ASCII.
//
// WriteImages panics when hdus is empty or when len(Data) differs from the
// product of Axes.
func WriteImages(path string, overwrite bool, hdus ...ImageHDU) error {
	if len(hdus) == 0 {
		panic("fits: WriteImages needs at least one HDU")
	}

	// Encode every header first, so that a bad card fails before the file
	// is created.
	headers := make([][]byte, len(hdus))
	for i := range hdus {
		h := &hdus[i]
		n := 1
		for _, a := range h.Axes {
			if a < 0 {
				panic(fmt.Sprintf("fits: HDU %d: negative axis length in Axes %v", i, h.Axes))
			}
			n *= a
		}
		if len(h.Axes) == 0 {
			n = 0
		}
		if len(h.Data) != n {
			panic(fmt.Sprintf("fits: HDU %d: len(Data) = %d, but Axes %v hold %d values", i, len(h.Data), h.Axes, n))
		}
		hdr, err := imageHeader(i, h)
		if err != nil {
			return fmt.Errorf("%s: HDU %d: %w", path, i, err)
		}
		headers[i] = hdr
	}

	return atomicfile.Write(path, overwrite, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		for i := range hdus {
			if _, err := bw.Write(headers[i]); err != nil {
				return err
			}
			if err := writePixels(bw, hdus[i].Data, bitpixOf(&hdus[i])); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}

func bitpixOf(h *ImageHDU) int {
	if h.Bitpix == 0 {
		return -64
	}
	return h.Bitpix
}

// imageHeader encodes the header of image HDU index.
func imageHeader(index int, h *ImageHDU) ([]byte, error) {
	bitpix := bitpixOf(h)
	if bitpix != -32 && bitpix != -64 {
		return nil, fmt.Errorf("Bitpix = %d cannot be written: set it to -32 (float32) or -64 (float64)", h.Bitpix)
	}
	if len(h.Axes) > maxAxes {
		return nil, fmt.Errorf("%d axes; FITS allows at most 999", len(h.Axes))
	}

	var hw headerWriter
	if index == 0 {
		hw.add(Card{"SIMPLE", true, "conforms to FITS standard"})
	} else {
		hw.add(Card{"XTENSION", "IMAGE", "image extension"})
	}
	hw.add(Card{"BITPIX", bitpix, pixelComment(bitpix)})
	hw.add(Card{"NAXIS", len(h.Axes), "number of data axes"})
	for i, n := range h.Axes {
		hw.add(Card{fmt.Sprintf("NAXIS%d", i+1), n, fmt.Sprintf("length of data axis %d", i+1)})
	}
	if index == 0 {
		hw.add(Card{"EXTEND", true, "FITS dataset may contain extensions"})
	} else {
		hw.add(Card{"PCOUNT", 0, "number of parameters"})
		hw.add(Card{"GCOUNT", 1, "number of groups"})
	}
	if h.Name != "" {
		hw.add(Card{"EXTNAME", h.Name, "extension name"})
	}
	if err := hw.addUser(h.Cards, false); err != nil {
		return nil, err
	}
	return hw.bytes(), hw.err
}

func pixelComment(bitpix int) string {
	if bitpix == -32 {
		return "float32 pixels"
	}
	return "float64 pixels"
}

// headerWriter collects the 80-character lines of one header.
type headerWriter struct {
	lines []string
	err   error
}

// add appends a card that this package builds, and keeps the first error.
func (hw *headerWriter) add(c Card) {
	lines, continued, err := encodeCard(c)
	if err != nil {
		if hw.err == nil {
			hw.err = err
		}
		return
	}
	if continued {
		hw.announceLongStrings()
	}
	hw.lines = append(hw.lines, lines...)
}

// announceLongStrings writes the LONGSTRN card once, before the first card
// that uses CONTINUE; fitsverify warns about CONTINUE without it.
func (hw *headerWriter) announceLongStrings() {
	for _, l := range hw.lines {
		if strings.HasPrefix(l, "LONGSTRN=") {
			return
		}
	}
	lines, _, _ := encodeCard(Card{"LONGSTRN", "OGIP 1.0", "the OGIP long string convention may be used"})
	hw.lines = append(hw.lines, lines...)
}

// addUser appends the caller's cards after checking that none of them is a
// structural card and that no keyword with a value repeats.
func (hw *headerWriter) addUser(cards []Card, table bool) error {
	seen := make(map[string]bool)
	for _, c := range cards {
		if structural(c.Key, table) || c.Key == "CONTINUE" || c.Key == "END" ||
			!table && (c.Key == "TFIELDS" || c.Key == "THEAP" || isColumnKeyword(c.Key)) {
			return fmt.Errorf("card %s is set by the writer and cannot be given in Cards", c.Key)
		}
		if c.Value != nil {
			if seen[c.Key] {
				return fmt.Errorf("card %s appears twice", c.Key)
			}
			seen[c.Key] = true
		}
		hw.add(c)
		if hw.err != nil {
			return hw.err
		}
	}
	return nil
}

func isColumnKeyword(key string) bool {
	for _, prefix := range columnKeywords {
		if numbered(key, prefix) {
			return true
		}
	}
	return false
}

// bytes returns the header with its END card, padded with spaces to a whole
// number of blocks.
func (hw *headerWriter) bytes() []byte {
	var b strings.Builder
	for _, l := range hw.lines {
		b.WriteString(l)
	}
	b.WriteString(fmt.Sprintf("%-80s", "END"))
	for b.Len()%blockSize != 0 {
		b.WriteByte(' ')
	}
	return []byte(b.String())
}

// writePixels writes data as big-endian float32 or float64, then zeros up to
// the end of the block.
func writePixels(w *bufio.Writer, data []float64, bitpix int) error {
	var buf [8]byte
	size := abs(bitpix) / 8
	for _, v := range data {
		if bitpix == -32 {
			binary.BigEndian.PutUint32(buf[:], math.Float32bits(float32(v)))
		} else {
			binary.BigEndian.PutUint64(buf[:], math.Float64bits(v))
		}
		if _, err := w.Write(buf[:size]); err != nil {
			return err
		}
	}
	return writePadding(w, int64(len(data)*size))
}

func writePadding(w io.Writer, n int64) error {
	pad := padded(n) - n
	_, err := w.Write(make([]byte, pad))
	return err
}

// Column is one column for WriteTable.
type Column struct {
	Name string // TTYPEn
	Unit string // TUNITn; "" writes none

	// Data holds one value per row: []float64 (TFORM D), []float32 (E),
	// []int16 (I), []int32 (J), []int64 (K) or []uint8 (B).
	Data any
}

// WriteTable writes a FITS file with an empty primary HDU and one binary
// table, named name (EXTNAME; "" writes none), with the given columns. Column
// names must be non-empty printable ASCII and distinct without regard to
// case, because readers match them that way.
//
// The file is written to a temporary file and renamed into place. An
// existing path is replaced only when overwrite is set.
//
// WriteTable panics when no columns are given, when a Data has another type,
// or when the columns differ in length.
func WriteTable(path string, overwrite bool, name string, cols ...Column) error {
	if len(cols) == 0 {
		panic("fits: WriteTable needs at least one column")
	}
	if len(cols) > maxAxes {
		return fmt.Errorf("%s: %d columns; FITS allows at most 999", path, len(cols))
	}
	rows := -1
	rowBytes := 0
	formats := make([]string, len(cols))
	for i, c := range cols {
		n, format, size := columnLayout(c)
		if rows >= 0 && n != rows {
			panic(fmt.Sprintf("fits: column %q has %d rows, but column %q has %d", c.Name, n, cols[0].Name, rows))
		}
		rows = n
		formats[i] = format
		rowBytes += size
	}

	// The primary HDU (no data), then the table's header.
	var primary headerWriter
	primary.add(Card{"SIMPLE", true, "conforms to FITS standard"})
	primary.add(Card{"BITPIX", 8, "no data in the primary HDU"})
	primary.add(Card{"NAXIS", 0, "no data in the primary HDU"})
	primary.add(Card{"EXTEND", true, "FITS dataset may contain extensions"})

	var hw headerWriter
	hw.add(Card{"XTENSION", "BINTABLE", "binary table extension"})
	hw.add(Card{"BITPIX", 8, "8-bit bytes"})
	hw.add(Card{"NAXIS", 2, "2-dimensional table"})
	hw.add(Card{"NAXIS1", rowBytes, "bytes per row"})
	hw.add(Card{"NAXIS2", rows, "number of rows"})
	hw.add(Card{"PCOUNT", 0, "no heap"})
	hw.add(Card{"GCOUNT", 1, "one table"})
	hw.add(Card{"TFIELDS", len(cols), "number of columns"})
	seen := make(map[string]string)
	for i, c := range cols {
		if c.Name == "" {
			return fmt.Errorf("%s: column %d has no name", path, i+1)
		}
		if prev, ok := seen[strings.ToUpper(c.Name)]; ok {
			return fmt.Errorf("%s: column names %q and %q are the same without regard to case", path, prev, c.Name)
		}
		seen[strings.ToUpper(c.Name)] = c.Name
		num := i + 1
		hw.add(Card{fmt.Sprintf("TTYPE%d", num), c.Name, ""})
		hw.add(Card{fmt.Sprintf("TFORM%d", num), formats[i], ""})
		if c.Unit != "" {
			hw.add(Card{fmt.Sprintf("TUNIT%d", num), c.Unit, ""})
		}
	}
	if name != "" {
		hw.add(Card{"EXTNAME", name, "table name"})
	}
	if hw.err != nil {
		return fmt.Errorf("%s: %w", path, hw.err)
	}

	return atomicfile.Write(path, overwrite, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		if _, err := bw.Write(primary.bytes()); err != nil {
			return err
		}
		if _, err := bw.Write(hw.bytes()); err != nil {
			return err
		}
		if err := writeRows(bw, cols, rows, rowBytes); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// columnLayout returns the row count, TFORM and bytes per row of a column.
func columnLayout(c Column) (rows int, format string, size int) {
	switch d := c.Data.(type) {
	case []float64:
		return len(d), "D", 8
	case []float32:
		return len(d), "E", 4
	case []int64:
		return len(d), "K", 8
	case []int32:
		return len(d), "J", 4
	case []int16:
		return len(d), "I", 2
	case []uint8:
		return len(d), "B", 1
	}
	panic(fmt.Sprintf("fits: column %q has Data of type %T; use []float64, []float32, []int64, []int32, []int16 or []uint8", c.Name, c.Data))
}

// writeRows writes the table rows, big-endian, then zeros up to the end of
// the block.
func writeRows(w *bufio.Writer, cols []Column, rows, rowBytes int) error {
	row := make([]byte, rowBytes)
	be := binary.BigEndian
	for r := 0; r < rows; r++ {
		b := row
		for _, c := range cols {
			switch d := c.Data.(type) {
			case []float64:
				be.PutUint64(b, math.Float64bits(d[r]))
				b = b[8:]
			case []float32:
				be.PutUint32(b, math.Float32bits(d[r]))
				b = b[4:]
			case []int64:
				be.PutUint64(b, uint64(d[r]))
				b = b[8:]
			case []int32:
				be.PutUint32(b, uint32(d[r]))
				b = b[4:]
			case []int16:
				be.PutUint16(b, uint16(d[r]))
				b = b[2:]
			case []uint8:
				b[0] = d[r]
				b = b[1:]
			}
		}
		if _, err := w.Write(row); err != nil {
			return err
		}
	}
	return writePadding(w, int64(rows)*int64(rowBytes))
}
