package fits

import (
	"errors"
	"fmt"
)

// Errors that the functions of this package wrap, for callers that test with
// errors.Is. The message around each one names the file, the HDU and the
// detail.
var (
	// ErrNotFITS: the file does not start with a FITS primary header.
	ErrNotFITS = errors.New("not a FITS file")

	// ErrTruncated: the file ends inside a header or inside the data that
	// a header announces.
	ErrTruncated = errors.New("truncated FITS file")

	// ErrInvalid: a header breaks the FITS standard in a way that makes
	// the data unreadable (a mandatory keyword missing or of the wrong type,
	// column formats that disagree with the row length).
	ErrInvalid = errors.New("invalid FITS header")

	// ErrNotFound: the requested HDU or table column does not exist.
	ErrNotFound = errors.New("not found")

	// ErrWrongType: the HDU exists but is not of the requested type (an
	// image where a table was requested, or the reverse).
	ErrWrongType = errors.New("wrong HDU type")

	// ErrUnsupported: the file is valid FITS but uses a feature that this
	// package does not read, such as a vector column or a compressed image.
	ErrUnsupported = errors.New("unsupported")
)

// kindError is an error whose message is written in full by its creator and
// which unwraps to one of the sentinel errors above.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &kindError{msg: fmt.Sprintf(format, args...), kind: kind}
}
