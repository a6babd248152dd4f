// Command deconv deconvolves an astronomical image by its point-spread
// function (PSF).
//
//	deconv wiener   --image img.fits --psf psf.fits --out x.fits   Wiener filter
//	deconv tikhonov --image img.fits --psf psf.fits --out x.fits   Tikhonov, by CG
//	deconv rl       --image img.fits --psf psf.fits --out x.fits   Richardson-Lucy
//	deconv sparse   --image img.fits --psf psf.fits --out x.fits   starlet l1
//	deconv sample   --image img.fits --psf psf.fits --out x.fits   posterior samples, learned prior
//	deconv train-score --out prior.skyunet                         train that prior
//
// The PSF is normalised to unit sum and centred on its pixel (kx/2, ky/2),
// as in operators.Convolution. The output has the input's shape, with the
// input's WCS cards and provenance cards: in the primary HDU, and for
// sample in one HDU per summary and a cube of samples. Run
// "deconv COMMAND --help" for the flags of each command. The exit code is 0
// on success, 1 when the run fails and 2 when the command line is invalid.
package main

import (
	"io"
	"os"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

var program = &cli.Program{
	Name:    "deconv",
	Title:   "deconvolve an image by its point-spread function",
	Usage:   "deconv COMMAND --image FILE --psf FILE --out FILE.fits [flags]",
	Version: skyinv.Version,
	Commands: []cli.Command{
		{Name: "wiener", Summary: "Wiener filter: posterior mean for a flat signal power and white noise (periodic)", Run: runWiener},
		{Name: "tikhonov", Summary: "Tikhonov-regularised least squares, solved by conjugate gradients", Run: runTikhonov},
		{Name: "rl", Summary: "Richardson-Lucy iteration, flux-conserving, for non-negative data", Run: runRL},
		{Name: "sparse", Summary: "sparse recovery: l1 prior on starlet coefficients, optional positivity", Run: runSparse},
		{Name: "sample", Summary: "posterior samples, mean, std and quantile images with a learned galaxy prior", Run: runSample},
		{Name: "train-score", Summary: "train an image prior for sample on simulated galaxies", Run: runTrainScore},
	},
}

// run executes the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return program.Run(args, stdout, stderr)
}

// usageError marks a mistake on the command line (exit code 2).
type usageError = cli.UsageError

func usagef(format string, args ...any) error { return cli.Usagef(format, args...) }
