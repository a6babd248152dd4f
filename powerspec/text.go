package powerspec

import (
	"bufio"
	"fmt"
	"io"
)

// WriteText writes the spectrum as a text table: one header line starting
// with '#' that names the columns, then one line per band with ell_min,
// ell_max, ell_mean, C_ell, error and n_modes separated by spaces. Bands
// without modes have NaN in ell_mean, C_ell and error.
func (s Spectrum) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "# ell_min ell_max ell_mean C_ell error n_modes")
	for _, b := range s.Bands {
		fmt.Fprintf(bw, "%.10e %.10e %.10e %.10e %.10e %d\n", b.EllMin, b.EllMax, b.EllMean, b.Cl, b.Err, b.Modes)
	}
	return bw.Flush()
}
