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

const wienerSynopsis = `Usage: massmap wiener [--catalog FILE] --out FILE.fits [--png FILE.png] [flags]

Reconstructs the convergence of a shear catalogue with the Wiener filter: the
posterior mean of kappa_E under a Gaussian prior with the power spectrum C_ell
(a table given with --ps, or the toolkit's theory spectrum) and Gaussian shape
noise with the per-pixel variance SHEAR_STD^2 of the binned catalogue. Pixels
without galaxies carry no data. Writes KAPPA_E (the Wiener filter), NGAL,
WEIGHT and SHEAR_STD, and with --samples K also KAPPA_STD (the posterior
standard deviation from K constrained realisations) and SNR. Maps have North up
and East to the left.`

func runWiener(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("wiener", wienerSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var out outputFlags
	var pf priorFlags
	in.register(fs)
	gf.register(fs)
	out.register(fs)
	pf.register(fs)
	pf.registerWindow(fs)
	method := fs.String("method", "cg", "solver: cg (conjugate gradients) or messenger (messenger field)")
	tol := fs.Float64("tol", 1e-6, "relative tolerance of the solver")
	maxIter := fs.Int("max-iter", 5000, "iteration cap of the solver")
	samples := fs.Int("samples", 0, "number of posterior samples for KAPPA_STD and SNR (0 for none)")
	seed := fs.Uint64("seed", 1, "random seed of the posterior samples")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	gr, err := gf.parse(fs)
	if err != nil {
		return err
	}
	switch {
	case *method != "cg" && *method != "messenger":
		return usagef("invalid --method %q: use cg or messenger", *method)
	case !(*tol > 0 && *tol < 1):
		return usagef("invalid --tol %v: the relative tolerance must lie between 0 and 1", *tol)
	case *maxIter < 1:
		return usagef("invalid --max-iter %d: it must be at least 1", *maxIter)
	case *samples < 0 || *samples == 1:
		return usagef("invalid --samples %d: use 0 for none, or at least 2 for a standard deviation", *samples)
	}
	if err := out.check(in.catalog); err != nil {
		return err
	}

	b, err := loadAndBin(in, gr, stderr)
	if err != nil {
		return err
	}
	g, f := b.grid, b.field

	// The prior and the noise.
	table, desc, err := pf.spectrum(g)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "prior: %s\n", desc)
	noise := b.noiseVariance()
	problem := solvers.WienerProblem{NX: g.NX, NY: g.NY, Power: pf.power(table, g), NoiseVar: noise}

	// The Wiener filter.
	t0 := time.Now()
	settings := solvers.Settings{Tol: *tol, MaxIter: *maxIter}
	var kE []float64
	var res solvers.Result
	if *method == "messenger" {
		m, err := solvers.NewMessenger(problem)
		if err != nil {
			return err
		}
		kE, res, err = m.Solve(f.G1, f.G2, settings)
	} else {
		kE, res, err = solvers.WienerCG(problem, f.G1, f.G2, settings)
	}
	var nc *solvers.NotConvergedError
	if errors.As(err, &nc) {
		return fmt.Errorf("%w; nothing was written", err)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Wiener filter (%s): %d iterations, relative residual %.2g; %s\n", *method, res.Iterations, res.Residual, since(t0))

	maps := []skymap.Map{
		{Name: "KAPPA_E", Data: kE, Description: "E-mode convergence, Wiener filter (posterior mean)"},
	}
	maps = append(maps, b.dataMaps()...)

	// Posterior samples.
	if *samples > 0 {
		t0 = time.Now()
		step := max(1, *samples/10)
		smp, err := solvers.WienerSamples(problem, f.G1, f.G2, kE, solvers.Settings{Tol: *tol, MaxIter: *maxIter}, solvers.SampleOptions{
			Samples: *samples,
			Seed:    *seed,
			Progress: func(done, total int) {
				if done%step == 0 || done == total {
					fmt.Fprintf(stderr, "  posterior samples: %d/%d (%s)\n", done, total, since(t0))
				}
			},
		})
		if err != nil {
			return err
		}
		std := sampleStd(smp)
		snr := ratio(kE, std)
		maps = append(maps,
			skymap.Map{Name: "KAPPA_STD", Data: std, Description: fmt.Sprintf("posterior std of KAPPA_E from %d constrained realisations", *samples)},
			skymap.Map{Name: "SNR", Data: snr, Description: "KAPPA_E / KAPPA_STD"},
		)
		fmt.Fprintf(stderr, "posterior: %d samples (seed %d) in %s\n", *samples, *seed, since(t0))
	}

	header := provenance("wiener", fs, args, b)
	header = append(header, pf.cards()...)
	header = append(header,
		fits.Card{Key: "METHOD", Value: *method, Comment: "Wiener filter solver"},
		fits.Card{Key: "NITER", Value: res.Iterations, Comment: "solver iterations"},
		fits.Card{Key: "RESIDUAL", Value: res.Residual, Comment: "final relative residual of the solver"},
		fits.Card{Key: "NSAMPLES", Value: *samples, Comment: "posterior samples"},
		fits.Card{Key: "SEED", Value: seedValue(*seed), Comment: "seed of the posterior samples"},
	)
	png := quicklook.Options{
		Title:       "KAPPA_E  (Wiener filter)",
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

// sampleStd returns the per-pixel sample standard deviation (divisor K − 1,
// or 0 for one sample).
func sampleStd(samples [][]float64) []float64 {
	n := len(samples[0])
	std := make([]float64, n)
	k := float64(len(samples))
	if len(samples) < 2 {
		return std
	}
	for j := range n {
		var s, ss float64
		for _, smp := range samples {
			s += smp[j]
		}
		m := s / k
		for _, smp := range samples {
			d := smp[j] - m
			ss += d * d
		}
		std[j] = math.Sqrt(ss / (k - 1))
	}
	return std
}
