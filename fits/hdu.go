package fits

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Kind is the type of an HDU.
type Kind int

const (
	KindImage       Kind = iota // primary array or IMAGE extension
	KindBinaryTable             // BINTABLE extension
	KindASCIITable              // TABLE extension
	KindOther                   // random groups or an extension type this package does not read
)

func (k Kind) String() string {
	switch k {
	case KindImage:
		return "image"
	case KindBinaryTable:
		return "binary table"
	case KindASCIITable:
		return "ASCII table"
	}
	return "other"
}

// HDUInfo describes one HDU from its header alone.
type HDUInfo struct {
	Index  int    // 0 for the primary HDU
	Kind   Kind   // image, binary table, ASCII table or other
	Type   string // XTENSION value ("IMAGE", "BINTABLE", "TABLE"), "" for the primary HDU
	Name   string // EXTNAME, "" when absent
	Bitpix int    // BITPIX
	Axes   []int  // NAXIS1, NAXIS2, ...: for a table, the row length in bytes and the row count

	// Rows and Columns are the row count (NAXIS2) and column count (TFIELDS)
	// of a table, 0 for other kinds.
	Rows, Columns int

	// Compressed is true for a tile-compressed image (a binary table with
	// ZIMAGE = T), which this package does not decompress.
	Compressed bool
}

// label returns "2 'MASK'" or "0" for an HDU without EXTNAME.
func (h HDUInfo) label() string {
	if h.Name == "" {
		return strconv.Itoa(h.Index)
	}
	return fmt.Sprintf("%d '%s'", h.Index, h.Name)
}

// String describes the HDU in one line, as in "1 'SHEAR': binary table,
// 417117 rows x 5 columns".
func (h HDUInfo) String() string {
	s := h.label() + ": "
	switch {
	case h.Compressed:
		s += fmt.Sprintf("compressed image in a binary table, %d rows", h.Rows)
	case h.Kind == KindBinaryTable || h.Kind == KindASCIITable:
		s += fmt.Sprintf("%v, %d rows x %d columns", h.Kind, h.Rows, h.Columns)
	case h.Kind == KindImage && len(h.Axes) == 0:
		s += "image, no data"
	case h.Kind == KindImage:
		dims := make([]string, len(h.Axes))
		for i, n := range h.Axes {
			dims[i] = strconv.Itoa(n)
		}
		s += fmt.Sprintf("image, %s, BITPIX %d", strings.Join(dims, " x "), h.Bitpix)
	default:
		if h.Type == "" {
			s += "random groups"
		} else {
			s += fmt.Sprintf("%s extension", h.Type)
		}
	}
	return s
}

// hduEntry is one HDU as found by scanning a file: its parsed header and where
// its data lie.
type hduEntry struct {
	HDUInfo
	cards      []Card // all cards but END, CONTINUE merged
	dataOffset int64  // byte offset of the data in the file
	dataBytes  int64  // size of the data without padding
}

// file is an open FITS file with all its headers read.
type file struct {
	path string
	f    *os.File
	size int64
	hdus []hduEntry
}

// openFile opens path and reads every header. It checks that each HDU's data
// lie within the file, so a later read of any HDU cannot run past the end.
func openFile(path string) (*file, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	ff := &file{path: path, f: f, size: st.Size()}
	if err := ff.scan(); err != nil {
		f.Close()
		return nil, err
	}
	return ff, nil
}

func (ff *file) Close() error { return ff.f.Close() }

// List returns a description of every HDU in the FITS file at path, read
// from the headers alone.
func List(path string) ([]HDUInfo, error) {
	ff, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer ff.Close()
	infos := make([]HDUInfo, len(ff.hdus))
	for i, h := range ff.hdus {
		infos[i] = h.HDUInfo
	}
	return infos, nil
}

// scan reads the headers one after the other. Bytes after the last HDU that
// do not start a new extension header are ignored, as other readers do.
func (ff *file) scan() error {
	var offset int64
	for index := 0; index == 0 || offset < ff.size; index++ {
		if index > 0 {
			// Another HDU follows only when a whole header block starts
			// with XTENSION.
			head := make([]byte, 9)
			if ff.size-offset < blockSize {
				return nil
			}
			if _, err := ff.f.ReadAt(head, offset); err != nil {
				return fmt.Errorf("%s: %w", ff.path, err)
			}
			if string(head) != "XTENSION=" {
				return nil
			}
		}
		h, err := ff.readHeader(index, offset)
		if err != nil {
			return err
		}
		if found := ff.size - h.dataOffset; h.dataBytes > found {
			return errorf(ErrTruncated, "%s: file is truncated: expected %d bytes of data for HDU %d, found %d",
				ff.path, h.dataBytes, index, max(found, 0))
		}
		ff.hdus = append(ff.hdus, h)
		offset = h.dataOffset + padded(h.dataBytes)
	}
	return nil
}

func padded(n int64) int64 {
	return (n + blockSize - 1) / blockSize * blockSize
}

// readHeader reads the header that starts at offset, up to its END card.
func (ff *file) readHeader(index int, offset int64) (hduEntry, error) {
	var cards []Card
	block := make([]byte, blockSize)
	start := offset
	for {
		n, err := ff.f.ReadAt(block, offset)
		if index == 0 && offset == 0 && (n < 9 || string(block[:9]) != "SIMPLE  =") {
			return hduEntry{}, errorf(ErrNotFITS, "%s: not a FITS file: it does not start with %q", ff.path, "SIMPLE  =")
		}
		if n < blockSize {
			if err != nil && err != io.EOF {
				return hduEntry{}, fmt.Errorf("%s: %w", ff.path, err)
			}
			return hduEntry{}, errorf(ErrTruncated, "%s: missing END card in the header of HDU %d: the file ends %d bytes after the header starts at byte %d",
				ff.path, index, ff.size-start, start)
		}
		offset += blockSize
		for i := 0; i < blockSize; i += cardSize {
			card := block[i : i+cardSize]
			if string(card[:8]) == "END     " {
				h, err := ff.interpret(index, mergeContinued(cards))
				h.dataOffset = offset
				return h, err
			}
			cards = append(cards, parseCard(card))
		}
	}
}

// header gives typed access to a header's cards for interpret.
type header struct {
	cards []Card
	ff    *file
	index int
}

func (h header) find(key string) (Card, bool) {
	for _, c := range h.cards {
		if c.Key == key {
			return c, true
		}
	}
	return Card{}, false
}

// integer returns a mandatory integer keyword, or an error naming it.
func (h header) integer(key string) (int64, error) {
	c, ok := h.find(key)
	if !ok {
		return 0, errorf(ErrInvalid, "%s: HDU %d: mandatory keyword %s is missing", h.ff.path, h.index, key)
	}
	v, ok := c.Value.(int)
	if !ok {
		return 0, errorf(ErrInvalid, "%s: HDU %d: keyword %s = %v is not an integer", h.ff.path, h.index, key, c.Value)
	}
	return int64(v), nil
}

// optionalInteger returns an integer keyword, or def when it is absent.
func (h header) optionalInteger(key string, def int64) (int64, error) {
	if _, ok := h.find(key); !ok {
		return def, nil
	}
	return h.integer(key)
}

func (h header) str(key string) string {
	c, _ := h.find(key)
	s, _ := c.Value.(string)
	return s
}

func (h header) boolean(key string) bool {
	c, _ := h.find(key)
	b, _ := c.Value.(bool)
	return b
}

// Limits from the FITS standard: NAXIS and TFIELDS are at most 999.
const maxAxes = 999

// interpret reads the structural keywords of a header and computes the size
// of the data that follow it.
func (ff *file) interpret(index int, cards []Card) (hduEntry, error) {
	hd := header{cards: cards, ff: ff, index: index}
	h := hduEntry{cards: cards}
	h.Index = index
	h.Name = strings.TrimSpace(hd.str("EXTNAME"))

	// The type of the HDU.
	first := Card{}
	if len(cards) > 0 {
		first = cards[0]
	}
	switch {
	case index == 0 && first.Key == "SIMPLE":
		h.Kind = KindImage
	case index > 0 && first.Key == "XTENSION":
		xt, _ := first.Value.(string)
		h.Type = strings.TrimSpace(xt)
		switch h.Type {
		case "IMAGE":
			h.Kind = KindImage
		case "BINTABLE":
			h.Kind = KindBinaryTable
		case "TABLE":
			h.Kind = KindASCIITable
		default:
			h.Kind = KindOther
		}
	default:
		return h, errorf(ErrInvalid, "%s: HDU %d: the header starts with %s instead of SIMPLE or XTENSION", ff.path, index, first.Key)
	}

	// BITPIX and the axes.
	bitpix, err := hd.integer("BITPIX")
	if err != nil {
		return h, err
	}
	switch bitpix {
	case 8, 16, 32, 64, -32, -64:
	default:
		return h, errorf(ErrInvalid, "%s: HDU %d: BITPIX = %d; FITS allows 8, 16, 32, 64, -32 or -64", ff.path, index, bitpix)
	}
	h.Bitpix = int(bitpix)
	naxis, err := hd.integer("NAXIS")
	if err != nil {
		return h, err
	}
	if naxis < 0 || naxis > maxAxes {
		return h, errorf(ErrInvalid, "%s: HDU %d: NAXIS = %d; FITS allows 0 to 999", ff.path, index, naxis)
	}
	h.Axes = make([]int, naxis)
	for i := range h.Axes {
		n, err := hd.integer(fmt.Sprintf("NAXIS%d", i+1))
		if err != nil {
			return h, err
		}
		if n < 0 || n > math.MaxInt32 {
			return h, errorf(ErrInvalid, "%s: HDU %d: NAXIS%d = %d is out of range", ff.path, index, i+1, n)
		}
		h.Axes[i] = int(n)
	}

	// The size of the data: |BITPIX| * GCOUNT * (PCOUNT + NAXIS1 * ... *
	// NAXISn) bits, where random groups leave NAXIS1 (which is 0) out.
	pcount, err := hd.optionalInteger("PCOUNT", 0)
	if err != nil {
		return h, err
	}
	gcount, err := hd.optionalInteger("GCOUNT", 1)
	if err != nil {
		return h, err
	}
	if pcount < 0 || gcount < 0 || pcount > math.MaxInt32*int64(math.MaxInt16) || gcount > math.MaxInt32 {
		return h, errorf(ErrInvalid, "%s: HDU %d: PCOUNT = %d, GCOUNT = %d are out of range", ff.path, index, pcount, gcount)
	}
	axes := h.Axes
	if index == 0 && hd.boolean("GROUPS") && len(axes) > 0 && axes[0] == 0 {
		h.Kind = KindOther
		axes = axes[1:]
	}
	elements := int64(0)
	if len(axes) > 0 {
		elements = 1
		for _, n := range axes {
			if n != 0 && elements > ff.size/int64(n) {
				// More elements than the file has bytes: report it as
				// truncation without overflowing.
				return h, errorf(ErrTruncated, "%s: file is truncated: HDU %d announces more data (axes %v) than the file's %d bytes",
					ff.path, index, h.Axes, ff.size)
			}
			elements *= int64(n)
		}
	}
	if elements+pcount > ff.size || gcount > 1 && (elements+pcount) > ff.size/gcount {
		return h, errorf(ErrTruncated, "%s: file is truncated: HDU %d announces more data than the file's %d bytes", ff.path, index, ff.size)
	}
	if len(axes) > 0 || pcount > 0 {
		h.dataBytes = (elements + pcount) * gcount * int64(abs(h.Bitpix)/8)
	}

	// Table details.
	if h.Kind == KindBinaryTable || h.Kind == KindASCIITable {
		if len(h.Axes) != 2 {
			return h, errorf(ErrInvalid, "%s: HDU %d: a table must have NAXIS = 2, found %d", ff.path, index, len(h.Axes))
		}
		h.Rows = h.Axes[1]
		tfields, err := hd.integer("TFIELDS")
		if err != nil {
			return h, err
		}
		if tfields < 0 || tfields > maxAxes {
			return h, errorf(ErrInvalid, "%s: HDU %d: TFIELDS = %d; FITS allows 0 to 999", ff.path, index, tfields)
		}
		h.Columns = int(tfields)
		h.Compressed = h.Kind == KindBinaryTable && hd.boolean("ZIMAGE")
	}
	return h, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// selectHDU finds the HDU that spec names: "" for the first HDU that
// accepts, a decimal index, or an EXTNAME compared without regard to case.
// what ("an image", "a table") and accepts describe the HDU the caller needs.
func (ff *file) selectHDU(spec, what string, accepts func(*hduEntry) bool) (*hduEntry, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		for i := range ff.hdus {
			if accepts(&ff.hdus[i]) {
				return &ff.hdus[i], nil
			}
		}
		return nil, errorf(ErrNotFound, "%s: no HDU holds %s; HDUs in this file: %s", ff.path, what, ff.describe(nil))
	}

	if index, err := strconv.Atoi(spec); err == nil {
		if index < 0 || index >= len(ff.hdus) {
			return nil, errorf(ErrNotFound, "%s: HDU %d not found: the file has %d HDUs: %s", ff.path, index, len(ff.hdus), ff.describe(nil))
		}
		return &ff.hdus[index], nil
	}

	for i := range ff.hdus {
		if strings.EqualFold(ff.hdus[i].Name, spec) {
			return &ff.hdus[i], nil
		}
	}
	return nil, errorf(ErrNotFound, "%s: no HDU has EXTNAME '%s'; HDUs in this file: %s", ff.path, spec, ff.describe(nil))
}

// describe lists the HDUs that keep accepts (all when keep is nil), or
// "none".
func (ff *file) describe(keep func(*hduEntry) bool) string {
	var parts []string
	for i := range ff.hdus {
		if keep == nil || keep(&ff.hdus[i]) {
			parts = append(parts, ff.hdus[i].String())
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// wrongType returns the error for an HDU that is not what the caller needs,
// listing the HDUs that would do.
func (ff *file) wrongType(h *hduEntry, what, plural string, accepts func(*hduEntry) bool) error {
	return errorf(ErrWrongType, "%s: HDU %s is %s, not %s; %s in this file: %s",
		ff.path, h.label(), h.kindPhrase(), what, plural, ff.labels(accepts))
}

// kindPhrase names the kind of h with its article, as in "an image".
func (h *hduEntry) kindPhrase() string {
	switch {
	case h.Compressed:
		return "a compressed image (ZIMAGE = T), which this package does not decompress (funpack or astropy can)"
	case h.Kind == KindImage:
		return "an image"
	case h.Kind == KindBinaryTable:
		return "a binary table"
	case h.Kind == KindASCIITable:
		return "an ASCII table"
	case h.Type == "":
		return "a random-groups array"
	}
	return fmt.Sprintf("a %s extension", h.Type)
}

// labels lists the index and EXTNAME of the HDUs that accepts, or "none".
func (ff *file) labels(accepts func(*hduEntry) bool) string {
	var parts []string
	for i := range ff.hdus {
		if accepts(&ff.hdus[i]) {
			parts = append(parts, ff.hdus[i].label())
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// readData reads the data of h (without padding).
func (ff *file) readData(h *hduEntry) ([]byte, error) {
	buf := make([]byte, h.dataBytes)
	if _, err := ff.f.ReadAt(buf, h.dataOffset); err != nil {
		return nil, fmt.Errorf("%s: HDU %d: %w", ff.path, h.Index, err)
	}
	return buf, nil
}
