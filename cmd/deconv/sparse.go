package main

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/solvers"
)

const sparseSynopsis = `Usage: deconv sparse --image FILE --psf FILE --out FILE.fits [flags]

Deconvolves the image with a sparsity prior: it minimises
|A x - y|^2 / (2 sigma^2) + sum_j,p lambda_jp |(W x)_jp|, with A the
convolution by the PSF normalised to unit sum, W the starlet (isotropic
undecimated wavelet) transform and lambda_jp --k times the noise of each
wavelet coefficient (estimated from noise realisations; the coarse scale is
not penalised), by a primal-dual iteration; --positive adds x >= 0. The
result is written to the primary HDU of --out with the input's WCS and the
parameters of the run.`

func runSparse(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("sparse", sparseSynopsis, args, stdout, stderr)
	var in inputFlags
	var out outputFlags
	var it iterationFlags
	in.register(fs)
	it.register(fs, 500, 1e-4, "iteration cap", "relative change |x_k - x_(k-1)| / |x_k| at which the iteration stops", "zero")
	k := fs.Float64("k", 3, "threshold of each wavelet coefficient, in units of its noise standard deviation (the finest scale uses k+1)")
	scales := fs.Int("scales", 0, "number of starlet wavelet scales (default 5, fewer on small images)")
	positive := fs.Bool("positive", false, "constrain the image to be non-negative")
	seed := fs.Uint64("seed", 1, "random seed of the noise realisations behind the thresholds")
	out.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := in.check(fs); err != nil {
		return err
	}
	boundary, err := it.parse()
	if err != nil {
		return err
	}
	if !(*k > 0) || math.IsInf(*k, 0) {
		return usagef("invalid --k %v: the threshold must be positive", *k)
	}
	if *scales < 0 || *scales > 12 {
		return usagef("invalid --scales %d: use 0 for the default, or 1 to 12 (fewer on small images)", *scales)
	}
	if err := out.check(); err != nil {
		return err
	}

	inp, err := loadInputs(in, false, stderr)
	if err != nil {
		return err
	}
	if inp.noiseVar == 0 {
		return fmt.Errorf("image %s: the noise variance could not be estimated (the robust estimate is 0), so give --noise-var", inp.img.where())
	}
	img, psf := inp.img, inp.psf
	fmt.Fprintf(stderr, "sparse: threshold %g sigma, %s boundary, at most %d iterations, tolerance %g\n", *k, it.boundary, it.iterations, it.tol)
	a, err := operators.NewConvolution(img.nx, img.ny, psf.data, psf.nx, psf.ny, boundary)
	if err != nil {
		return fmt.Errorf("PSF %s: %w", psf.where(), err)
	}
	noise := make([]float64, len(img.data))
	for i := range noise {
		noise[i] = inp.noiseVar
	}
	settings := solvers.Settings{Tol: it.tol, MaxIter: it.iterations, Progress: progress(stderr, it.iterations, "relative change")}
	opt := solvers.SparseOptions{Scales: *scales, K: *k, Positive: *positive, Seed: *seed, Stationary: true}
	x, sr, err := solvers.SparseRecover(a, img.data, noise, opt, settings)
	converged, err := acceptIterationCap(err, stderr)
	if err != nil {
		return fmt.Errorf("image %s: %w", img.where(), err)
	}
	res := runResult{
		method:     "sparse (starlet l1)",
		x:          x,
		model:      a,
		iterations: sr.Iterations,
		converged:  converged,
		cards: []fits.Card{
			{Key: "KSIGMA", Value: *k, Comment: "threshold in noise standard deviations"},
			{Key: "POSITIVE", Value: *positive, Comment: "non-negativity constraint"},
			{Key: "BOUNDARY", Value: it.boundary, Comment: "convolution at the image edges"},
			{Key: "MAXITER", Value: it.iterations, Comment: "iteration cap"},
			{Key: "TOL", Value: it.tol, Comment: "tolerance on the relative change of x"},
			{Key: "CHANGE", Value: sr.Residual, Comment: "relative change of x in the last iteration"},
			{Key: "SEED", Value: int64(min(*seed, math.MaxInt64)), Comment: "seed of the noise realisations"},
		},
	}
	return finish("sparse", fs, args, inp, res, out, start, stderr)
}
