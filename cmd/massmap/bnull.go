package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/skyinv/skyinv/kaiser"
)

const bnullSynopsis = `Usage: massmap bnull [--catalog FILE] --out RESULT.txt [--png FILE.png] [flags]

A B-mode null test calibrated by simulations. Lensing makes E modes only,
but a Kaiser-Squires B map of a masked field is not pure noise: the mask
holes, the survey edge and the periodic inversion leak E-mode signal into B.
The command measures B-mode statistics of the catalogue and compares them with
their distribution over --sims simulated catalogues that keep the real galaxy
positions, weights and footprint, take the real ellipticities rotated by random
angles as shape noise, and add the E-mode shear of a random convergence field
(Gaussian or lognormal, power spectrum of --ps or of the theory for --zs).
Each simulated catalogue goes through the same binning and inversion as the
data, so the null distribution contains the leakage as well as the noise.

The convergence of a simulation is drawn on a grid --box-factor times wider
than the map, with the same pixels and centre, so that the shear in the map
is not periodic, as on the sky. Each galaxy gets the shear of the simulation
pixel that contains it.

The leakage grows with the E-mode signal, so the simulated signal must be as
strong as the data's. Each simulation bins its shear and its noise apart, and
every statistic below is a quadratic function of a factor a on the simulated
convergence (C_ell times a^2). With --signal-scale auto the command picks the
a at which the mean E_std_footprint of the simulations equals the data's,
and reports the range of a that puts the data within one null standard
deviation, with the null mean of B_std_footprint at its ends.

Statistics, with sigma the per-pixel standard deviation of KAPPA_E from
--noise-realisations rotated-noise catalogues (as in massmap ks):
  B_std_footprint   std of KAPPA_B / sigma over the pixels with galaxies,
                    maps smoothed by --smooth-arcmin
  B_std_interior    the same over the pixels farther than --edge-arcmin from
                    the outer edge of the footprint (its holes filled)
  B_chi2_bands      sum over the ell bands of ((C_b - mean) / std)^2, C_b the
                    band powers of the unsmoothed KAPPA_B, mean and std those
                    of the simulations
  B_Cl_ell_L1_L2    the band power of each band, in steradians
  E_std_footprint   std of KAPPA_E / sigma over the footprint: not a null
                    test but the measure of the signal's strength, equal to
                    the null mean by construction with --signal-scale auto
The band powers are pseudo-spectra (massmap powerspec) with a window of the
footprint, holes filled, and a cosine taper of --apodize-arcmin at its edge.

For each statistic the table of --out gives the data's value, the mean and
standard deviation over the simulations, z = (data - mean) / std and the
upper-tail p-value (1 + number of simulations >= data) / (1 + --sims). The
chi-square of a simulation uses the mean and std of the other simulations.
A large B_std or B_chi2 (small p, large z) means more B modes than noise and
leakage explain. With --sims N the smallest p is 1/(N + 1).

--sims-out writes the statistics of every simulation, --maps-out the maps
(KAPPA_E, KAPPA_B, KAPPA_STD, B_SNR = KAPPA_B / KAPPA_STD, INTERIOR, NGAL,
WEIGHT, SHEAR_STD) as a FITS file like that of massmap ks, and --png a figure
of B_SNR and of the null distributions of B_std_footprint and B_chi2_bands.

Simulation i (from 0) draws its field from the PCG stream (--seed + 1 + i, 0)
and its catalogue with seed --seed + 1 + i as massmap simulate does; the noise
realisations use the streams (--seed, r). Maps have North up and East to the
left.`

// bnullFlags are the flags of massmap bnull beyond the shared groups.
type bnullFlags struct {
	smoothArcmin  float64
	pad           int
	sims          int
	realisations  int
	seed          uint64
	edgeArcmin    float64
	bins          int
	apodizeArcmin float64
	field         string
	shift         float64
	signalScale   string
	boxFactor     int
	workers       int
	simsOut       string
	mapsOut       string
}

// minNullSims is the smallest --sims: fewer make the standard deviation of
// the null, and the leave-one-out chi-square, too noisy to report.
const minNullSims = 10

func (f *bnullFlags) register(fs *flag.FlagSet) {
	fs.Float64Var(&f.smoothArcmin, "smooth-arcmin", 2, "standard deviation of the Gaussian that smooths the maps of the std statistics, in arcmin")
	fs.IntVar(&f.pad, "pad", 0, "pixels of zero shear added on each side before the Kaiser-Squires inversion")
	fs.IntVar(&f.sims, "sims", 200, fmt.Sprintf("number of simulated catalogues in the null distribution (at least %d)", minNullSims))
	fs.IntVar(&f.realisations, "noise-realisations", 64, "number of rotated-noise catalogues for the noise standard deviation sigma (at least 2)")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed of the noise realisations and the simulations")
	fs.Float64Var(&f.edgeArcmin, "edge-arcmin", 5, "distance in arcmin from the outer edge of the footprint within which pixels are left out of B_std_interior")
	fs.IntVar(&f.bins, "bins", 8, "number of ell bands of the B-mode band powers, of equal width in ln(ell) from the grid's fundamental to its Nyquist multipole")
	fs.Float64Var(&f.apodizeArcmin, "apodize-arcmin", 2, "width in arcmin of the cosine taper of the band powers' window; 0 for a sharp edge")
	fs.StringVar(&f.field, "field", "gaussian", "distribution of the simulated convergence: gaussian, or lognormal (see --shift)")
	fs.Float64Var(&f.shift, "shift", 0.02, "shift lambda of the lognormal field, which keeps kappa above -lambda (--field lognormal only)")
	fs.StringVar(&f.signalScale, "signal-scale", "auto", "factor on the simulated convergence (C_ell times its square): a number, or auto to match the data's E_std_footprint")
	fs.IntVar(&f.boxFactor, "box-factor", 2, "side of the simulated convergence grid, in units of the map's side (1 for a field periodic on the map)")
	fs.IntVar(&f.workers, "workers", 0, "simulations run at once (0 for one per CPU)")
	fs.StringVar(&f.simsOut, "sims-out", "", "also write the statistics of every simulation, as a text table, to this file")
	fs.StringVar(&f.mapsOut, "maps-out", "", "also write the data's maps (KAPPA_E, KAPPA_B, KAPPA_STD, B_SNR, INTERIOR, NGAL, WEIGHT, SHEAR_STD) to this FITS file")
}

// check validates the flags.
func (f *bnullFlags) check(set map[string]bool) error {
	switch {
	case !(f.smoothArcmin > 0) || math.IsInf(f.smoothArcmin, 0):
		return usagef("invalid --smooth-arcmin %v: the std statistics need a positive smoothing scale in arcmin", f.smoothArcmin)
	case f.pad < 0:
		return usagef("invalid --pad %d: it must be 0 or a positive number of pixels", f.pad)
	case f.sims < minNullSims:
		return usagef("invalid --sims %d: the null distribution needs at least %d simulations", f.sims, minNullSims)
	case f.realisations < 2:
		return usagef("invalid --noise-realisations %d: a standard deviation needs at least 2", f.realisations)
	case !(f.edgeArcmin >= 0) || math.IsInf(f.edgeArcmin, 0):
		return usagef("invalid --edge-arcmin %v: it must be 0 or a positive number of arcmin", f.edgeArcmin)
	case f.bins < 1:
		return usagef("invalid --bins %d: the band powers need at least 1 band", f.bins)
	case !(f.apodizeArcmin >= 0) || math.IsInf(f.apodizeArcmin, 0):
		return usagef("invalid --apodize-arcmin %v: it must be 0 or a positive number of arcmin", f.apodizeArcmin)
	case f.field != "gaussian" && f.field != "lognormal":
		return usagef("invalid --field %q: use gaussian or lognormal", f.field)
	case set["shift"] && f.field != "lognormal":
		return usagef("--shift applies to --field lognormal only")
	case !(f.shift > 0) || math.IsInf(f.shift, 0):
		return usagef("invalid --shift %v: the shift must be a positive number", f.shift)
	case f.signalScale != "auto" && !(f.scale() >= 0):
		return usagef("invalid --signal-scale %q: give auto or a number of 0 or more", f.signalScale)
	case f.boxFactor < 1:
		return usagef("invalid --box-factor %d: the simulated grid must be at least as wide as the map (1)", f.boxFactor)
	case f.workers < 0:
		return usagef("invalid --workers %d: use 0 for one per CPU, or a positive number", f.workers)
	}
	return nil
}

// scale returns the number of --signal-scale: NaN for auto or for text
// that is not a finite number.
func (f *bnullFlags) scale() float64 {
	v, err := strconv.ParseFloat(f.signalScale, 64)
	if err != nil || math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

func runBnull(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("bnull", bnullSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var out outputFlags
	var pf priorFlags
	var bf bnullFlags
	in.register(fs)
	gf.register(fs)
	out.register(fs)
	pf.register(fs)
	bf.register(fs)
	setUsage(fs, "out", "output text file of the result table (required)")
	setUsage(fs, "png", "also write a PNG figure of B_SNR and of the null distributions to this file")
	setUsage(fs, "ps", "power spectrum C_ell of the simulated convergence as a text table of two columns, ell and C_ell (default: the theory spectrum of --zs and the cosmological parameters)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := setFlags(fs)
	gr, err := gf.parse(fs)
	if err != nil {
		return err
	}
	if err := bf.check(set); err != nil {
		return err
	}
	if out.out == "" {
		return usagef("missing --out: name the output text file of the result table")
	}
	if err := out.check(in.catalog, pf.table); err != nil {
		return err
	}
	for _, extra := range []struct{ name, path string }{{"--sims-out", bf.simsOut}, {"--maps-out", bf.mapsOut}} {
		if err := checkExtraOutput(extra.name, extra.path, out, in.catalog, pf.table); err != nil {
			return err
		}
	}
	if bf.simsOut != "" && bf.simsOut == bf.mapsOut {
		return usagef("--sims-out and --maps-out name the same file %s", bf.simsOut)
	}

	// The data: catalogue, grid, footprint and the noise level.
	b, err := loadAndBin(in, gr, stderr)
	if err != nil {
		return err
	}
	setup, err := newNullSetup(b, bf, &pf, stderr)
	if err != nil {
		return err
	}
	t0 := time.Now()
	step := max(1, bf.realisations/4)
	nopt := kaiser.NoiseOptions{
		Realisations: bf.realisations,
		Seed:         bf.seed,
		Workers:      bf.workers,
		Progress: func(done, total int) {
			if done%step == 0 || done == total {
				fmt.Fprintf(stderr, "  noise realisations: %d/%d (%s)\n", done, total, since(t0))
			}
		},
	}
	if err := setup.noiseLevel(nopt); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "noise: sigma from %d realisations (seed %d) in %s\n", bf.realisations, bf.seed, since(t0))

	// The statistics of the data, then of the simulations.
	data, dataMaps, err := setup.measureData()
	if err != nil {
		return err
	}
	t0 = time.Now()
	sims, err := setup.simulateAll(stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "simulations: %d in %s\n", len(sims), since(t0))

	// The scale of the signal, then the comparison and the outputs.
	setup.scale = signalScale{value: bf.scale()}
	if bf.signalScale == "auto" {
		if setup.scale, err = fitScale(data[statEStdFootprint], sims); err != nil {
			return err
		}
	}
	res := compareNull(data, statsAt(sims, setup.scale.value), setup.bins)
	logScale(stderr, setup.scale, sims)
	logResult(stderr, res)
	return writeBnullOutputs(out, bf, fs, args, setup, res, dataMaps, stderr, start)
}
