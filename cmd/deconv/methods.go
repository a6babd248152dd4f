package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/cli"
	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/solvers"
)

const wienerSynopsis = `Usage: deconv wiener --image FILE --psf FILE --out FILE.fits [flags]

Deconvolves the image by the Wiener filter, the posterior mean for a
zero-mean Gaussian signal of flat power S per pixel and white Gaussian noise
of variance sigma^2 per pixel: X = H* Y / (|H|^2 + sigma^2/S) for each
Fourier mode, with H the transform of the PSF normalised to unit sum. The
convolution is periodic (the image wraps around its edges), and the filter
lowers the flux by the factor 1/(1 + sigma^2/S). The result is written to the
primary HDU of --out with the input's WCS and the parameters of the run.`

const tikhonovSynopsis = `Usage: deconv tikhonov --image FILE --psf FILE --out FILE.fits [flags]

Deconvolves the image by Tikhonov regularisation: it minimises
|A x - y|^2 + lambda |x|^2, with A the convolution by the PSF normalised to
unit sum, by conjugate gradients on (A^T A + lambda I) x = A^T y. With
--boundary periodic this is the Wiener filter with lambda = sigma^2/S, and
the flux is lowered by the factor 1/(1 + lambda) as there. The result is
written to the primary HDU of --out with the input's WCS and the parameters
of the run.`

const rlSynopsis = `Usage: deconv rl --image FILE --psf FILE --out FILE.fits [flags]

Deconvolves the image by the Richardson-Lucy iteration
x <- x A^T(y / A x) / A^T 1, with A the convolution by the PSF normalised to
unit sum. Every iteration conserves the flux of the model, sum(A x) = sum(y).
With the default periodic boundary A^T 1 = 1, so the image conserves the
flux too, sum(x) = sum(y); with --boundary zero the pixels near the edges,
which the data constrain only partly, can gain or lose a few per cent.
The method needs non-negative data and a non-negative PSF: an image with
negative pixels (sky-subtracted noise) is rejected with the smallest --offset
that makes it valid. With --offset b the iteration runs on x + b, whose image
is y + b A1, and b is subtracted again, so the result can go down to -b.
RL amplifies noise as it iterates, so --iterations is its regularisation:
stopping at the cap is the normal end. The result is written to the primary
HDU of --out with the input's WCS and the parameters of the run.`

// runResult is the output of one method, for the summary and the header.
type runResult struct {
	method     string // "Wiener", "Tikhonov" or "Richardson-Lucy"
	x          []float64
	model      operators.Operator // A, for the residual
	iterations int                // 0 for a closed form
	converged  bool
	cards      []fits.Card // the method's parameters and results
}

func runWiener(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("wiener", wienerSynopsis, args, stdout, stderr)
	var in inputFlags
	var out outputFlags
	in.register(fs)
	signalVar := fs.Float64("signal-var", 0, "flat signal power S per pixel, in squared image units (default: the mean square of the image less the noise variance)")
	out.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := in.check(fs); err != nil {
		return err
	}
	if setFlags(fs)["signal-var"] && (!(*signalVar > 0) || math.IsInf(*signalVar, 0)) {
		return usagef("invalid --signal-var %v: the signal power must be a positive number", *signalVar)
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
	s, source, err := signalPower(inp, *signalVar, "--signal-var")
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Wiener filter: signal power %.4g per pixel (%s), sigma^2/S = %.4g\n", s, source, inp.noiseVar/s)

	img, psf := inp.img, inp.psf
	x, err := solvers.WienerDeconvolve(nil, img.data, img.nx, img.ny, psf.data, psf.nx, psf.ny, solvers.WienerDeconvPrior{NoiseVar: inp.noiseVar, SignalVar: s})
	if err != nil {
		return fmt.Errorf("image %s: %w", img.where(), err)
	}
	a, err := operators.NewConvolution(img.nx, img.ny, psf.data, psf.nx, psf.ny, operators.Periodic)
	if err != nil {
		return fmt.Errorf("PSF %s: %w", psf.where(), err)
	}
	res := runResult{
		method:    "Wiener",
		x:         x,
		model:     a,
		converged: true,
		cards: []fits.Card{
			{Key: "SIGVAR", Value: s, Comment: "flat signal power S per pixel"},
			{Key: "SIGSRC", Value: source, Comment: "where S comes from"},
			{Key: "BOUNDARY", Value: "periodic", Comment: "convolution at the image edges"},
		},
	}
	return finish("wiener", fs, args, inp, res, out, start, stderr)
}

func runTikhonov(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("tikhonov", tikhonovSynopsis, args, stdout, stderr)
	var in inputFlags
	var out outputFlags
	var it iterationFlags
	in.register(fs)
	lambda := fs.Float64("lambda", 0, "regularisation weight lambda (default: sigma^2/S, with S the mean square of the image less the noise variance sigma^2)")
	it.register(fs, 500, 1e-6, "maximum number of conjugate-gradient iterations", "relative residual |A^T y - (A^T A + lambda I) x| / |A^T y| at which CG stops", "zero")
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
	lambdaSet := setFlags(fs)["lambda"]
	if lambdaSet && (!(*lambda >= 0) || math.IsInf(*lambda, 0)) {
		return usagef("invalid --lambda %v: the regularisation weight must be 0 or a positive number", *lambda)
	}
	if err := out.check(); err != nil {
		return err
	}

	inp, err := loadInputs(in, false, stderr)
	if err != nil {
		return err
	}
	lam, source := *lambda, "given"
	if !lambdaSet {
		if inp.noiseVar == 0 {
			return fmt.Errorf("image %s: the noise variance could not be estimated (the robust estimate is 0), so lambda cannot be set: give --noise-var or --lambda", inp.img.where())
		}
		s, _, err := signalPower(inp, 0, "--lambda")
		if err != nil {
			return err
		}
		lam, source = inp.noiseVar/s, "sigma^2/S, S = mean square - sigma^2"
	}
	fmt.Fprintf(stderr, "Tikhonov: lambda %.4g (%s), %s boundary, at most %d iterations, tolerance %g\n", lam, source, it.boundary, it.iterations, it.tol)

	img, psf := inp.img, inp.psf
	a, err := operators.NewConvolution(img.nx, img.ny, psf.data, psf.nx, psf.ny, boundary)
	if err != nil {
		return fmt.Errorf("PSF %s: %w", psf.where(), err)
	}
	settings := solvers.Settings{Tol: it.tol, MaxIter: it.iterations, Progress: progress(stderr, it.iterations, "relative residual")}
	x, cg, err := solvers.Tikhonov(nil, a, img.data, lam, settings)
	converged, err := acceptIterationCap(err, stderr)
	if err != nil {
		return fmt.Errorf("image %s: %w", img.where(), err)
	}
	res := runResult{
		method:     "Tikhonov",
		x:          x,
		model:      a,
		iterations: cg.Iterations,
		converged:  converged,
		cards: []fits.Card{
			{Key: "LAMBDA", Value: lam, Comment: "Tikhonov regularisation weight"},
			{Key: "LAMSRC", Value: source, Comment: "where lambda comes from"},
			{Key: "BOUNDARY", Value: it.boundary, Comment: "convolution at the image edges"},
			{Key: "MAXITER", Value: it.iterations, Comment: "iteration cap"},
			{Key: "TOL", Value: it.tol, Comment: "CG tolerance on the relative residual"},
			{Key: "CGRESID", Value: cg.Residual, Comment: "final relative CG residual"},
		},
	}
	return finish("tikhonov", fs, args, inp, res, out, start, stderr)
}

func runRL(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("rl", rlSynopsis, args, stdout, stderr)
	var in inputFlags
	var out outputFlags
	var it iterationFlags
	in.register(fs)
	it.register(fs, 10, 1e-4, "number of iterations; more sharpen more and amplify noise more", "relative change |x_k - x_(k-1)| / |x_k| at which the iteration stops before --iterations", "periodic")
	offset := fs.Float64("offset", 0, "offset b added to the object during the iteration, in image units; data with negative pixels need at least about -min(image), and the error message gives the exact value")
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
	if !(*offset >= 0) || math.IsInf(*offset, 0) {
		return usagef("invalid --offset %v: the offset must be 0 or a positive number", *offset)
	}
	if err := out.check(); err != nil {
		return err
	}

	inp, err := loadInputs(in, true, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Richardson-Lucy: offset %g, %s boundary, %d iterations at most, tolerance %g\n", *offset, it.boundary, it.iterations, it.tol)

	img, psf := inp.img, inp.psf
	a, err := operators.NewConvolution(img.nx, img.ny, psf.data, psf.nx, psf.ny, boundary)
	if err != nil {
		return fmt.Errorf("PSF %s: %w", psf.where(), err)
	}
	settings := solvers.Settings{Tol: it.tol, MaxIter: it.iterations, Progress: progress(stderr, it.iterations, "relative change")}
	x, rl, err := solvers.RichardsonLucy(nil, a, img.data, *offset, settings)
	var neg *solvers.NegativeDataError
	if errors.As(err, &neg) {
		return fmt.Errorf("image %s: %d pixels stay negative with --offset %g (image minimum %.4g; with the zero boundary the offset is blurred by the PSF and weaker near the edges): Richardson-Lucy needs non-negative data, so give --offset %s or more", img.where(), neg.Count, *offset, neg.Min, roundUp(neg.MinOffset*1.001))
	}
	converged, err := acceptIterationCap(err, stderr)
	if err != nil {
		return fmt.Errorf("image %s: %w", img.where(), err)
	}
	if rl.ZeroModel > 0 || rl.Clamped > 0 {
		fmt.Fprintf(stderr, "  guards: the model was zero on %d pixel-iterations (ratio set to 0), %d updates below -offset were set to -offset\n", rl.ZeroModel, rl.Clamped)
	}
	res := runResult{
		method:     "Richardson-Lucy",
		x:          x,
		model:      a,
		iterations: rl.Iterations,
		converged:  converged,
		cards: []fits.Card{
			{Key: "OFFSET", Value: *offset, Comment: "offset b added to the object while iterating"},
			{Key: "BOUNDARY", Value: it.boundary, Comment: "convolution at the image edges"},
			{Key: "MAXITER", Value: it.iterations, Comment: "iteration cap"},
			{Key: "TOL", Value: it.tol, Comment: "tolerance on the relative change of x"},
			{Key: "CHANGE", Value: rl.Change, Comment: "relative change of x in the last iteration"},
			{Key: "ZEROMODL", Value: rl.ZeroModel, Comment: "pixel-iterations with a zero model"},
			{Key: "CLAMPED", Value: rl.Clamped, Comment: "updates below -offset set to -offset"},
		},
	}
	return finish("rl", fs, args, inp, res, out, start, stderr)
}

// signalPower returns the flat signal power per pixel: the given value, or
// the mean square of the image less the noise variance.
func signalPower(inp *inputs, given float64, flagName string) (float64, string, error) {
	if given > 0 {
		return given, "given", nil
	}
	ms := 0.0
	for _, v := range inp.img.data {
		ms += v * v
	}
	ms /= float64(len(inp.img.data))
	if !(ms > inp.noiseVar) {
		return 0, "", fmt.Errorf("image %s: its mean square %.4g does not exceed the noise variance %.4g, so the signal power cannot be estimated: give %s", inp.img.where(), ms, inp.noiseVar, flagName)
	}
	return ms - inp.noiseVar, "mean square - noise variance", nil
}

// progress returns a Settings.Progress that reports about every tenth of
// the iteration cap on log.
func progress(log io.Writer, maxIter int, quantity string) func(int, float64) {
	start := time.Now()
	step := max(1, maxIter/10)
	return func(it int, value float64) {
		if it%step == 0 || it == maxIter {
			fmt.Fprintf(log, "  iteration %d/%d: %s %.4g (%s)\n", it, maxIter, quantity, value, since(start))
		}
	}
}

// acceptIterationCap turns reaching the iteration cap into a note on log:
// the last iterate is kept and written. It returns whether the solver
// converged and any other error.
func acceptIterationCap(err error, log io.Writer) (bool, error) {
	var nc *solvers.NotConvergedError
	if errors.As(err, &nc) {
		fmt.Fprintf(log, "  stopped at the iteration cap (%d) before the tolerance %g was reached; the last iterate is written\n", nc.Iterations, nc.Tol)
		return false, nil
	}
	return err == nil, err
}

// roundUp formats v rounded up to three significant digits.
func roundUp(v float64) string {
	if !(v > 0) {
		return "0"
	}
	scale := math.Pow(10, math.Floor(math.Log10(v))-2)
	return fmt.Sprintf("%.3g", math.Ceil(v/scale)*scale)
}

func since(t time.Time) string { return cli.Since(t) }
