package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/skymap"
)

// priorFlags choose the convergence power spectrum C_ell of a Gaussian
// prior: a table, or the toolkit's theory spectrum for a cosmology and a
// source redshift.
type priorFlags struct {
	table  string
	zs     float64
	nz     string
	params cosmology.Params

	// window is the value of --pixel-window.
	window bool

	// hasWindow is set when the command has --pixel-window.
	hasWindow bool
}

// registerWindow adds --pixel-window, for the commands that turn C_ell into
// a power map of pixel averages.
func (f *priorFlags) registerWindow(fs *flag.FlagSet) {
	f.hasWindow = true
	fs.BoolVar(&f.window, "pixel-window", true, "multiply C_ell by the window of square pixels, sinc^2 per axis, because a map's pixels are averages over their area. --pixel-window=false gives the spectrum of point values")
}

// power returns the power map of the spectrum on the grid, with the pixel
// window when --pixel-window is set.
func (f *priorFlags) power(table *cosmology.Table, g skymap.Grid) []float64 {
	p := powerspec.PowerMap(table.At, g.NX, g.NY, g.PixelRad())
	if f.window {
		powerspec.PixelWindow(p, g.NX, g.NY)
	}
	return p
}

func (f *priorFlags) register(fs *flag.FlagSet) {
	f.params = cosmology.Planck2018()
	fs.StringVar(&f.table, "ps", "", "convergence power spectrum C_ell as a text table of two columns, ell and C_ell (default: the theory spectrum of --zs and the cosmological parameters)")
	fs.Float64Var(&f.zs, "zs", 1.0, "source redshift of the theory spectrum")
	fs.StringVar(&f.nz, "nz", "", "source redshift distribution of the theory spectrum, a text table of two columns z and n(z) (replaces --zs; n needs no normalisation)")
	fs.Float64Var(&f.params.H, "h", f.params.H, "Hubble parameter h = H0 / (100 km/s/Mpc) of the theory spectrum")
	fs.Float64Var(&f.params.OmegaCDM, "omega-cdm", f.params.OmegaCDM, "cold dark matter density Omega_c of the theory spectrum")
	fs.Float64Var(&f.params.OmegaB, "omega-b", f.params.OmegaB, "baryon density Omega_b of the theory spectrum")
	fs.Float64Var(&f.params.NS, "ns", f.params.NS, "scalar spectral index n_s of the theory spectrum")
	fs.Float64Var(&f.params.Sigma8, "sigma8", f.params.Sigma8, "sigma_8 of the theory spectrum (the defaults of --h, --omega-cdm, --omega-b, --ns and --sigma8 are Planck 2018 values)")
}

// spectrum returns the C_ell table and a one-line description of it; ell
// spans at least the range of the grid.
func (f *priorFlags) spectrum(g skymap.Grid) (*cosmology.Table, string, error) {
	get := f.theorySpectrum
	if f.table != "" {
		get = f.tableSpectrum
	}
	t, desc, err := get(g)
	if err == nil && f.hasWindow && f.window {
		desc += "; times the square-pixel window"
	}
	return t, desc, err
}

// tableSpectrum reads --ps and notes in the description when the table does
// not cover the multipoles of the grid.
func (f *priorFlags) tableSpectrum(g skymap.Grid) (*cosmology.Table, string, error) {
	t, err := cosmology.ReadTable(f.table)
	if err != nil {
		return nil, "", err
	}
	desc := "table " + f.table

	lmin, lmax := powerspec.EllRange(g.NX, g.NY, g.PixelRad())
	lmax *= math.Sqrt2 // the corner modes of the grid
	first, _ := t.Row(0)
	last, _ := t.Row(t.Len() - 1)
	if first > lmin || last < lmax {
		desc += fmt.Sprintf("\nwarning: the table covers ell = %.4g to %.4g but the grid's modes span %.4g to %.4g, so C_ell is extrapolated outside the table (constant below, power law above)", first, last, lmin, lmax)
	}
	return t, desc, nil
}

// theorySpectrum computes the theory C_ell on 200 log-spaced multipoles
// that span the grid's range with a margin on both sides.
func (f *priorFlags) theorySpectrum(g skymap.Grid) (*cosmology.Table, string, error) {
	if err := f.params.Validate(); err != nil {
		return nil, "", usageError{Err: fmt.Errorf("invalid cosmological parameters: %w", err)}
	}
	if !(f.zs > 0) || math.IsInf(f.zs, 0) {
		return nil, "", usagef("invalid --zs %v: the source redshift must be positive", f.zs)
	}

	// The source redshifts: one, or a distribution.
	src, srcDesc := cosmology.SingleSource(f.zs), fmt.Sprintf("z_s = %g", f.zs)
	if f.nz != "" {
		z, density, err := readTwoColumns(f.nz)
		if err != nil {
			return nil, "", err
		}
		if src, err = cosmology.SourceDistribution(z, density); err != nil {
			return nil, "", fmt.Errorf("%s: %w", f.nz, err)
		}
		srcDesc = fmt.Sprintf("n(z) from %s (%d nodes)", f.nz, len(z))
	}

	// C_ell on a log-spaced table.
	lmin, lmax := powerspec.EllRange(g.NX, g.NY, g.PixelRad())
	lo, hi := math.Max(1, lmin/2), lmax*2
	const n = 200
	ells := make([]float64, n)
	for i := range ells {
		ells[i] = lo * math.Pow(hi/lo, float64(i)/float64(n-1))
	}
	cl, err := cosmology.ConvergenceCl(f.params, src, ells)
	if err != nil {
		return nil, "", err
	}
	t, err := cosmology.NewTable(ells, cl)
	if err != nil {
		return nil, "", err
	}
	desc := fmt.Sprintf("theory (Eisenstein-Hu, Halofit-Takahashi, Limber): %s, h = %g, Omega_c = %.5f, Omega_b = %.5f, n_s = %g, sigma_8 = %g",
		srcDesc, f.params.H, f.params.OmegaCDM, f.params.OmegaB, f.params.NS, f.params.Sigma8)
	return t, desc, nil
}

// windowCards returns the PIXWIN card, with comment, for a command with
// --pixel-window.
func (f *priorFlags) windowCards(comment string) []fits.Card {
	if !f.hasWindow {
		return nil
	}
	return []fits.Card{{Key: "PIXWIN", Value: f.window, Comment: comment}}
}

// cards records the prior in a FITS header.
func (f *priorFlags) cards() []fits.Card {
	cards := f.windowCards("prior C_ell times the square-pixel window")
	if f.table != "" {
		return append(cards, fits.Card{Key: "PRIORPS", Value: f.table, Comment: "C_ell table of the Gaussian prior"})
	}
	return append(cards, []fits.Card{
		{Key: "PRIORPS", Value: "theory", Comment: "Eisenstein-Hu + Halofit (Takahashi) + Limber"},
		{Key: "ZSOURCE", Value: f.zs, Comment: "source redshift of the prior, unless NZFILE"},
		{Key: "NZFILE", Value: f.nz, Comment: "n(z) table of the prior; empty for ZSOURCE"},
		{Key: "HUBBLE", Value: f.params.H, Comment: "h of the prior"},
		{Key: "OMEGAC", Value: f.params.OmegaCDM, Comment: "Omega_c of the prior"},
		{Key: "OMEGAB", Value: f.params.OmegaB, Comment: "Omega_b of the prior"},
		{Key: "NS", Value: f.params.NS, Comment: "n_s of the prior"},
		{Key: "SIGMA8", Value: f.params.Sigma8, Comment: "sigma_8 of the prior"},
	}...)
}

// readTwoColumns reads a text table of two numeric columns; blank lines and
// lines starting with '#' are skipped.
func readTwoColumns(path string) (a, b []float64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(strings.ReplaceAll(line, ",", " "))
		if len(f) != 2 {
			return nil, nil, fmt.Errorf("%s:%d: %d fields, want 2 (z and n)", path, i+1, len(f))
		}
		x, err1 := strconv.ParseFloat(f[0], 64)
		y, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			return nil, nil, fmt.Errorf("%s:%d: %q is not two numbers", path, i+1, line)
		}
		a, b = append(a, x), append(b, y)
	}
	if len(a) == 0 {
		return nil, nil, fmt.Errorf("%s: no rows", path)
	}
	return a, b, nil
}
