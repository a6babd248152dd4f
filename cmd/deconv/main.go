// Command deconv deconvolves an astronomical image by its point-spread
// function (PSF).
//
//	deconv wiener   --image img.fits --psf psf.fits --out x.fits   Wiener filter
//	deconv tikhonov --image img.fits --psf psf.fits --out x.fits   Tikhonov, by CG
//	deconv rl       --image img.fits --psf psf.fits --out x.fits   Richardson-Lucy
//
// The PSF is normalised to unit sum and centred on its pixel (kx/2, ky/2),
// as in operators.Convolution. The output has the input's shape, in the
// primary HDU, with the input's WCS cards and provenance cards. Run
// "deconv COMMAND --help" for the flags of each command. The exit code is 0
// on success, 1 when the run fails and 2 when the command line is invalid.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/skyinv/skyinv"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand of deconv.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"wiener", "Wiener filter: posterior mean for a flat signal power and white noise (periodic)", runWiener},
	{"tikhonov", "Tikhonov-regularised least squares, solved by conjugate gradients", runTikhonov},
	{"rl", "Richardson-Lucy iteration, flux-conserving, for non-negative data", runRL},
	{"sparse", "sparse recovery: l1 prior on starlet coefficients, optional positivity", runSparse},
}

// usageError marks a mistake on the command line; run returns 2 for it.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run executes the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		printUsage(stdout)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "deconv %s\n", skyinv.Version)
		return 0
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(usageError)):
			fmt.Fprintf(stderr, "deconv %s: %v\nRun 'deconv %s --help' for usage.\n", name, err, name)
			return 2
		case errors.Is(err, errFlagParse):
			return 2 // the flag package has printed the problem and the usage
		default:
			fmt.Fprintf(stderr, "deconv %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "deconv: unknown command %q\n\n", name)
	printUsage(stderr)
	return 2
}

func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("deconv: deconvolve an image by its point-spread function\n\nUsage:\n  deconv COMMAND --image FILE --psf FILE --out FILE.fits [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString("  version   print the version\n\n")
	b.WriteString("Run 'deconv COMMAND --help' for the flags of a command.\n")
	io.WriteString(w, b.String())
}
