package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/imageprior"
	"github.com/skyinv/skyinv/internal/quantiles"
	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/sampling"
)

const sampleSynopsis = `Usage: deconv sample --image FILE --psf FILE --out FILE.fits [--png FILE.png] [--model default|FILE] [flags]

Draws posterior samples of the deconvolved image by annealed Langevin
dynamics (Song and Ermon, NeurIPS 2019): the score of a learned image prior
plus the score of the Gaussian likelihood of the image, y = h * x + n, with h
the PSF normalised to unit sum and n white noise of the --noise-var (or
estimated) variance, over a geometric ladder of noise levels. The prior is
a U-Net trained by denoising score matching: the model embedded in the
toolkit (--model default), trained on simulated galaxies at 0.03 arcsec per
pixel in the flux units of the HST/ACS F814W AEGIS stamps, or one written by
deconv train-score (--model FILE). The image must have the model's pixel
size. --zero-point converts other flux units to the model's. The image is
padded by half the PSF on each side, so that the convolution is linear, and
up to the multiple of pixels that the network needs. The padding carries no
data.

Writes MEAN, STD and RHAT (the posterior mean, standard deviation and split
R-hat per pixel, over every state of the last level after --burn-in),
an image per --quantiles entry, and SAMPLES (a cube, one plane per sample,
chain by chain), each with the input's WCS and in its units. MEAN and STD
are of the chains' states, which carry the noise of the last level:
--sigma-min adds in quadrature to STD. SAMPLES are the states each chain
keeps, --thin steps apart, denoised by Tweedie's formula, and the quantiles
are theirs. The PNG shows the mean, the standard deviation and two samples.
Chains run together, batched through the network, chain c drawing from the
random stream (--seed, c). R-hat well above 1 (above about 1.1) says the
chains have not mixed; the run prints its summary over the pixels brighter
than 3 noise sigma and warns. At the bright cores of galaxies the chains
often stay where the annealing left them, so STD and the quantiles there
measure the spread between chains rather than the posterior's.`

// reportRHat prints the summary of R-hat over the pixels whose posterior
// mean exceeds 3 noise standard deviations, with a warning when the chains
// have not mixed there.
func reportRHat(w io.Writer, post *posterior, noiseStd float64) {
	bright := make([]bool, len(post.mean))
	for i, v := range post.mean {
		bright[i] = v > 3*noiseStd
	}
	st := sampling.SummariseRHat(post.rhat, bright)
	if st.Pixels == 0 {
		fmt.Fprintln(w, "R-hat: no pixel above 3 noise sigma with a finite value")
		return
	}
	fmt.Fprintf(w, "R-hat over %d pixels above 3 noise sigma: median %.3f, 90th percentile %.3f, max %.3f\n", st.Pixels, st.Median, st.P90, st.Max)
	if st.P90 > 1.1 {
		fmt.Fprintln(w, "warning: R-hat above 1.1 on bright pixels: the chains disagree there, so STD and the quantiles measure the spread between chains; raise --final-steps and --chains, and treat them with care")
	}
}

// burnSteps returns the burn-in of the last level, --burn-in or its default.
func (f sampleFlags) burnSteps() int {
	if f.burnIn == 0 {
		return f.finalSteps / 2
	}
	return f.burnIn
}

// sampleFlags are the settings of the sampler.
type sampleFlags struct {
	model                           string
	pixelArcsec, zeroPoint          float64
	nsamples, chains                int
	levels, steps, finalSteps, thin int
	burnIn                          int
	stepSize, sigmaMax, sigmaMin    float64
	quantiles                       string
	seed                            uint64
}

func (f *sampleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.model, "model", "default", "image prior: default (the embedded model of simulated HST galaxies) or a model file from deconv train-score")
	fs.Float64Var(&f.pixelArcsec, "pixel-arcsec", 0, "pixel size of the image in arcsec (default: from the image's WCS, else the model's)")
	fs.Float64Var(&f.zeroPoint, "zero-point", 0, "AB magnitude of a total flux of one image unit, to convert the image to the model's flux unit (default: the model's)")
	fs.IntVar(&f.nsamples, "nsamples", 16, "number of samples: each chain keeps nsamples/chains states of its last level, --thin steps apart")
	fs.IntVar(&f.chains, "chains", 8, "number of chains run together")
	fs.IntVar(&f.levels, "levels", 20, "number of noise levels")
	fs.IntVar(&f.steps, "steps", 30, "Langevin steps at each level but the last")
	fs.IntVar(&f.finalSteps, "final-steps", 100, "Langevin steps at the last level")
	fs.IntVar(&f.thin, "thin", 20, "steps between the states a chain keeps")
	fs.IntVar(&f.burnIn, "burn-in", 0, "steps of the last level before MEAN, STD and RHAT average every state (default: half of --final-steps)")
	fs.Float64Var(&f.stepSize, "step-size", 1, "step size epsilon: a step moves by epsilon sigma^2 / 2 times the score, plus noise of variance epsilon sigma^2")
	fs.Float64Var(&f.sigmaMax, "sigma-max", 0, "first noise level, in image units (default: 40 times the image's noise standard deviation, at most the model's largest)")
	fs.Float64Var(&f.sigmaMin, "sigma-min", 0, "last noise level, in image units (default: a third of the image's noise standard deviation, at least the model's smallest)")
	fs.StringVar(&f.quantiles, "quantiles", "0.16,0.84", "comma-separated quantiles to write as images (empty for none)")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed: chain c draws from the stream (seed, c)")
}

// check validates the sampler's flags and returns the quantiles and the
// number of states each chain keeps.
func (f *sampleFlags) check(set map[string]bool) ([]float64, int, error) {
	qs, err := quantiles.Parse(f.quantiles)
	if err != nil {
		return nil, 0, usageError{Err: fmt.Errorf("invalid --quantiles: %w", err)}
	}
	switch {
	case f.chains < 1:
		return nil, 0, usagef("invalid --chains %d: at least 1 chain is needed", f.chains)
	case f.nsamples < 1:
		return nil, 0, usagef("invalid --nsamples %d: at least 1 sample is needed", f.nsamples)
	case f.levels < 1 || f.steps < 1 || f.finalSteps < 1 || f.thin < 1:
		return nil, 0, usagef("--levels, --steps, --final-steps and --thin must be at least 1")
	case !(f.stepSize > 0) || math.IsInf(f.stepSize, 0):
		return nil, 0, usagef("invalid --step-size %v: it must be positive", f.stepSize)
	case !(f.sigmaMax >= 0) || !(f.sigmaMin >= 0) || math.IsInf(f.sigmaMax, 0):
		return nil, 0, usagef("invalid --sigma-max %v or --sigma-min %v: give positive noise levels in image units, or 0 for the defaults", f.sigmaMax, f.sigmaMin)
	case set["pixel-arcsec"] && (!(f.pixelArcsec > 0) || math.IsInf(f.pixelArcsec, 0)):
		return nil, 0, usagef("invalid --pixel-arcsec %v: the pixel size must be positive", f.pixelArcsec)
	case set["zero-point"] && (math.IsNaN(f.zeroPoint) || math.IsInf(f.zeroPoint, 0) || f.zeroPoint == 0):
		return nil, 0, usagef("invalid --zero-point %v: give the AB magnitude of one image unit, such as 25.94", f.zeroPoint)
	}
	if f.burnIn < 0 || f.burnIn >= f.finalSteps {
		return nil, 0, usagef("invalid --burn-in %d: it must leave some of the %d steps of --final-steps", f.burnIn, f.finalSteps)
	}
	keep := (f.nsamples + f.chains - 1) / f.chains
	if (keep-1)*f.thin >= f.finalSteps {
		return nil, 0, usagef("%d states per chain, %d steps apart, do not fit in --final-steps %d: raise --final-steps or --chains, or lower --thin", keep, f.thin, f.finalSteps)
	}
	return qs, keep, nil
}

func runSample(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("sample", sampleSynopsis, args, stdout, stderr)
	var in inputFlags
	var out outputFlags
	var sf sampleFlags
	in.register(fs)
	sf.register(fs)
	out.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := in.check(fs); err != nil {
		return err
	}
	qs, keep, err := sf.check(setFlags(fs))
	if err != nil {
		return err
	}
	if err := out.check(); err != nil {
		return err
	}

	// The model, the image, the PSF and the noise.
	model, modelName, err := loadImagePrior(sf.model)
	if err != nil {
		return err
	}
	inp, err := loadInputs(in, false, stderr)
	if err != nil {
		return err
	}
	img := inp.img
	if inp.noiseVar == 0 {
		return fmt.Errorf("image %s: the noise variance could not be estimated (the robust estimate is 0), so give --noise-var", img.where())
	}
	units, err := checkModelFits(model, modelName, img, sf, setFlags(fs), stderr)
	if err != nil {
		return err
	}

	// The grid, the likelihood and the prior, in the model's flux units.
	grid := newPaddedGrid(img.nx, img.ny, inp.psf.nx, inp.psf.ny, model.Net.Multiple())
	fmt.Fprintf(stderr, "grid: %d x %d pixels, the image at (%d, %d) with %d to %d pixels of padding\n", grid.nx, grid.ny, grid.x0, grid.y0, min(grid.x0, grid.y0), max(grid.nx-img.nx-grid.x0, grid.ny-img.ny-grid.y0))
	data, noise := grid.likelihoodData(img.data, inp.noiseVar, units.factor)
	psf := inp.psf
	newOp := func() (operators.Operator, error) {
		return operators.NewConvolution(grid.nx, grid.ny, psf.data, psf.nx, psf.ny, operators.Periodic)
	}
	like, err := sampling.NewLikelihood(newOp, data, noise, 0)
	if err != nil {
		return fmt.Errorf("image %s: %w", img.where(), err)
	}
	prior, err := model.Prior(grid.nx, grid.ny)
	if err != nil {
		return fmt.Errorf("%s: %w", modelName, err)
	}

	// The run.
	sMax, sMin, err := noiseLevels(sf, math.Sqrt(inp.noiseVar), model, units.factor, stderr)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if total := keep * sf.chains; total != sf.nsamples {
		fmt.Fprintf(stderr, "note: --nsamples %d rounded up to %d, a whole number of states per chain (%d chains x %d)\n", sf.nsamples, total, sf.chains, keep)
	}
	fmt.Fprintf(stderr, "sampling: %d chains, %d levels from sigma %.3g to %.3g (image units), %d steps per level and %d at the last, step size %g, %d states per chain\n",
		sf.chains, sf.levels, sMax/units.factor, sMin/units.factor, sf.steps, sf.finalSteps, sf.stepSize, keep)

	// The steps are Song and Ermon's, with no Power: a step moves x by
	// ε σ²/2 times the score. A learned prior can be as stiff as 1/σ² in
	// every pixel, and a larger preconditioner made that diverge. Modes
	// that the PSF attenuates by |H| then relax in about 2/(ε |H|²)
	// steps, counted over the levels where the data dominate them.
	res, err := sampling.Sample(prior, like, sampling.Config{
		NX: grid.nx, NY: grid.ny, Chains: sf.chains,
		SigmaMax: sMax, SigmaMin: sMin, Levels: sf.levels,
		Steps: sf.steps, FinalSteps: sf.finalSteps, StepSize: sf.stepSize,
		Keep: keep, Thin: sf.thin, BurnIn: sf.burnIn, Denoise: true, Seed: sf.seed,
		Progress: func(p sampling.Progress) {
			fmt.Fprintf(stderr, "  level %d/%d: sigma %.3g, normalised residual %.3f (%s)\n", p.Level, p.Levels, p.Sigma/units.factor, p.Residual, since(t0))
		},
	})
	if err != nil {
		return fmt.Errorf("image %s: %w", img.where(), err)
	}
	total := sf.chains * keep
	fmt.Fprintf(stderr, "sampling: %d samples in %s, %.3g s per sample\n", total, since(t0), time.Since(t0).Seconds()/float64(total))

	// The outputs, cropped to the image and in its units.
	post := grid.crop(res, 1/units.factor)
	reportRHat(stderr, post, math.Sqrt(inp.noiseVar))
	cards := sampleCards(sf, modelName, units, grid, total, sMax/units.factor, sMin/units.factor, res)
	method := runResult{method: "posterior sampling (annealed Langevin, learned prior)", cards: cards}
	header := append(provenance("sample", fs, args, inp, method), history("sample", fs, args)...)
	if err := writeSampleOutputs(out, post, qs, header, inp, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "done in %s\n", since(start))
	return nil
}

// noiseLevels returns the first and last noise levels of the ladder in the
// model's flux units: the flags' values, or by default 40 times the noise
// standard deviation and a third of it, kept within the model's training
// range. noiseStd and the flags are in image units, and factor converts
// them.
func noiseLevels(sf sampleFlags, noiseStd float64, model *imageprior.Model, factor float64, log io.Writer) (sMax, sMin float64, err error) {
	sMax, sMin = sf.sigmaMax*factor, sf.sigmaMin*factor
	if sMax == 0 {
		sMax = min(40*noiseStd*factor, model.Info.SigmaMax)
	}
	if sMin == 0 {
		sMin = max(noiseStd*factor/3, model.Info.SigmaMin)
	}
	if !(sMin <= sMax) {
		return 0, 0, usagef("the noise levels run from --sigma-max %g down to --sigma-min %g: the first must not be below the last", sMax/factor, sMin/factor)
	}
	if sMin < model.Info.SigmaMin || sMax > model.Info.SigmaMax {
		fmt.Fprintf(log, "note: the noise levels %.3g to %.3g reach outside the model's training range %.3g to %.3g (image units), where its score is extrapolated\n",
			sMax/factor, sMin/factor, model.Info.SigmaMax/factor, model.Info.SigmaMin/factor)
	}
	return sMax, sMin, nil
}

// sampleCards returns the header cards of a sampling run: the model, the
// units, the grid and the sampler's settings and result. sigmaMax and
// sigmaMin are in image units.
func sampleCards(sf sampleFlags, modelName string, units fluxUnits, grid paddedGrid, total int, sigmaMax, sigmaMin float64, res *sampling.Result) []fits.Card {
	last := res.Levels[len(res.Levels)-1]
	return []fits.Card{
		{Key: "MODEL", Value: modelName, Comment: "image prior"},
		{Key: "PIXSCALE", Value: units.pixelArcsec, Comment: "[arcsec] pixel size, " + units.pixelSource},
		{Key: "ZEROPT", Value: units.zeroPoint, Comment: "AB magnitude of one image unit, " + units.zeroSource},
		{Key: "FLUXFAC", Value: units.factor, Comment: "factor from image to model flux units"},
		{Key: "GRIDNX", Value: grid.nx, Comment: "[pixel] width of the sampled grid"},
		{Key: "GRIDNY", Value: grid.ny, Comment: "[pixel] height of the sampled grid"},
		{Key: "GRIDX0", Value: grid.x0, Comment: "[pixel] column of the image's pixel 0 on it"},
		{Key: "GRIDY0", Value: grid.y0, Comment: "[pixel] row of the image's pixel 0 on it"},
		{Key: "BOUNDARY", Value: "padded", Comment: "linear convolution: padding without data"},
		{Key: "NCHAINS", Value: sf.chains, Comment: "chains"},
		{Key: "NSAMPLES", Value: total, Comment: "samples (chains x states kept per chain)"},
		{Key: "NLEVELS", Value: sf.levels, Comment: "noise levels"},
		{Key: "NSTEPS", Value: sf.steps, Comment: "steps per level but the last"},
		{Key: "FINSTEPS", Value: sf.finalSteps, Comment: "steps at the last level"},
		{Key: "THIN", Value: sf.thin, Comment: "steps between kept states"},
		{Key: "BURNIN", Value: sf.burnSteps(), Comment: "last-level steps before the averages"},
		{Key: "NSTATES", Value: res.States, Comment: "states per chain in mean, std and R-hat"},
		{Key: "SIGMAMAX", Value: sigmaMax, Comment: "first noise level, image units"},
		{Key: "SIGMAMIN", Value: sigmaMin, Comment: "last noise level, image units"},
		{Key: "STEPSIZE", Value: sf.stepSize, Comment: "step size epsilon"},
		{Key: "RESIDUAL", Value: last.Residual, Comment: "rms normalised data residual at the last level"},
		{Key: "SEED", Value: int64(min(sf.seed, math.MaxInt64)), Comment: "random seed"},
	}
}
