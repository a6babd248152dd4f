package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/internal/cli"
	"github.com/skyinv/skyinv/operators"
)

// inputFlags select the image, the PSF and the noise level.
type inputFlags struct {
	image, imageHDU string
	psf, psfHDU     string
	noiseVar        float64
}

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.image, "image", "", "FITS file of the image to deconvolve (required)")
	fs.StringVar(&f.imageHDU, "image-hdu", "", "HDU of the image: a number (0 = primary) or an EXTNAME (default: the first HDU with image data)")
	fs.StringVar(&f.psf, "psf", "", "FITS file of the PSF, centred on its pixel (NAXIS1/2, NAXIS2/2) counted from 0 (required)")
	fs.StringVar(&f.psfHDU, "psf-hdu", "", "HDU of the PSF: a number (0 = primary) or an EXTNAME (default: the first HDU with image data)")
	fs.Float64Var(&f.noiseVar, "noise-var", 0, "noise variance per pixel, in squared image units (default: estimated from the image)")
}

// check validates the input flags. fs records which flags were set.
func (f *inputFlags) check(fs *flag.FlagSet) error {
	switch {
	case f.image == "":
		return usagef("missing --image: name the FITS file to deconvolve")
	case f.psf == "":
		return usagef("missing --psf: name the FITS file of the point-spread function")
	}
	if setFlags(fs)["noise-var"] && (!(f.noiseVar > 0) || math.IsInf(f.noiseVar, 0)) {
		return usagef("invalid --noise-var %v: the noise variance must be a positive number", f.noiseVar)
	}
	return nil
}

// outputFlags name the output files.
type outputFlags struct {
	out, png string
	force    bool
}

func (f *outputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "out", "", "output FITS file (required)")
	fs.StringVar(&f.png, "png", "", "also write a PNG quick look to this file")
	fs.BoolVar(&f.force, "force", false, "overwrite existing output files")
}

// check validates the output flags and fails early when an output exists
// and --force is not set, or when its directory is missing.
func (f *outputFlags) check() error {
	if f.out == "" {
		return usagef("missing --out: name the output FITS file")
	}
	if f.png != "" && filepath.Clean(f.png) == filepath.Clean(f.out) {
		return usagef("--png and --out name the same file %s", f.out)
	}
	for _, p := range []string{f.out, f.png} {
		if p == "" {
			continue
		}
		if err := atomicfile.CheckWritable(p, f.force); err != nil {
			return err
		}
		dir := filepath.Dir(p)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%s: output directory %s does not exist", p, dir)
		}
	}
	return nil
}

// iterationFlags control an iterative method.
type iterationFlags struct {
	iterations int
	tol        float64
	boundary   string
}

func (f *iterationFlags) register(fs *flag.FlagSet, iterations int, tol float64, iterationsHelp, tolHelp, boundary string) {
	fs.IntVar(&f.iterations, "iterations", iterations, iterationsHelp)
	fs.Float64Var(&f.tol, "tol", tol, tolHelp)
	fs.StringVar(&f.boundary, "boundary", boundary, "image edges: zero (zero-padded, linear convolution) or periodic (wrapped around)")
}

// parse validates the flags and returns the boundary.
func (f *iterationFlags) parse() (operators.Boundary, error) {
	if f.iterations < 1 {
		return 0, usagef("invalid --iterations %d: at least 1 iteration is needed", f.iterations)
	}
	if !(f.tol > 0 && f.tol < 1) {
		return 0, usagef("invalid --tol %v: the relative tolerance must lie between 0 and 1", f.tol)
	}
	switch f.boundary {
	case "zero":
		return operators.ZeroPad, nil
	case "periodic":
		return operators.Periodic, nil
	}
	return 0, usagef("invalid --boundary %q: use zero or periodic", f.boundary)
}

// newFlagSet returns the FlagSet of a deconv subcommand (see
// cli.NewFlagSet).
func newFlagSet(name, synopsis string, args []string, stdout, stderr io.Writer) *flag.FlagSet {
	return cli.NewFlagSet("deconv", name, synopsis, args, stdout, stderr)
}

// parseFlags parses args (see cli.ParseFlags).
func parseFlags(fs *flag.FlagSet, args []string) error {
	return cli.ParseFlags(fs, args, "--image FILE")
}

func setFlags(fs *flag.FlagSet) map[string]bool { return cli.SetFlags(fs) }
