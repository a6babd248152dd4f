package main

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"math"
	"strings"
	"time"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/internal/quantiles"
	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/quicklook"
	"github.com/skyinv/skyinv/sampling"
	"github.com/skyinv/skyinv/scoreprior"
	"github.com/skyinv/skyinv/skymap"
)

const sampleSynopsis = `Usage: massmap sample [--catalog FILE] --out FILE.fits [--png FILE.png] [--model default|gaussian|FILE] [flags]

Draws posterior samples of the convergence kappa_E by annealed Langevin
dynamics (Remy et al. 2023, A&A 672, A51): the score of the prior plus the
score of the Gaussian likelihood of the binned shear, whose noise variance per
pixel is SHEAR_STD^2 (no data where a pixel has no galaxies), over a geometric
ladder of noise levels. The prior is the Gaussian prior of a power spectrum
(--model gaussian, the default, with --ps or the theory flags), or a hybrid
score model: the one embedded in the toolkit, trained for COSMOS-like maps of
0.29-arcmin pixels (--model default; the README gives its calibration on a
simulated field), or one written by massmap train-score (--model FILE). Chains run
together, batched through the network, each seeded from --seed. The steps are
preconditioned by the posterior covariance of a map covered by data of the
typical pixel's noise (--precondition data), so that states of one chain
decorrelate in a few times 2/step-size steps. Larger steps mix faster but
bias KAPPA_STD upwards.

Writes SAMPLES (a cube, one plane per sample), KAPPA_MEAN, KAPPA_STD, a map
per --quantiles entry, RHAT, NGAL, WEIGHT and SHEAR_STD; the PNG shows the
mean, the standard deviation and two samples. Each chain keeps
nsamples/chains states of its last level, --thin steps apart (by default
spread over the steps after --burn-in). KAPPA_MEAN, KAPPA_STD and RHAT are
computed from every state of every chain after --burn-in, not only from the
kept samples. A state of the last level sigma is a posterior sample plus
white noise of variance sigma^2: KAPPA_MEAN averages the states' Tweedie
estimates and KAPPA_STD removes sigma^2 from their variance. Each kept
sample is carried from sigma to sigma/100 by --finish-steps reverse-diffusion
steps, then denoised by Tweedie's formula; the quantiles come from these
samples. KAPPA_STD is the marginal posterior standard deviation of each
pixel (unlike the KAPPA_STD of massmap ks, the spread of rotated-noise
maps). RHAT is the split R-hat over
those states: near 1 (below about 1.1) when the chains have mixed; the run
prints its median and warns above 1.1. To bring it down, raise
--final-steps. With a score model the defaults are 16 chains and a last
level of 60 steps (20 of burn-in) at a tenth of the shear noise: the learned
score is not reliable over long runs at small noise levels, so the chains
are many and short, and RHAT, over 40 correlated states per chain, is then
only a rough guide. Every galaxy must fall inside the grid.`

func runSample(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("sample", sampleSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var out outputFlags
	var pf priorFlags
	in.register(fs)
	gf.register(fs)
	out.register(fs)
	pf.register(fs)
	pf.registerWindow(fs)
	pw := fs.Lookup("pixel-window")
	pw.Usage += ". For --model gaussian only: a score model carries the setting it was trained with"
	modelName := fs.String("model", "gaussian", "prior: gaussian (the spectrum of --ps or the theory flags), default (the embedded COSMOS score model), or a score model file from massmap train-score")
	nsamples := fs.Int("nsamples", 32, "number of samples: each chain keeps nsamples/chains states of its last level, --thin steps apart")
	chains := fs.Int("chains", 8, "number of chains run together (16 with a score model unless given)")
	levels := fs.Int("levels", 10, "number of noise levels")
	steps := fs.Int("steps", 30, "Langevin steps at each level but the last")
	finalSteps := fs.Int("final-steps", 1000, "Langevin steps at the last level (60 with a score model unless given: over hundreds of steps there, chains with a learned score diverge)")
	finish := fs.Int("finish-steps", 20, "reverse-diffusion steps that carry each kept sample from the last level to a hundredth of it (0: keep the last level's states, denoised)")
	thin := fs.Int("thin", 0, "steps between the states a chain keeps (default: spread over the steps after --burn-in)")
	burnIn := fs.Int("burn-in", 0, "steps of the last level before the mean, std and R-hat average every state (default: half of --final-steps, or a third with a score model)")
	stepSize := fs.Float64("step-size", 0.1, "step size epsilon of the preconditioned dynamics; larger steps mix faster but inflate KAPPA_STD (on the mock catalogue: +1% at 0.1, +4% at 0.3, +15% at 1)")
	precondition := fs.String("precondition", "data", "preconditioner: data (the prior and the data's typical noise) or prior (the prior's covariance alone, which needs steps about 10 times smaller)")
	sigmaMax := fs.Float64("sigma-max", 0, "first noise level in convergence units (default: the model's largest, or 10 times the prior's pixel std)")
	sigmaMin := fs.Float64("sigma-min", 0, "last noise level (default: for a score model, a tenth of the typical pixel's shear noise std or the model's smallest level if larger; for the Gaussian prior, 1e-3 times the prior's pixel std)")
	quantileList := fs.String("quantiles", "0.16,0.84", "comma-separated quantiles to write as maps (empty for none)")
	seed := fs.Uint64("seed", 1, "random seed: chain c draws from the stream (seed, c)")
	px := fs.Lookup("pixel-arcmin")
	px.Usage = "pixel size in arcmin (default: the score model's, which it must match; 1 with --model gaussian)"
	px.DefValue = "0"
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *modelName != "gaussian" {
		// A learned score: more chains and a short last level.
		explicit := setFlags(fs)
		if !explicit["chains"] {
			*chains = 16
		}
		if !explicit["final-steps"] {
			*finalSteps = 60
		}
		if !explicit["burn-in"] {
			*burnIn = max(1, *finalSteps/3)
		}
		if explicit["pixel-window"] {
			return usagef("--pixel-window applies to --model gaussian: a score model carries the setting it was trained with")
		}
	}
	qs, err := quantiles.Parse(*quantileList)
	if err != nil {
		return usagef("invalid --quantiles: %v", err)
	}
	switch {
	case *chains < 1:
		return usagef("invalid --chains %d: at least 1 chain is needed", *chains)
	case *nsamples < 1:
		return usagef("invalid --nsamples %d: at least 1 sample is needed", *nsamples)
	case *levels < 1 || *steps < 1 || *finalSteps < 1 || *thin < 0 || *finish < 0:
		return usagef("--levels, --steps and --final-steps must be at least 1, and --thin and --finish-steps not negative")
	case *burnIn < 0 || *burnIn >= *finalSteps:
		return usagef("invalid --burn-in %d: it must leave some of the %d steps of --final-steps", *burnIn, *finalSteps)
	case *precondition != "data" && *precondition != "prior":
		return usagef("invalid --precondition %q: use data or prior", *precondition)
	case !(*stepSize > 0) || math.IsInf(*stepSize, 0):
		return usagef("invalid --step-size %v: it must be positive", *stepSize)
	case *sigmaMax < 0 || *sigmaMin < 0:
		return usagef("--sigma-max and --sigma-min must not be negative")
	}
	keep := (*nsamples + *chains - 1) / *chains
	burn := *burnIn
	if burn == 0 {
		burn = *finalSteps / 2
	}
	if *thin == 0 {
		*thin = max(1, (*finalSteps-burn)/keep)
	}
	if (keep-1)**thin >= *finalSteps-burn {
		return usagef("%d states per chain, %d steps apart, do not fit in the %d steps after the burn-in (--final-steps %d, --burn-in %d): raise --final-steps or --chains, or lower --nsamples or --thin", keep, *thin, *finalSteps-burn, *finalSteps, burn)
	}
	if *finalSteps-burn < 4 {
		fmt.Fprintf(stderr, "note: %d steps after the burn-in: RHAT needs at least 4 and will be NaN\n", *finalSteps-burn)
	}
	modelFile := *modelName
	if modelFile == "default" || modelFile == "gaussian" {
		modelFile = ""
	}
	if err := out.check(in.catalog, modelFile); err != nil {
		return err
	}

	// The prior's model first: it sets the pixel size.
	var model *scoreprior.Model
	if *modelName != "gaussian" {
		name := *modelName
		if name == "default" {
			model, err = scoreprior.Default()
			name = scoreprior.DefaultName
		} else {
			model, err = scoreprior.Load(name)
		}
		if err != nil {
			return err
		}
		if !setFlags(fs)["pixel-arcmin"] {
			gf.pixelArcmin = model.Info.PixelArcmin
		}
		// The model's own window setting, for the header and its HISTORY.
		pf.window = model.Info.PixelWindow
		window := "without"
		if pf.window {
			window = "with"
		}
		fmt.Fprintf(stderr, "model: %s (U-Net depth %d, %d base channels; %g-arcmin pixels, trained %s the pixel window)\n", name, model.Net.Config().Depth, model.Net.Config().BaseChannels, model.Info.PixelArcmin, window)
	}
	gr, err := gf.parse(fs)
	if err != nil {
		return err
	}
	if model != nil {
		if math.Abs(gr.pixelArcmin/model.Info.PixelArcmin-1) > 1e-3 {
			return fmt.Errorf("the map would have %g-arcmin pixels but the score model was trained on %g-arcmin pixels: bin the catalogue with --pixel-arcmin %g (the default) or train a model for this pixel size", gr.pixelArcmin, model.Info.PixelArcmin, model.Info.PixelArcmin)
		}
	}
	b, err := loadAndBin(in, gr, stderr)
	if err != nil {
		return err
	}
	g, f := b.grid, b.field
	if err := checkSampleData(b); err != nil {
		return err
	}

	// Prior and likelihood.
	var prior sampling.Prior
	var power []float64
	if model != nil {
		p, err := model.Prior(g.NX, g.NY, g.PixelArcmin, 0)
		if err != nil {
			return err
		}
		prior, power = p, p.Power()
	} else {
		table, desc, err := pf.spectrum(g)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "prior: Gaussian, %s\n", desc)
		power = pf.power(table, g)
		if prior, err = sampling.NewGaussianPrior(power, g.NX, g.NY, 0); err != nil {
			return err
		}
	}
	n := g.Len()
	data, noise := make([]float64, 2*n), make([]float64, 2*n)
	nv := b.noiseVariance()
	copy(data, f.G1)
	copy(data[n:], f.G2)
	copy(noise, nv)
	copy(noise[n:], nv)
	for i, v := range noise {
		if math.IsInf(v, 1) {
			data[i] = 0
		}
	}
	newOp := func() (operators.Operator, error) {
		return operators.NewShear(g.NX, g.NY, operators.ShearOptions{EOnly: true})
	}
	like, err := sampling.NewLikelihood(newOp, data, noise, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", b.cat.Path, err)
	}

	// The data's preconditioner: the typical pixel's noise on every mode
	// but the mean, which the shear does not constrain.
	var dataPower []float64
	if *precondition == "data" {
		dataPower = like.ShearDataPower()
	}

	// The noise ladder.
	var pvar float64
	for _, p := range power {
		pvar += p
	}
	priorStd := math.Sqrt(pvar) / float64(n)
	sMax, sMin := *sigmaMax, *sigmaMin
	if sMax == 0 {
		sMax = 10 * priorStd
		if model != nil {
			sMax = model.Info.SigmaMax
		}
	}
	if sMin == 0 {
		sMin = 1e-3 * priorStd
		if model != nil {
			sMin = model.LastLevel(like.TypicalNoiseVar())
		}
	}
	if !(sMin <= sMax) {
		return usagef("the noise levels run from --sigma-max %g down to --sigma-min %g: the first must not be below the last", sMax, sMin)
	}

	t0 := time.Now()
	if total := keep * *chains; total != *nsamples {
		fmt.Fprintf(stderr, "note: --nsamples %d rounded up to %d, a whole number of states per chain (%d chains x %d)\n", *nsamples, total, *chains, keep)
	}
	fmt.Fprintf(stderr, "sampling: %d chains, %d levels from sigma %.3g to %.3g, %d steps per level and %d at the last (burn-in %d), step size %g, %s per chain, %s apart\n",
		*chains, *levels, sMax, sMin, *steps, *finalSteps, burn, *stepSize, plural(keep, "state"), plural(*thin, "step"))
	timed := &timedPrior{Prior: prior}
	res, err := sampling.Sample(timed, like, sampling.Config{
		NX: g.NX, NY: g.NY, Chains: *chains,
		SigmaMax: sMax, SigmaMin: sMin, Levels: *levels,
		Steps: *steps, FinalSteps: *finalSteps, StepSize: *stepSize, Power: power,
		DataPower: dataPower, BurnIn: burn,
		Keep: keep, Thin: *thin, Finish: *finish, Denoise: true, Seed: *seed,
		Progress: func(p sampling.Progress) {
			fmt.Fprintf(stderr, "  level %d/%d: sigma %.3g, normalised residual %.3f (%s)\n", p.Level, p.Levels, p.Sigma, p.Residual, since(t0))
		},
	})
	if err != nil {
		return err
	}
	total := *chains * keep
	elapsed := time.Since(t0)
	fmt.Fprintf(stderr, "sampling: %d samples in %s, %.3g s per sample; the prior's score took %.1f s (%.0f%%)\n",
		total, since(t0), elapsed.Seconds()/float64(total), timed.spent.Seconds(), 100*timed.spent.Seconds()/elapsed.Seconds())
	reportRHat(stderr, sampling.SummariseRHat(res.RHat, f.Mask()), "pixels with galaxies", model != nil)

	// Outputs.
	cube := make([]float64, 0, total*n)
	for _, chain := range res.Samples {
		for _, s := range chain {
			cube = append(cube, s...)
		}
	}
	maps := []skymap.Map{
		{Name: "KAPPA_MEAN", Data: res.Mean, Description: fmt.Sprintf("posterior mean of kappa_E over %d states of %d chains", res.States, *chains)},
		{Name: "KAPPA_STD", Data: res.Std, Description: fmt.Sprintf("posterior standard deviation of kappa_E over %d states of %d chains", res.States, *chains)},
	}
	var all [][]float64
	for _, chain := range res.Samples {
		all = append(all, chain...)
	}
	for _, q := range qs {
		maps = append(maps, skymap.Map{Name: quantiles.Name("KAPPA_", q), Data: quantiles.Map(all, q), Description: fmt.Sprintf("posterior quantile %g of kappa_E", q)})
	}
	maps = append(maps,
		skymap.Map{Name: "RHAT", Data: res.RHat, Description: fmt.Sprintf("split R-hat per pixel over %d states of each chain", res.States)},
		skymap.Map{Name: "SAMPLES", Data: cube, Planes: total, Axis3: "SAMPLE", Description: "posterior samples of kappa_E, chain by chain"},
	)
	maps = append(maps, b.dataMaps()...)
	last := res.Levels[len(res.Levels)-1]
	// The HISTORY cards record the settings used, defaults resolved.
	*burnIn, *sigmaMax, *sigmaMin = burn, sMax, sMin
	header := provenance("sample", fs, args, b)
	if model == nil {
		header = append(header, pf.cards()...)
	} else {
		header = append(header, pf.windowCards("score model trained with the square-pixel window")...)
	}
	header = append(header,
		fits.Card{Key: "MODEL", Value: *modelName, Comment: "prior: gaussian or a score model file"},
		fits.Card{Key: "NCHAINS", Value: *chains, Comment: "chains"},
		fits.Card{Key: "NSAMPLES", Value: total, Comment: "samples (chains x states kept per chain)"},
		fits.Card{Key: "NLEVELS", Value: *levels, Comment: "noise levels"},
		fits.Card{Key: "SIGMAMAX", Value: sMax, Comment: "first noise level"},
		fits.Card{Key: "SIGMAMIN", Value: sMin, Comment: "last noise level"},
		fits.Card{Key: "STEPSIZE", Value: *stepSize, Comment: "step size of the preconditioned dynamics"},
		fits.Card{Key: "PRECOND", Value: *precondition, Comment: "preconditioner: data or prior"},
		fits.Card{Key: "BURNIN", Value: burn, Comment: "last-level steps before the averages"},
		fits.Card{Key: "NSTATES", Value: res.States, Comment: "states per chain in mean, std and R-hat"},
		fits.Card{Key: "FINISH", Value: *finish, Comment: "reverse-diffusion steps of each sample"},
		fits.Card{Key: "RESIDUAL", Value: last.Residual, Comment: "rms normalised data residual at the last level"},
		fits.Card{Key: "SEED", Value: seedValue(*seed), Comment: "random seed"},
	)
	var pngBytes []byte
	if out.png != "" {
		if pngBytes, err = samplePanel(g, f.Mask(), res); err != nil {
			return fmt.Errorf("%s: cannot render the panel: %w", out.png, err)
		}
	}
	if err := skymap.WriteFITS(out.out, out.force, g, header, maps...); err != nil {
		return err
	}
	names := make([]string, len(maps))
	for i, m := range maps {
		names[i] = m.Name
	}
	fmt.Fprintf(stderr, "wrote %s (%s)\n", out.out, strings.Join(names, ", "))
	if out.png != "" {
		if err := atomicfile.Write(out.png, out.force, func(w io.Writer) error { _, err := w.Write(pngBytes); return err }); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s (KAPPA_MEAN, KAPPA_STD, two samples)\n", out.png)
	}
	logDone(stderr, start)
	return nil
}

// reportRHat prints the summary of R-hat over some pixels, with a warning
// when the chains have not mixed.
func reportRHat(w io.Writer, st sampling.RHatStats, where string, learned bool) {
	if st.Pixels == 0 {
		fmt.Fprintln(w, "R-hat: not available (fewer than 4 states per chain after the burn-in)")
		return
	}
	fmt.Fprintf(w, "R-hat over %d %s: median %.3f, 90th percentile %.3f, max %.3f\n", st.Pixels, where, st.Median, st.P90, st.Max)
	switch {
	case st.Median > 1.1 && learned:
		fmt.Fprintln(w, "note: median R-hat above 1.1: with a score model the last level is short, so the states of one chain are correlated and R-hat is only a rough guide; raise --chains for a less noisy mean and std (long last levels make a learned score diverge)")
	case st.Median > 1.1:
		fmt.Fprintln(w, "warning: median R-hat above 1.1: the chains disagree, so KAPPA_STD and the quantiles are uncertain; raise --final-steps (and --burn-in) to average more states")
	}
}

// plural returns n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// timedPrior measures the time spent in a prior's score.
type timedPrior struct {
	sampling.Prior
	spent time.Duration
}

func (p *timedPrior) Score(dst, x [][]float64, sigma float64) error {
	t := time.Now()
	err := p.Prior.Score(dst, x, sigma)
	p.spent += time.Since(t)
	return err
}

// samplePanel draws the mean, the standard deviation and the first two
// samples as a 2 × 2 PNG.
func samplePanel(g skymap.Grid, mask []bool, res *sampling.Result) ([]byte, error) {
	var all [][]float64
	for _, chain := range res.Samples {
		all = append(all, chain...)
	}
	panels := []struct {
		title string
		data  []float64
	}{{"KAPPA_MEAN  (posterior mean)", res.Mean}, {"KAPPA_STD  (posterior std)", res.Std}}
	for k := range min(2, len(all)) {
		panels = append(panels, struct {
			title string
			data  []float64
		}{fmt.Sprintf("sample %d", k+1), all[k]})
	}
	figs := make([]*image.RGBA, len(panels))
	for i, p := range panels {
		img, err := quicklook.Render(p.data, g.NX, g.NY, quicklook.Options{
			Title: p.title, Label: "convergence κ", PixelArcmin: g.PixelArcmin, Mask: mask, East: "N up, E left",
		})
		if err != nil {
			return nil, err
		}
		figs[i] = img
	}
	var buf bytes.Buffer
	if err := quicklook.EncodePanel(&buf, figs, 2); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkSampleData rejects data that the sampler would misread: galaxies
// outside the grid, whose shear would be lost without a word, and pixels
// with galaxies but zero noise, which would claim an exact shear.
func checkSampleData(b *binned) error {
	f := b.field
	if f.Outside > 0 {
		return fmt.Errorf("%s: %d of %d galaxies fall outside the %d x %d grid: the catalogue's footprint does not fit it; enlarge --npix (or --nx, --ny), move --center, or leave both out to cover the catalogue",
			b.cat.Path, f.Outside, f.Outside+f.Binned, b.grid.NX, b.grid.NY)
	}
	for i, n := range f.NGal {
		if n > 0 && !(f.Std[i] > 0) {
			return fmt.Errorf("%s: pixel (x=%d, y=%d) contains %d galaxies but its shear noise SHEAR_STD is %v: the sampler needs a positive noise in every pixel with galaxies; check that the ellipticities are not all equal",
				b.cat.Path, i%b.grid.NX, i/b.grid.NX, n, f.Std[i])
		}
	}
	return nil
}
