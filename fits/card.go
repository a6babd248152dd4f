package fits

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Card is one header keyword record.
//
// Value is bool, int, int64, float64, complex128 or string. It is nil for
// commentary cards (COMMENT, HISTORY, a blank keyword, HIERARCH), whose text
// is in Comment. On read, integers come back as int, a string continued over
// CONTINUE cards comes back whole, and a value that cannot be parsed comes
// back as its text (a string).
type Card struct {
	Key     string
	Value   any
	Comment string
}

const (
	blockSize = 2880 // bytes in a header or data block
	cardSize  = 80   // bytes in a header card
)

// isCommentary reports whether key names a card without a value: its text
// runs from column 9 to 80.
func isCommentary(key string) bool {
	return key == "COMMENT" || key == "HISTORY" || key == "" || key == "HIERARCH"
}

// parseCard decodes one 80-byte card. A keyword followed by "= " in columns
// 9-10 has a value; every other card is commentary and keeps columns 9-80 in
// Comment, trailing spaces removed.
func parseCard(b []byte) Card {
	key := strings.TrimRight(string(b[:8]), " ")
	if key == "HIERARCH" || string(b[8:10]) != "= " {
		return Card{Key: key, Comment: strings.TrimRight(string(b[8:]), " ")}
	}
	value, comment := parseValue(string(b[10:]))
	return Card{Key: key, Value: value, Comment: comment}
}

// parseValue decodes the value field (columns 11-80) of a card into its value
// and comment. An empty value field (an undefined value) returns nil.
func parseValue(s string) (any, string) {
	t := strings.TrimLeft(s, " ")
	if strings.HasPrefix(t, "'") {
		str, rest, ok := parseQuoted(t)
		if !ok {
			return strings.TrimRight(t, " "), ""
		}
		return str, commentAfter(rest)
	}

	field, comment, _ := strings.Cut(t, "/")
	field = strings.TrimSpace(field)
	comment = strings.TrimSpace(comment)
	switch {
	case field == "":
		return nil, comment
	case field == "T":
		return true, comment
	case field == "F":
		return false, comment
	case strings.HasPrefix(field, "("):
		if c, ok := parseComplex(field); ok {
			return c, comment
		}
		return field, comment
	}
	if i, err := strconv.ParseInt(field, 10, 64); err == nil {
		return int(i), comment
	}
	if f, ok := parseFloat(field); ok {
		return f, comment
	}
	return field, comment
}

// parseQuoted decodes a FITS string that starts at s[0] == '\”. A doubled
// quote stands for one quote, and trailing spaces are not significant. It
// returns the text after the closing quote.
func parseQuoted(s string) (value, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return strings.TrimRight(b.String(), " "), s[i+1:], true
	}
	return "", "", false
}

func commentAfter(rest string) string {
	_, comment, found := strings.Cut(rest, "/")
	if !found {
		return ""
	}
	return strings.TrimSpace(comment)
}

// parseFloat accepts the FITS real forms, including a Fortran 'D' exponent.
func parseFloat(s string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		if r == 'D' || r == 'd' {
			return 'E'
		}
		return r
	}, s)
	// strconv also accepts "Inf", "NaN", hexadecimal and underscores, none of
	// which is a FITS number.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'E' || c == 'e' || c == '+' || c == '-') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func parseComplex(s string) (complex128, bool) {
	inner, ok := strings.CutPrefix(s, "(")
	if !ok {
		return 0, false
	}
	inner, ok = strings.CutSuffix(inner, ")")
	if !ok {
		return 0, false
	}
	re, im, ok := strings.Cut(inner, ",")
	if !ok {
		return 0, false
	}
	x, okRe := parseFloat(strings.TrimSpace(re))
	y, okIm := parseFloat(strings.TrimSpace(im))
	if !okRe || !okIm {
		return 0, false
	}
	return complex(x, y), true
}

// mergeContinued joins string values continued with the CONTINUE convention:
// a string ending in '&' followed by CONTINUE cards whose strings are
// appended. The comments of the pieces are joined with spaces. A CONTINUE
// card that follows no continued string is kept as a commentary card.
func mergeContinued(cards []Card) []Card {
	out := cards[:0]
	for i := 0; i < len(cards); i++ {
		c := cards[i]
		s, isString := c.Value.(string)
		for isString && strings.HasSuffix(s, "&") && i+1 < len(cards) && cards[i+1].Key == "CONTINUE" {
			next, ok := continuedText(cards[i+1].Comment)
			if !ok {
				break
			}
			s = s[:len(s)-1] + next.value
			if next.comment != "" {
				c.Comment = strings.TrimSpace(c.Comment + " " + next.comment)
			}
			i++
		}
		if isString {
			c.Value = s
		}
		out = append(out, c)
	}
	return out
}

type continuation struct{ value, comment string }

// continuedText decodes columns 9-80 of a CONTINUE card: a quoted string
// after optional spaces, then an optional comment.
func continuedText(text string) (continuation, bool) {
	t := strings.TrimLeft(text, " ")
	if !strings.HasPrefix(t, "'") {
		return continuation{}, false
	}
	value, rest, ok := parseQuoted(t)
	if !ok {
		return continuation{}, false
	}
	return continuation{value: value, comment: commentAfter(rest)}, true
}

// validKey reports whether key is a standard keyword: 1 to 8 characters from
// A-Z, 0-9, '-' and '_'.
func validKey(key string) bool {
	if len(key) == 0 || len(key) > 8 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// printable reports whether s holds only the ASCII characters 32-126 that
// FITS allows in a header.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 32 || s[i] > 126 {
			return false
		}
	}
	return true
}

// formatValue writes a number or logical in fixed format: right-justified in
// columns 11-30. A value too long for that field (a float64 needing 17
// significant digits and a three-digit exponent) runs on in free format, which
// the standard allows for all but the mandatory keywords.
func formatValue(v any) (string, error) {
	var s string
	switch v := v.(type) {
	case bool:
		s = "F"
		if v {
			s = "T"
		}
	case int:
		s = strconv.Itoa(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case int32:
		s = strconv.FormatInt(int64(v), 10)
	case float64:
		f, err := formatFloat(v)
		if err != nil {
			return "", err
		}
		s = f
	case float32:
		f, err := formatFloat(float64(v))
		if err != nil {
			return "", err
		}
		s = f
	case complex128:
		re, err := formatFloat(real(v))
		if err != nil {
			return "", err
		}
		im, err := formatFloat(imag(v))
		if err != nil {
			return "", err
		}
		s = "(" + re + ", " + im + ")"
	default:
		return "", fmt.Errorf("value %v has type %T; a card value must be bool, int, int64, float64, complex128 or string", v, v)
	}
	return fmt.Sprintf("%20s", s), nil
}

// formatFloat writes the shortest decimal that reads back as exactly v,
// always with a '.' or an exponent so that readers see a real number.
func formatFloat(v float64) (string, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", fmt.Errorf("value %v cannot be written in a FITS header, which has no NaN or Inf", v)
	}
	s := strconv.FormatFloat(v, 'G', -1, 64)
	if !strings.ContainsAny(s, ".E") {
		s += ".0"
	}
	return s, nil
}

// quote writes s as the inside of a FITS string: quotes doubled.
func quote(s string) string {
	return strings.ReplaceAll(s, "'", "''")
}

// encodeCard writes c as one or more 80-character lines. A string that does
// not fit on one card continues on CONTINUE cards, and continued is then true
// so that the caller announces the convention with a LONGSTRN card. A comment
// that does not fit on the last card is cut at column 80.
func encodeCard(c Card) (lines []string, continued bool, err error) {
	if c.Value == nil {
		return encodeCommentary(c)
	}
	if !validKey(c.Key) {
		return nil, false, fmt.Errorf("card key %q is not a FITS keyword: use 1 to 8 characters from A-Z, 0-9, '-' and '_' (HIERARCH keywords are written as commentary cards)", c.Key)
	}
	if !printable(c.Comment) {
		return nil, false, fmt.Errorf("card %s: comment %q contains characters outside printable ASCII, which FITS headers cannot hold", c.Key, c.Comment)
	}
	head := fmt.Sprintf("%-8s= ", c.Key)

	if s, ok := c.Value.(string); ok {
		return encodeString(head, c.Key, s, c.Comment)
	}
	value, err := formatValue(c.Value)
	if err != nil {
		return nil, false, fmt.Errorf("card %s: %w", c.Key, err)
	}
	return []string{withComment(head+value, c.Comment)}, false, nil
}

// withComment appends " / comment" to line and pads or cuts it to 80
// characters.
func withComment(line, comment string) string {
	if comment != "" && len(line)+3 < cardSize {
		line += " / " + comment
	}
	if len(line) > cardSize {
		return line[:cardSize]
	}
	return line + strings.Repeat(" ", cardSize-len(line))
}

// maxStringChars is the number of quoted characters that fit on a card after
// "KEY     = '" (or "CONTINUE  '") and before the closing quote.
const maxStringChars = cardSize - 11 - 1

func encodeString(head, key, s, comment string) ([]string, bool, error) {
	if !printable(s) {
		return nil, false, fmt.Errorf("card %s: value %q contains characters outside printable ASCII, which FITS headers cannot hold", key, s)
	}
	// Trailing spaces are not significant in a FITS string, and a shorter
	// string is padded to 8 characters inside the quotes.
	q := quote(s)
	if len(q) <= maxStringChars {
		if len(q) < 8 {
			q += strings.Repeat(" ", 8-len(q))
		}
		return []string{withComment(head+"'"+q+"'", comment)}, false, nil
	}

	// Long string convention (CONTINUE): every piece but the last ends with
	// '&'. A doubled quote is never split between two cards.
	var pieces []string
	var piece strings.Builder
	for i := 0; i < len(s); i++ {
		token := s[i : i+1]
		if token == "'" {
			token = "''"
		}
		if piece.Len()+len(token) > maxStringChars-1 {
			pieces = append(pieces, piece.String())
			piece.Reset()
		}
		piece.WriteString(token)
		// astropy 5.2.1 ends a CONTINUE piece at a quote followed by a
		// space or '/', so it misreads "it''s a ''quoted'' name": end the
		// piece after such a doubled quote instead.
		if token == "''" && i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '/') {
			pieces = append(pieces, piece.String())
			piece.Reset()
		}
	}
	if piece.Len() > 0 {
		pieces = append(pieces, piece.String())
	}
	// A last piece ending in '&' would read as continued: close the value
	// with an empty piece instead.
	if strings.HasSuffix(pieces[len(pieces)-1], "&") {
		pieces = append(pieces, "")
	}

	lines := make([]string, len(pieces))
	prefix := head
	for i, p := range pieces {
		if i < len(pieces)-1 {
			lines[i] = withComment(prefix+"'"+p+"&'", "")
		} else {
			lines[i] = withComment(prefix+"'"+p+"'", comment)
		}
		prefix = "CONTINUE  "
	}
	return lines, true, nil
}

// encodeCommentary writes a COMMENT, HISTORY, blank-key or HIERARCH card. A
// COMMENT, HISTORY or blank-key text longer than 72 characters goes on
// several cards with the same key.
func encodeCommentary(c Card) ([]string, bool, error) {
	if !isCommentary(c.Key) {
		return nil, false, fmt.Errorf("card %s has no value (nil); only COMMENT, HISTORY, HIERARCH and blank-key cards may have none", c.Key)
	}
	if !printable(c.Comment) {
		return nil, false, fmt.Errorf("card %s: text %q contains characters outside printable ASCII, which FITS headers cannot hold", c.Key, c.Comment)
	}
	const width = cardSize - 8
	if c.Key == "HIERARCH" {
		if len(c.Comment) > width {
			return nil, false, fmt.Errorf("HIERARCH card %q is longer than 72 characters", c.Comment)
		}
		return []string{fmt.Sprintf("%-8s%-72s", c.Key, c.Comment)}, false, nil
	}
	text := c.Comment
	var lines []string
	for {
		n := min(len(text), width)
		lines = append(lines, fmt.Sprintf("%-8s%-72s", c.Key, text[:n]))
		text = text[n:]
		if text == "" {
			return lines, false, nil
		}
	}
}
