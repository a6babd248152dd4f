// Package fits reads and writes the FITS files of this toolkit: images (sky
// maps, PSFs, galaxy stamps) and binary tables (shear catalogues).
//
// ReadImage and ReadTable load one HDU, selected by index, by EXTNAME or as
// the first of its type; List describes every HDU from the headers alone.
// WriteImages writes float32 or float64 images, and WriteTable writes a
// binary table of numeric columns. Both write through a temporary file that
// is renamed into place.
//
// # Conventions
//
// Image data are []float64 in FITS order: NAXIS1 (x) varies fastest, so
// pixel (x, y) of a 2-D image is Data[y*Axes[0]+x]. Integer pixels and
// table columns are scaled on read (BSCALE/BZERO, TSCALn/TZEROn), and
// values equal to BLANK or TNULLn become NaN (and, in tables, null).
//
// # Errors
//
// Malformed or truncated input is reported as an error, never a panic. Each
// message names the file and, where it applies, the HDU and column, and
// wraps one of ErrNotFITS, ErrTruncated, ErrInvalid, ErrNotFound,
// ErrWrongType or ErrUnsupported for errors.Is. A caller's mistake on write
// (len(Data) disagreeing with Axes, columns of unequal length, an
// unsupported column type) panics with a "fits:" prefix.
//
// # Written files
//
// Headers follow the FITS 4.0 standard, with the mandatory keywords in
// order and values in fixed format. A float64 value is written with the
// shortest decimal that reads back to the same bits, so it may run past
// column 30 in free format. A string longer than one card is split with
// CONTINUE under a LONGSTRN card.
// Keywords longer than 8 characters are rejected: HIERARCH cards are kept
// only as verbatim commentary cards. No CHECKSUM or DATASUM is written. The
// tests check each kind of file written here with fitsverify (0 errors, 0
// warnings) and read it back with astropy, value for value.
//
// # Rationale: no fitsio
//
// This package does not use codeberg.org/astrogo/fitsio. Measured with
// v0.4.0 (fitsverify from Debian 12, astropy 5.2.1): a binary table it wrote
// (columns D, J, E) failed fitsverify with 6 errors and 3 warnings (NAXIS2
// in a primary HDU with NAXIS = 0, TBCOLn cards in a binary table, THEAP
// with PCOUNT = 0, TSCALn = 0, and CFITSIO reading the table's data as a
// third HDU), and
// astropy read every value of it as 0. It writes float header values with 6
// significant digits (%#20G, so CRVAL1 = 150.1161025 becomes 150.116) and
// CONTINUE cards without LONGSTRN (a fitsverify warning). On read it
// accepted a header without END and panicked (makeslice: len out of range)
// on a negative or huge NAXISn. Reading the five columns of the 417,117-row
// COSMOS catalogue with its row-by-row Scan takes about 62 ms
// (BenchmarkReadCOSMOSFitsio, which also checks that both readers agree),
// where ReadTable with Float64 takes about 15 ms (BenchmarkReadCOSMOS); both
// measured on a 2-core Xeon. TestFitsioTableFailsFitsverify keeps the
// fitsverify finding current. A reader
// and writer for the parts of FITS this toolkit needs is small, so this
// package is one.
package fits
