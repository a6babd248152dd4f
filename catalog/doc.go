// Package catalog reads weak-lensing shear catalogues: positions (RA, Dec in
// degrees), ellipticities (e1, e2) and optional weights, from a FITS table or
// a text table.
//
// Read checks the catalogue as it reads it. Rows with a null, NaN or Inf in a
// column that is read are dropped and counted by reason (Drops). A catalogue
// that cannot give a map is an error naming the file: a missing column (with
// the flag that names it and the columns that exist), no rows, every row
// dropped, a negative weight, weights that are all zero, or |Dec| > 90. RA
// is returned in [0, 360), so a field that crosses RA = 0 has values near
// both 0 and 360: a caller that bins positions must handle the wrap.
//
// # Formats
//
// A file that starts with "SIMPLE  =" is FITS: the columns come from a
// binary or ASCII table (the first one unless Options.HDU names another),
// with every numeric TFORM, TSCALn/TZEROn and TNULLn. Any other file is a
// text table: fields separated by white space, or by commas when the header
// has one; a header line names the columns; lines starting with '#' are
// comments, and the header may itself be a comment line ("# ra dec e1 e2")
// above the first row. Column names match exactly first, then without
// regard to case.
//
// Sign conventions differ between catalogues and between map orientations,
// so Read does not change e1 or e2 unless Options.FlipE1 or FlipE2 asks it
// to.
package catalog
