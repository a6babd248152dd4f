package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/quicklook"
	"github.com/skyinv/skyinv/skymap"
)

const ksSynopsis = `Usage: massmap ks [--catalog FILE] --out FILE.fits [--png FILE.png] [flags]

Reconstructs the convergence (kappa) of a shear catalogue with the
Kaiser-Squires inversion and writes, as image HDUs of one FITS file with a
celestial WCS each: KAPPA_E and KAPPA_B (E- and B-mode convergence, zero mean
over the transform grid), NGAL, WEIGHT and SHEAR_STD (as in massmap bin), and
with --noise-realisations K also KAPPA_STD (the standard deviation of KAPPA_E
from shape noise, from K catalogues with randomly rotated ellipticities) and
SNR (KAPPA_E / KAPPA_STD). Maps have North up and East to the left.`

func runKS(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("ks", ksSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var out outputFlags
	in.register(fs)
	gf.register(fs)
	out.register(fs)
	smooth := fs.Float64("smooth-arcmin", 0, "standard deviation of the Gaussian that smooths kappa, in arcmin (FWHM = 2.355 x this); 0 for none")
	pad := fs.Int("pad", 0, "pixels of zero shear added on each side before the inversion, against wrap-around at the edges")
	realisations := fs.Int("noise-realisations", 0, "number of shape-noise realisations for KAPPA_STD and SNR (0 for none, else at least 2)")
	seed := fs.Uint64("seed", 1, "random seed of the noise realisations")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	gr, err := gf.parse(fs)
	if err != nil {
		return err
	}
	switch {
	case !(*smooth >= 0) || math.IsInf(*smooth, 0):
		return usagef("invalid --smooth-arcmin %v: it must be 0 or a positive number of arcmin", *smooth)
	case *pad < 0:
		return usagef("invalid --pad %d: it must be 0 or a positive number of pixels", *pad)
	case *realisations < 0 || *realisations == 1:
		return usagef("invalid --noise-realisations %d: use 0 for none, or at least 2 for a standard deviation", *realisations)
	}
	if err := out.check(in.catalog); err != nil {
		return err
	}

	b, err := loadAndBin(in, gr, stderr)
	if err != nil {
		return err
	}
	g, f := b.grid, b.field

	// The inversion.
	t0 := time.Now()
	opt := kaiser.Options{SmoothArcmin: *smooth, PixelArcmin: g.PixelArcmin, Pad: *pad}
	tr, err := kaiser.New(g.NX, g.NY, opt)
	if err != nil {
		return err
	}
	kE, kB := make([]float64, g.Len()), make([]float64, g.Len())
	tr.Convergence(kE, kB, f.G1, f.G2)
	fmt.Fprintf(stderr, "Kaiser-Squires: smoothing %g arcmin, padding %d pixels; %s\n", *smooth, *pad, since(t0))

	maps := []skymap.Map{
		{Name: "KAPPA_E", Data: kE, Description: "E-mode convergence (Kaiser-Squires)"},
		{Name: "KAPPA_B", Data: kB, Description: "B-mode convergence (Kaiser-Squires)"},
	}
	maps = append(maps, b.dataMaps()...)

	// Shape-noise realisations.
	if *realisations > 0 {
		t0 = time.Now()
		step := max(1, *realisations/10)
		nopt := kaiser.NoiseOptions{
			Realisations: *realisations,
			Seed:         *seed,
			Progress: func(done, total int) {
				if done%step == 0 || done == total {
					fmt.Fprintf(stderr, "  noise realisations: %d/%d (%s)\n", done, total, since(t0))
				}
			},
		}
		std, err := kaiser.NoiseStd(b.assign, b.cat.E1, b.cat.E2, opt, nopt)
		if err != nil {
			return err
		}
		snr := ratio(kE, std)
		maps = append(maps,
			skymap.Map{Name: "KAPPA_STD", Data: std, Description: fmt.Sprintf("std of KAPPA_E from %d shape-noise realisations", *realisations)},
			skymap.Map{Name: "SNR", Data: snr, Description: "KAPPA_E / KAPPA_STD"},
		)
		fmt.Fprintf(stderr, "noise: %d realisations (seed %d) in %s\n", *realisations, *seed, since(t0))
	}

	header := provenance("ks", fs, args, b)
	header = append(header,
		fits.Card{Key: "SMOOTH", Value: *smooth, Comment: "[arcmin] Gaussian sigma applied to kappa"},
		fits.Card{Key: "PADDING", Value: *pad, Comment: "[pixel] zero padding on each side"},
		fits.Card{Key: "NREALIS", Value: *realisations, Comment: "shape-noise realisations"},
		fits.Card{Key: "SEED", Value: seedValue(*seed), Comment: "seed of the noise realisations"},
	)
	title := "KAPPA_E  (Kaiser-Squires"
	if *smooth > 0 {
		title += fmt.Sprintf(", smoothed %g arcmin", *smooth)
	}
	title += ")"
	png := quicklook.Options{
		Title:       title,
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

// seedValue returns the seed as a FITS integer, or as a string when it does
// not fit a signed 64-bit integer.
func seedValue(seed uint64) any {
	if seed > math.MaxInt64 {
		return strconv.FormatUint(seed, 10)
	}
	return int64(seed)
}
