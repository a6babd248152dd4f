package fits

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// ImageHDU is an image (a primary array or an IMAGE extension) with its
// header cards.
type ImageHDU struct {
	// Name is the EXTNAME, "" for none.
	Name string

	// Axes are NAXIS1, NAXIS2, ... with NAXIS1 varying fastest. Empty for
	// an HDU without data.
	Axes []int

	// Data holds the product of Axes values in FITS order: for a 2-D image,
	// pixel (x, y) with 0-based x along NAXIS1 is Data[y*Axes[0]+x]. On read,
	// BSCALE and BZERO are applied and integer pixels equal to BLANK become
	// NaN.
	Data []float64

	// Bitpix is the BITPIX of the file on read. On write it selects float32
	// (-32) or float64 (-64) pixels, and 0 means -64.
	Bitpix int

	// Cards are the header cards other than the structural ones (see
	// ReadImage). On write they follow the mandatory cards in this order.
	Cards []Card
}

// Card returns the first card with the given key, compared without regard to
// case.
func (h *ImageHDU) Card(key string) (Card, bool) {
	return findCard(h.Cards, key)
}

// Float returns the value of the card with the given key as a float64. It
// accepts integer and float values and reports false for any other value or
// a missing card.
func (h *ImageHDU) Float(key string) (float64, bool) {
	return cardFloat(h.Cards, key)
}

func findCard(cards []Card, key string) (Card, bool) {
	for _, c := range cards {
		if strings.EqualFold(c.Key, key) {
			return c, true
		}
	}
	return Card{}, false
}

func cardFloat(cards []Card, key string) (float64, bool) {
	c, ok := findCard(cards, key)
	if !ok {
		return 0, false
	}
	switch v := c.Value.(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// structural reports whether a card is left out of the Cards of ImageHDU or
// Table. These are the mandatory keywords, EXTNAME (in Name), and the
// scaling keywords that the read has applied. LONGSTRN is written again
// where needed, and CHECKSUM and DATASUM would no longer hold after a change.
func structural(key string, table bool) bool {
	switch key {
	case "SIMPLE", "XTENSION", "BITPIX", "NAXIS", "EXTEND", "PCOUNT", "GCOUNT", "GROUPS",
		"EXTNAME", "BSCALE", "BZERO", "BLANK", "LONGSTRN", "CHECKSUM", "DATASUM", "END":
		return true
	}
	if numbered(key, "NAXIS") {
		return true
	}
	if table {
		if key == "TFIELDS" || key == "THEAP" {
			return true
		}
		for _, prefix := range columnKeywords {
			if numbered(key, prefix) {
				return true
			}
		}
	}
	return false
}

// columnKeywords are the prefixes of the indexed keywords that describe table
// columns.
var columnKeywords = []string{"TTYPE", "TFORM", "TUNIT", "TSCAL", "TZERO", "TNULL", "TBCOL", "TDIM", "TDISP", "TDMIN", "TDMAX", "TLMIN", "TLMAX"}

// numbered reports whether key is prefix followed by a positive decimal
// number.
func numbered(key, prefix string) bool {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok || rest == "" || rest[0] == '0' {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

func otherCards(cards []Card, table bool) []Card {
	var out []Card
	for _, c := range cards {
		if !structural(c.Key, table) {
			out = append(out, c)
		}
	}
	return out
}

// ReadImage reads one image HDU of the FITS file at path.
//
// hdu selects it: "" is the first HDU with image data (at least one pixel),
// a decimal number is the HDU index (0 is the primary HDU), and any other
// text is an EXTNAME compared without regard to case. An HDU without data,
// selected by index or name, comes back with empty Axes and Data.
//
// Integer pixels (BITPIX 8, 16, 32, 64) are converted to float64 with
// BSCALE and BZERO applied, and those equal to BLANK become NaN. The
// returned Cards hold every card except SIMPLE, XTENSION, BITPIX, NAXIS,
// NAXISn, EXTEND, PCOUNT, GCOUNT, GROUPS, EXTNAME (in Name), BSCALE, BZERO,
// BLANK, LONGSTRN, CHECKSUM and DATASUM.
//
// The file is opened, its headers are read, and only the selected HDU's data
// are loaded.
func ReadImage(path, hdu string) (*ImageHDU, error) {
	ff, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer ff.Close()

	isImage := func(h *hduEntry) bool { return h.Kind == KindImage }
	hasPixels := func(h *hduEntry) bool { return isImage(h) && h.dataBytes > 0 }
	h, err := ff.selectHDU(hdu, "image data", hasPixels)
	if err != nil {
		return nil, err
	}
	if !isImage(h) {
		return nil, ff.wrongType(h, "an image", "images", isImage)
	}

	img := &ImageHDU{
		Name:   h.Name,
		Axes:   append([]int(nil), h.Axes...),
		Bitpix: h.Bitpix,
		Cards:  otherCards(h.cards, false),
	}
	if h.dataBytes == 0 {
		img.Data = []float64{}
		return img, nil
	}
	raw, err := ff.readData(h)
	if err != nil {
		return nil, err
	}
	hd := header{cards: h.cards, ff: ff, index: h.Index}
	scale, zero := 1.0, 0.0
	if v, ok := cardFloat(h.cards, "BSCALE"); ok {
		scale = v
	}
	if v, ok := cardFloat(h.cards, "BZERO"); ok {
		zero = v
	}
	blank, hasBlank := int64(0), false
	if _, ok := hd.find("BLANK"); ok && h.Bitpix > 0 {
		if blank, err = hd.integer("BLANK"); err != nil {
			return nil, err
		}
		hasBlank = true
	}
	img.Data = decodePixels(raw, h.Bitpix, scale, zero, blank, hasBlank)
	return img, nil
}

// decodePixels converts big-endian pixels to float64, applying
// value = zero + scale*raw. Integer pixels equal to blank become NaN when
// hasBlank is set.
func decodePixels(raw []byte, bitpix int, scale, zero float64, blank int64, hasBlank bool) []float64 {
	n := len(raw) / (abs(bitpix) / 8)
	out := make([]float64, n)
	be := binary.BigEndian
	if bitpix == -32 {
		for i := range out {
			out[i] = float64(math.Float32frombits(be.Uint32(raw[4*i:])))
		}
	} else if bitpix == -64 {
		for i := range out {
			out[i] = math.Float64frombits(be.Uint64(raw[8*i:]))
		}
	} else {
		for i := range out {
			var v int64
			switch bitpix {
			case 8:
				v = int64(raw[i])
			case 16:
				v = int64(int16(be.Uint16(raw[2*i:])))
			case 32:
				v = int64(int32(be.Uint32(raw[4*i:])))
			case 64:
				v = int64(be.Uint64(raw[8*i:]))
			}
			if hasBlank && v == blank {
				out[i] = math.NaN()
				continue
			}
			out[i] = float64(v)
		}
	}

	if scale != 1 || zero != 0 {
		for i, v := range out {
			out[i] = zero + scale*v
		}
	}
	return out
}
