package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/skyinv/skyinv/deepmass"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/quicklook"
	"github.com/skyinv/skyinv/skymap"
)

const deepmassSynopsis = `Usage: massmap deepmass [--catalog FILE] [--model FILE] --out FILE.fits [--png FILE.png] [flags]
       massmap deepmass train --catalog FILE --out MODEL [flags]   (see massmap deepmass train --help)

Reconstructs the convergence with DeepMass (Jeffrey et al. 2020, MNRAS 492,
5023): the Wiener filter of the binned shear, corrected by a U-Net trained on
simulations to return the posterior mean of kappa_E. Without --model it uses
the model shipped with the toolkit, trained for the COSMOS survey (0.29-arcmin
pixels). The grid's pixel size defaults to the model's and must match it; a
grid sized to cover the catalogue is rounded up to a size the network takes.
Writes KAPPA_MEAN (the DeepMass map), KAPPA_WIENER (its Wiener-filter input),
NGAL, WEIGHT and SHEAR_STD. Maps have North up and East to the left.`

func runDeepmass(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("deepmass", deepmassSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var out outputFlags
	in.register(fs)
	gf.register(fs)
	out.register(fs)
	modelPath := fs.String("model", "", "DeepMass model file written by massmap deepmass train (default: the embedded COSMOS model)")
	modelPixel(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := out.check(in.catalog, *modelPath); err != nil {
		return err
	}

	// The model first: it sets the pixel size.
	var model *deepmass.Model
	var err error
	name := deepmass.DefaultName
	if *modelPath != "" {
		model, err = deepmass.Load(*modelPath)
		name = *modelPath
	} else {
		model, err = deepmass.Default()
	}
	if err != nil {
		return err
	}
	cfg := model.Net.Config()
	fmt.Fprintf(stderr, "model: %s (U-Net depth %d, %d base channels; %g-arcmin pixels)\n", name, cfg.Depth, cfg.BaseChannels, model.Info.PixelArcmin)
	if !setFlags(fs)["pixel-arcmin"] {
		gf.pixelArcmin = model.Info.PixelArcmin
	}
	gr, err := gf.parse(fs)
	if err != nil {
		return err
	}
	gr.multiple = model.Net.Multiple()
	if err := checkNetworkGrid(gr, gr.multiple); err != nil {
		return err
	}
	b, err := loadAndBin(in, gr, stderr)
	if err != nil {
		return err
	}
	g, f := b.grid, b.field

	t0 := time.Now()
	res, err := model.Estimate(deepmass.Data{NX: g.NX, NY: g.NY, PixelArcmin: g.PixelArcmin, G1: f.G1, G2: f.G2, NoiseVar: b.noiseVariance()})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "DeepMass: Wiener filter in %d iterations (relative residual %.2g), network correction; %s\n", res.WienerResult.Iterations, res.WienerResult.Residual, since(t0))

	maps := []skymap.Map{
		{Name: "KAPPA_MEAN", Data: res.Mean, Description: "E-mode convergence, DeepMass posterior mean"},
		{Name: "KAPPA_WIENER", Data: res.Wiener, Description: "E-mode convergence, Wiener filter (the network's input)"},
	}
	maps = append(maps, b.dataMaps()...)
	header := provenance("deepmass", fs, args, b)
	header = append(header,
		fits.Card{Key: "MODEL", Value: name, Comment: "DeepMass model"},
		fits.Card{Key: "NITER", Value: res.WienerResult.Iterations, Comment: "Wiener filter iterations"},
		fits.Card{Key: "RESIDUAL", Value: res.WienerResult.Residual, Comment: "final relative residual of the Wiener filter"},
	)
	png := quicklook.Options{
		Title:       "KAPPA_MEAN  (DeepMass)",
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

// checkNetworkGrid rejects a grid size given on the command line that a
// network with sides in multiples of m cannot take, before any work.
func checkNetworkGrid(gr gridRequest, m int) error {
	if gr.nx == 0 || gr.nx%m == 0 && gr.ny%m == 0 {
		return nil
	}
	near := func(n int) string {
		lo, hi := n/m*m, (n/m+1)*m
		if n%m == 0 {
			return strconv.Itoa(n)
		}
		if lo == 0 {
			return strconv.Itoa(hi)
		}
		return fmt.Sprintf("%d or %d", lo, hi)
	}
	return usagef("a grid of %d x %d pixels does not suit the network, which takes sides that are multiples of %d: use a width of %s and a height of %s (--npix, or --nx and --ny)",
		gr.nx, gr.ny, m, near(gr.nx), near(gr.ny))
}

// modelPixel rewrites the help of --pixel-arcmin to state that the model
// sets its default.
func modelPixel(fs *flag.FlagSet) {
	f := fs.Lookup("pixel-arcmin")
	f.Usage = "pixel size in arcmin (default: the model's; it must match the model's)"
	f.DefValue = "0"
}
