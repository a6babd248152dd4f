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
	"io"
	"os"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

var program = &cli.Program{
	Name:    "massmap",
	Title:   "weak-lensing mass maps from shear catalogues",
	Usage:   "massmap COMMAND [flags]",
	Footer:  "Without --catalog, a command runs on the embedded mock catalogue (four NFW halos, 60,000 galaxies).",
	Version: skyinv.Version,
	Commands: []cli.Command{
		{Name: "bin", Summary: "bin a shear catalogue onto a grid: mean shear, counts, weights, noise", Run: runBin},
		{Name: "ks", Summary: "Kaiser-Squires convergence maps (E and B modes), with optional noise maps", Run: runKS},
		{Name: "wiener", Summary: "Wiener-filter convergence map (Gaussian prior), with optional posterior samples", Run: runWiener},
		{Name: "simulate", Summary: "simulate a convergence map (Gaussian or lognormal) and a mock shear catalogue", Run: runSimulate},
		{Name: "bnull", Summary: "B-mode null test: B-mode statistics of a catalogue against simulations with its mask and noise", Run: runBnull},
		{Name: "powerspec", Summary: "binned power spectrum of a catalogue's Kaiser-Squires maps or of a FITS map", Run: runPowerspec},
		{Name: "sparse", Summary: "sparse convergence map (l1 prior on starlet coefficients)", Run: runSparse},
		{Name: "sample", Summary: "posterior samples, mean, std and quantile maps by annealed Langevin dynamics, with a Gaussian or a learned score prior", Run: runSample},
		{Name: "train-score", Summary: "train a hybrid score prior (Gaussian + U-Net) for posterior sampling", Run: runTrainScore},
		{Name: "deepmass", Summary: "DeepMass posterior-mean map (Wiener filter + U-Net); deepmass train fits a model", Run: runDeepmass,
			Sub: []cli.Command{{Name: "train", Run: runDeepmassTrain}}},
	},
}

// run executes the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return program.Run(args, stdout, stderr)
}

// usageError marks a mistake on the command line (exit code 2).
type usageError = cli.UsageError

func usagef(format string, args ...any) error { return cli.Usagef(format, args...) }
