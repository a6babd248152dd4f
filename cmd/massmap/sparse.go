package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/quicklook"
	"github.com/skyinv/skyinv/skymap"
	"github.com/skyinv/skyinv/solvers"
)

const sparseSynopsis = `Usage: massmap sparse [--catalog FILE] --out FILE.fits [--png FILE.png] [flags]

Reconstructs the convergence of a shear catalogue with a sparsity prior on its
starlet (isotropic undecimated wavelet) coefficients: an l1 penalty on every
wavelet coefficient, weighted by --k times that coefficient's noise level
(estimated from noise realisations), solved by a primal-dual iteration. The
noise model is the per-pixel variance SHEAR_STD^2 of the binned catalogue, and
pixels without galaxies carry no data. Writes KAPPA_E, NGAL, WEIGHT and
SHEAR_STD. Maps have North up and East to the left.`

func runSparse(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("sparse", sparseSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var out outputFlags
	in.register(fs)
	gf.register(fs)
	out.register(fs)
	k := fs.Float64("k", 3, "threshold of each wavelet coefficient, in units of its noise standard deviation (the finest scale uses k+1)")
	scales := fs.Int("scales", 0, "number of starlet wavelet scales (default 5, fewer on small grids)")
	positive := fs.Bool("positive", false, "constrain the convergence to be non-negative")
	realisations := fs.Int("noise-realisations", 32, "noise maps used to estimate the noise of each coefficient")
	seed := fs.Uint64("seed", 1, "random seed of the noise maps")
	tol := fs.Float64("tol", 1e-3, "stop when the relative change of the map per iteration falls below this")
	maxIter := fs.Int("max-iter", 2000, "iteration cap")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	gr, err := gf.parse(fs)
	if err != nil {
		return err
	}
	switch {
	case !(*k > 0) || math.IsInf(*k, 0):
		return usagef("invalid --k %v: the threshold must be positive", *k)
	case *scales < 0 || *scales > 12:
		return usagef("invalid --scales %d: use 0 for the default, or 1 to 12 (fewer on small grids)", *scales)
	case *realisations < 2:
		return usagef("invalid --noise-realisations %d: at least 2 are needed", *realisations)
	case !(*tol > 0 && *tol < 1):
		return usagef("invalid --tol %v: the relative tolerance must lie between 0 and 1", *tol)
	case *maxIter < 1:
		return usagef("invalid --max-iter %d: it must be at least 1", *maxIter)
	}
	if err := out.check(in.catalog); err != nil {
		return err
	}

	b, err := loadAndBin(in, gr, stderr)
	if err != nil {
		return err
	}
	g, f := b.grid, b.field
	noise := b.noiseVariance()

	t0 := time.Now()
	step := max(1, *maxIter/20)
	problem := solvers.SparseProblem{NX: g.NX, NY: g.NY, NoiseVar: noise, Scales: *scales, K: *k, Positive: *positive, NoiseRealisations: *realisations, Seed: *seed}
	kE, res, err := solvers.Sparse(problem, f.G1, f.G2, solvers.Settings{
		Tol:     *tol,
		MaxIter: *maxIter,
		Progress: func(it int, r float64) {
			if it%step == 0 {
				fmt.Fprintf(stderr, "  iteration %d: relative change %.2g (%s)\n", it, r, since(t0))
			}
		},
	})
	var nc *solvers.NotConvergedError
	if errors.As(err, &nc) {
		return fmt.Errorf("%w; nothing was written", err)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "sparse reconstruction: %d iterations, relative change %.2g; %s\n", res.Iterations, res.Residual, since(t0))

	maps := []skymap.Map{
		{Name: "KAPPA_E", Data: kE, Description: "E-mode convergence, sparse (starlet l1) reconstruction"},
	}
	maps = append(maps, b.dataMaps()...)
	header := provenance("sparse", fs, args, b)
	header = append(header,
		fits.Card{Key: "KSIGMA", Value: *k, Comment: "threshold in noise standard deviations"},
		fits.Card{Key: "POSITIVE", Value: *positive, Comment: "non-negativity constraint"},
		fits.Card{Key: "NITER", Value: res.Iterations, Comment: "iterations"},
		fits.Card{Key: "RESIDUAL", Value: res.Residual, Comment: "final relative change per iteration"},
		fits.Card{Key: "SEED", Value: seedValue(*seed), Comment: "seed of the noise maps"},
	)
	png := quicklook.Options{
		Title:       fmt.Sprintf("KAPPA_E  (sparse, %g sigma)", *k),
		Label:       "convergence κ",
		PixelArcmin: g.PixelArcmin,
		Mask:        f.Mask(),
		East:        "N up, E left",
	}
	if err := writeOutputs(out, g, header, maps, png, 0, stderr); err != nil {
		return err
	}
	logDone(stderr, start)
	return nil
}
