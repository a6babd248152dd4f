package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/catalog"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/internal/cli"
	"github.com/skyinv/skyinv/quicklook"
	"github.com/skyinv/skyinv/simulate"
	"github.com/skyinv/skyinv/skymap"
)

const simulateSynopsis = `Usage: massmap simulate --out KAPPA.fits [--catalog-out MOCK.fits] [--png FILE.png] [flags]

Draws a random convergence (kappa) map with the power spectrum C_ell of --ps,
or of the toolkit's theory for --zs and the cosmological parameters, and writes
it as the image HDU KAPPA of a FITS file with a celestial WCS. The field is
Gaussian or shifted lognormal, kappa = shift (exp(g - var_g/2) - 1) with g
Gaussian, which keeps kappa above -shift. It is periodic on the grid and has
zero mean over it.

With --catalog-out, the command also writes a mock shear catalogue of that map:
a FITS binary table SHEAR with the columns ra and dec (degrees), e1, e2 and
weight, which massmap ks --catalog reads. Each galaxy gets the E-mode shear of
the pixel that contains it (the reduced shear gamma/(1 - kappa) with
--reduced-shear), computed on the periodic grid, plus shape noise. Positions
are drawn uniformly at --density galaxies per arcmin^2, or taken from the
catalogue of --catalog (which must have the e1 and e2 columns, as for massmap
ks). Shape noise is Gaussian with --sigma-e per component, or with --rotate
the catalogue's own ellipticities rotated by random angles.

Without --catalog, the grid needs its size (--npix, or --nx and --ny) and
--center. With --catalog, both default as in massmap ks: a grid that covers the
catalogue, centred on its median position.

The field is drawn from the PCG random stream (--seed, 0), the positions from
(--seed, 1) and the shape noise from (--seed, 2), so the same flags and seed
give the same map and catalogue, value for value; only the DATE card of the
map differs. Maps have North up and East to the left.`

// simulateFlags are the flags of massmap simulate beyond the shared groups.
type simulateFlags struct {
	field        string
	shift        float64
	density      float64
	sigmaE       float64
	rotate       bool
	reducedShear bool
	seed         uint64
	catalogOut   string
}

func (f *simulateFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.field, "field", "gaussian", "distribution of the convergence: gaussian, or lognormal (shifted lognormal, see --shift)")
	fs.Float64Var(&f.shift, "shift", 0.02, "shift lambda of the lognormal field, which keeps kappa above -lambda: a smaller shift gives a more skewed field (dimensionless; --field lognormal only)")
	fs.Float64Var(&f.density, "density", 30, "galaxies per arcmin^2 placed uniformly over the grid, without --catalog")
	fs.Float64Var(&f.sigmaE, "sigma-e", 0.26, "standard deviation of the Gaussian shape noise in each ellipticity component (dimensionless; 0 for noiseless shear)")
	fs.BoolVar(&f.rotate, "rotate", false, "use the ellipticities of --catalog, each rotated by a random angle, as shape noise in place of --sigma-e")
	fs.BoolVar(&f.reducedShear, "reduced-shear", false, "give the galaxies the reduced shear gamma/(1 - kappa) instead of the shear gamma")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed of the field, the positions and the shape noise")
	fs.StringVar(&f.catalogOut, "catalog-out", "", "also write the mock shear catalogue to this FITS file")
}

// check validates the flags and rejects those that would have no effect
// with the others given.
func (f *simulateFlags) check(set map[string]bool, hasCatalog bool) error {
	switch {
	case f.field != "gaussian" && f.field != "lognormal":
		return usagef("invalid --field %q: use gaussian or lognormal", f.field)
	case set["shift"] && f.field != "lognormal":
		return usagef("--shift applies to --field lognormal only")
	case !(f.shift > 0) || math.IsInf(f.shift, 0):
		return usagef("invalid --shift %v: the shift must be a positive number", f.shift)
	case !(f.density > 0) || math.IsInf(f.density, 0):
		return usagef("invalid --density %v: give a positive number of galaxies per arcmin^2", f.density)
	case !(f.sigmaE >= 0) || math.IsInf(f.sigmaE, 0):
		return usagef("invalid --sigma-e %v: it must be 0 or a positive number", f.sigmaE)
	case f.rotate && !hasCatalog:
		return usagef("--rotate needs --catalog: it rotates the ellipticities of that catalogue")
	case f.rotate && set["sigma-e"]:
		return usagef("--rotate and --sigma-e both set the shape noise: give one")
	case hasCatalog && set["density"]:
		return usagef("--density and --catalog both set the galaxy positions: give one")
	}
	if f.catalogOut == "" {
		for _, name := range []string{"density", "sigma-e", "rotate", "reduced-shear"} {
			if set[name] {
				return usagef("--%s shapes the mock catalogue, which only --catalog-out writes: add --catalog-out FILE.fits", name)
			}
		}
	}
	return nil
}

func runSimulate(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("simulate", simulateSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var out outputFlags
	var pf priorFlags
	var sf simulateFlags
	in.register(fs)
	gf.register(fs)
	out.register(fs)
	pf.register(fs)
	pf.registerWindow(fs)
	sf.register(fs)
	setUsage(fs, "catalog", "shear catalogue whose galaxy positions and weights (and with --rotate, ellipticities) the mock catalogue takes: a FITS binary table or a text table with a header line (default: uniform positions at --density)")
	setUsage(fs, "nx", "grid width in pixels, with --ny (default with --catalog: cover the catalogue; without --catalog, give --npix or --nx and --ny)")
	setUsage(fs, "center", "grid centre as RA,DEC in degrees (default with --catalog: the median galaxy position; required without --catalog)")
	setUsage(fs, "out", "output FITS file of the simulated convergence map, HDU KAPPA (required)")
	setUsage(fs, "png", "also write a PNG quick look of KAPPA to this file")
	setUsage(fs, "ps", "power spectrum C_ell of the simulated convergence as a text table of two columns, ell and C_ell (default: the theory spectrum of --zs and the cosmological parameters)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := setFlags(fs)
	gr, err := gf.parse(fs)
	if err != nil {
		return err
	}
	if err := sf.check(set, in.catalog != ""); err != nil {
		return err
	}
	if in.catalog == "" {
		for _, name := range []string{"hdu", "ra-col", "dec-col", "e1-col", "e2-col", "weight-col", "flip-e1", "flip-e2"} {
			if set[name] {
				return usagef("--%s describes the catalogue of --catalog, which is missing", name)
			}
		}
		switch {
		case !gr.hasCenter:
			return usagef("missing --center: without --catalog, give the grid centre as RA,DEC in degrees")
		case gr.nx == 0:
			return usagef("missing grid size: without --catalog, give --npix, or --nx and --ny")
		}
	}
	if err := out.check(in.catalog, pf.table); err != nil {
		return err
	}
	if err := checkExtraOutput("--catalog-out", sf.catalogOut, out, in.catalog, pf.table); err != nil {
		return err
	}

	// The catalogue, when given, and the grid.
	var cat *catalog.Catalog
	if in.catalog != "" {
		t0 := time.Now()
		cat, err = readCatalog(in)
		if err != nil {
			return err
		}
		kept := len(cat.RA)
		fmt.Fprintf(stderr, "catalogue: %s\n  %d rows read, %d kept, %d dropped", cat.Path, cat.Rows, kept, cat.Rows-kept)
		if cat.Rows > kept {
			fmt.Fprintf(stderr, " (%s)", cat.Dropped)
		}
		fmt.Fprintf(stderr, "; read in %s\n", since(t0))
	}
	g, err := makeGrid(gr, cat)
	if err != nil {
		return err
	}
	logGrid(stderr, g)

	// The spectrum and the field.
	t0 := time.Now()
	table, desc, err := pf.spectrum(g)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "spectrum: %s\n", desc)
	kappa, err := drawField(sf, g, pf.power(table, g), stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "  drawn in %s\n", since(t0))

	// The mock catalogue.
	var mock *simulate.Catalog
	if sf.catalogOut != "" {
		t0 = time.Now()
		mock, err = mockCatalog(sf, g, kappa, cat)
		if err != nil {
			return err
		}
		logMock(stderr, sf, mock, cat)
		fmt.Fprintf(stderr, "  made in %s\n", since(t0))
	}

	// The outputs: the map first, then the catalogue.
	header := simulateProvenance(fs, args, g, cat, &pf, sf, kappa, mock)
	maps := []skymap.Map{{Name: "KAPPA", Data: kappa, Description: fmt.Sprintf("simulated convergence (%s field, seed %d)", sf.field, sf.seed)}}
	png := quicklook.Options{
		Title:       fmt.Sprintf("KAPPA  (simulated %s field, seed %d)", sf.field, sf.seed),
		Label:       "convergence κ",
		PixelArcmin: g.PixelArcmin,
		East:        "N up, E left",
	}
	if err := writeOutputs(out, g, header, maps, png, 0, stderr); err != nil {
		return err
	}
	if mock != nil {
		if err := mock.WriteFITS(sf.catalogOut, out.force); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s (SHEAR table, %d galaxies)\n", sf.catalogOut, mock.Len())
	}
	logDone(stderr, start)
	return nil
}

// drawField draws the Gaussian or lognormal convergence map of a power map
// on g from the PCG stream (seed, 0) and reports its statistics on log.
func drawField(sf simulateFlags, g skymap.Grid, power []float64, log io.Writer) ([]float64, error) {
	rng := rand.New(rand.NewPCG(sf.seed, 0))
	var kappa []float64
	var expected float64
	switch sf.field {
	case "gaussian":
		gauss, err := simulate.NewGaussian(power, g.NX, g.NY)
		if err != nil {
			return nil, err
		}
		kappa = gauss.Field(nil, rng)
		for _, p := range power {
			expected += p
		}
		n := float64(g.Len())
		expected /= n * n
		fmt.Fprintf(log, "field: Gaussian, seed %d\n", sf.seed)
	case "lognormal":
		ln, err := simulate.NewLognormal(power, g.NX, g.NY, sf.shift)
		if err != nil {
			return nil, fmt.Errorf("cannot make a lognormal field with --shift %g: %w; use a larger --shift, or --field gaussian", sf.shift, err)
		}
		kappa = ln.Field(nil, rng)
		expected = ln.Variance()
		fmt.Fprintf(log, "field: lognormal, shift %g, Gaussian variance %.4g, seed %d\n", sf.shift, ln.GaussianVariance(), sf.seed)
		if modes, share := ln.Clipped(); modes > 0 {
			fmt.Fprintf(log, "warning: %.2f%% of the Fourier modes of the Gaussian field had negative power, a fraction %.2g of the total |power|, and were set to 0: the spectrum of the field departs from the requested one, less so with a larger --shift\n",
				100*modes, share)
		}
	}
	lo, hi, mean, std := mapStats(kappa)
	fmt.Fprintf(log, "  kappa: std %.4g (expected %.4g), mean %.2g, min %.4g, max %.4g\n", std, math.Sqrt(expected), mean, lo, hi)
	return kappa, nil
}

// mockCatalog makes the mock shear catalogue of kappa: galaxies at the
// positions of cat, or uniform when cat is nil.
func mockCatalog(sf simulateFlags, g skymap.Grid, kappa []float64, cat *catalog.Catalog) (*simulate.Catalog, error) {
	opt := simulate.MockOptions{ReducedShear: sf.reducedShear, Seed: sf.seed}
	if cat != nil {
		opt.RA, opt.Dec = cat.RA, cat.Dec
		if cat.HasWeight {
			opt.Weight = cat.Weight
		}
	} else {
		opt.DensityArcmin2 = sf.density
	}
	if sf.rotate {
		opt.E1, opt.E2 = cat.E1, cat.E2
	} else {
		opt.SigmaE = sf.sigmaE
	}
	mock, err := simulate.MockCatalog(g, kappa, opt)
	if err != nil {
		return nil, fmt.Errorf("cannot make the mock catalogue: %w", err)
	}
	return mock, nil
}

func logMock(log io.Writer, sf simulateFlags, mock *simulate.Catalog, cat *catalog.Catalog) {
	if cat != nil {
		fmt.Fprintf(log, "mock catalogue: %d galaxies at the positions of %s, %d outside the grid left out\n", mock.Len(), cat.Path, mock.Outside)
	} else {
		fmt.Fprintf(log, "mock catalogue: %d galaxies placed uniformly, %g per arcmin^2\n", mock.Len(), sf.density)
	}
	shear := "shear gamma"
	if sf.reducedShear {
		shear = "reduced shear gamma/(1 - kappa)"
	}
	noise := fmt.Sprintf("Gaussian shape noise, sigma_e = %g per component", sf.sigmaE)
	if sf.rotate {
		noise = "shape noise from the catalogue's ellipticities, rotated by random angles"
	}
	fmt.Fprintf(log, "  %s plus %s\n", shear, noise)
}

// simulateProvenance returns the header cards of the KAPPA map: the
// program, the grid, the spectrum, the field, the mock catalogue and every
// flag value.
func simulateProvenance(fs *flag.FlagSet, args []string, g skymap.Grid, cat *catalog.Catalog, pf *priorFlags, sf simulateFlags, kappa []float64, mock *simulate.Catalog) []fits.Card {
	cards := []fits.Card{
		{Key: "ORIGIN", Value: "skyinv", Comment: "toolkit that wrote this file"},
		{Key: "PROGRAM", Value: "massmap simulate", Comment: "command that wrote this file"},
		{Key: "VERSION", Value: skyinv.Version, Comment: "version of the toolkit"},
		{Key: "DATE", Value: time.Now().UTC().Format("2006-01-02T15:04:05"), Comment: "UTC time the file was written"},
	}
	if cat != nil {
		cards = append(cards, fits.Card{Key: "INPUT", Value: cat.Path, Comment: "catalogue of the galaxy positions"})
	}
	cards = append(cards,
		fits.Card{Key: "PIXSCALE", Value: g.PixelArcmin, Comment: "[arcmin] pixel size"},
		fits.Card{Key: "PROJECT", Value: g.Projection.String(), Comment: "tan: gnomonic; radec: linear in RA and Dec"},
		fits.Card{Key: "COMMENT", Comment: "Orientation: North up, East to the left."},
		fits.Card{Key: "FIELD", Value: sf.field, Comment: "distribution of the simulated convergence"},
	)
	if sf.field == "lognormal" {
		cards = append(cards, fits.Card{Key: "SHIFT", Value: sf.shift, Comment: "lognormal shift: kappa > -SHIFT"})
	}
	_, _, _, std := mapStats(kappa)
	cards = append(cards,
		fits.Card{Key: "SEED", Value: seedValue(sf.seed), Comment: "random seed of the field and the catalogue"},
		fits.Card{Key: "KAPSTD", Value: std, Comment: "standard deviation of KAPPA over the map"},
	)
	cards = append(cards, spectrumCards(pf, "simulated field")...)
	cards = append(cards, pf.windowCards("C_ell times the square-pixel window")...)
	if mock != nil {
		cards = append(cards,
			fits.Card{Key: "MOCKCAT", Value: sf.catalogOut, Comment: "mock shear catalogue of this map"},
			fits.Card{Key: "NMOCK", Value: mock.Len(), Comment: "galaxies in the mock catalogue"},
			fits.Card{Key: "REDSHEAR", Value: sf.reducedShear, Comment: "reduced shear gamma/(1-kappa) in place of gamma"},
		)
		if cat == nil {
			cards = append(cards, fits.Card{Key: "DENSITY", Value: sf.density, Comment: "[arcmin-2] galaxies placed uniformly"})
		}
		if sf.rotate {
			cards = append(cards, fits.Card{Key: "SHAPENOI", Value: "rotated", Comment: "catalogue ellipticities rotated at random"})
		} else {
			cards = append(cards, fits.Card{Key: "SIGMAE", Value: sf.sigmaE, Comment: "Gaussian shape noise per component"})
		}
	}
	cards = append(cards, historyCards("simulate", fs, args)...)
	return cards
}

// spectrumCards record in a header the C_ell table or the theory spectrum
// of pf. The comment of the table card names its use.
func spectrumCards(pf *priorFlags, use string) []fits.Card {
	if pf.table != "" {
		return []fits.Card{{Key: "POWSPEC", Value: pf.table, Comment: "C_ell table of the " + use}}
	}
	return []fits.Card{
		{Key: "POWSPEC", Value: "theory", Comment: "C_ell: Eisenstein-Hu + Halofit (Takahashi) + Limber"},
		{Key: "ZSOURCE", Value: pf.zs, Comment: "source redshift of the theory C_ell"},
		{Key: "HUBBLE", Value: pf.params.H, Comment: "h of the theory C_ell"},
		{Key: "OMEGAC", Value: pf.params.OmegaCDM, Comment: "Omega_c of the theory C_ell"},
		{Key: "OMEGAB", Value: pf.params.OmegaB, Comment: "Omega_b of the theory C_ell"},
		{Key: "NS", Value: pf.params.NS, Comment: "n_s of the theory C_ell"},
		{Key: "SIGMA8", Value: pf.params.Sigma8, Comment: "sigma_8 of the theory C_ell"},
	}
}

// historyCards record every flag value and the command line as HISTORY
// cards, as provenance does for the commands that bin a catalogue.
func historyCards(name string, fs *flag.FlagSet, args []string) []fits.Card {
	var cards []fits.Card
	fs.VisitAll(func(f *flag.Flag) {
		cards = append(cards, fits.Card{Key: "HISTORY", Comment: fmt.Sprintf("--%s=%s", f.Name, f.Value)})
	})
	return append(cards, fits.Card{Key: "HISTORY", Comment: "command line: massmap " + name + " " + strings.Join(args, " ")})
}

// mapStats returns the minimum, maximum, mean and standard deviation of m.
func mapStats(m []float64) (lo, hi, mean, std float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range m {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		mean += v
	}
	mean /= float64(len(m))
	for _, v := range m {
		std += (v - mean) * (v - mean)
	}
	return lo, hi, mean, math.Sqrt(std / float64(len(m)))
}

// logGrid reports the grid as loadAndBin does.
func logGrid(log io.Writer, g skymap.Grid) {
	w := g.PixelArcmin
	fmt.Fprintf(log, "grid: %d x %d pixels of %g arcmin (%.1f x %.1f arcmin), %s projection, centre RA %.7f Dec %.7f\n",
		g.NX, g.NY, w, float64(g.NX)*w, float64(g.NY)*w, g.Projection, g.CenterRA, g.CenterDec)
}

// setUsage replaces the help text of a flag that a shared group registered,
// where the command gives it another meaning or default.
func setUsage(fs *flag.FlagSet, name, usage string) {
	fs.Lookup(name).Usage = usage
}

// checkExtraOutput validates an output file beyond --out and --png: not one
// of them or an input, not existing unless --force is set, and in an
// existing directory. An empty path means the output is not requested.
func checkExtraOutput(flagName, path string, out outputFlags, inputs ...string) error {
	if path == "" {
		return nil
	}
	for _, other := range append([]string{out.out, out.png}, inputs...) {
		if other != "" && cli.SameFile(path, other) {
			return usagef("%s %s names the same file as another input or output: choose another name", flagName, path)
		}
	}
	if err := atomicfile.CheckWritable(path, out.force); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: output directory %s does not exist", path, dir)
	}
	return nil
}
