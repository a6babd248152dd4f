// Command massmap turns a weak-lensing shear catalogue into convergence
// (mass) maps.
//
//	massmap bin --catalog cat.fits --out shear.fits   binned shear maps
//	massmap ks  --catalog cat.fits --out kappa.fits   Kaiser-Squires maps
//	massmap wiener --catalog cat.fits --out wf.fits   Wiener filter
//
// Without --catalog the commands run on the embedded mock catalogue. Run
// "massmap COMMAND --help" for the flags of each command. The exit code is 0
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

// command is one subcommand of massmap.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"bin", "bin a shear catalogue onto a grid: mean shear, counts, weights, noise", runBin},
	{"ks", "Kaiser-Squires convergence maps (E and B modes), with optional noise maps", runKS},
	{"wiener", "Wiener-filter convergence map (Gaussian prior), with optional posterior samples", runWiener},
	{"sparse", "sparse convergence map (l1 prior on starlet coefficients)", runSparse},
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
		fmt.Fprintf(stdout, "massmap %s\n", skyinv.Version)
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
			fmt.Fprintf(stderr, "massmap %s: %v\nRun 'massmap %s --help' for usage.\n", name, err, name)
			return 2
		default:
			fmt.Fprintf(stderr, "massmap %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "massmap: unknown command %q\n\n", name)
	printUsage(stderr)
	return 2
}

func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("massmap: weak-lensing mass maps from shear catalogues\n\nUsage:\n  massmap COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("  version  print the version\n\n")
	b.WriteString("Run 'massmap COMMAND --help' for the flags of a command. Without --catalog,\n")
	b.WriteString("a command runs on the embedded mock catalogue (four NFW halos, 60,000 galaxies).\n")
	io.WriteString(w, b.String())
}
