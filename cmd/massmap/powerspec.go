package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/plotspec"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/skymap"
)

const powerspecSynopsis = `Usage: massmap powerspec [--catalog FILE | --map FILE.fits] --out SPECTRUM.txt [--png FILE.png] [flags]

Measures the binned angular power spectrum C_ell of a convergence map: by
default of the Kaiser-Squires E- and B-mode maps of a shear catalogue (the
catalogue, grid and inversion flags and conventions are those of massmap ks,
but without smoothing by default), or with --map of an image HDU of a FITS
file, such as KAPPA_E of massmap ks or KAPPA of massmap simulate.

The estimator is the flat-sky pseudo-spectrum of package powerspec: the
squared FFT of the windowed map, averaged over the Fourier modes of each ell
band and divided by the mean squared window, with its Gaussian standard error.
The window is the footprint with a cosine taper of --apodize-arcmin inside its
edges, including the edges of the map. The footprint is the pixels with
galaxies (NGAL > 0); for --map, it is the finite pixels, restricted to NGAL > 0
when the file has an NGAL HDU of the same size. The window is not deconvolved
and noise power is not subtracted, so for a catalogue the B mode estimates the
noise level in the E mode.

Writes the E-mode spectrum to --out as a text table: comment lines starting
with '#' that record the inputs, then one line per band with the columns
ell_min ell_max ell_mean C_ell error n_modes. C_ell is in steradians times the
map's unit squared (steradians for a convergence map). --b-out writes the B
mode of a catalogue in the same format. --png draws ell(ell+1) C_ell / 2 pi
against ell on log axes: the bands with error bars, the --ps or theory C_ell
times the pixel window (--pixel-window) and smoothed as the map is, averaged
over the same Fourier modes, and for a catalogue the expected shape-noise
power. A table of the bands goes to
standard error.`

// spectrumFlags are the flags of massmap powerspec beyond the shared groups.
type spectrumFlags struct {
	mapPath, mapHDU string
	smoothArcmin    float64
	pad             int
	bins            int
	lmin, lmax      float64
	log             bool
	apodizeArcmin   float64
	theory          bool
	bOut            string
}

func (f *spectrumFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.mapPath, "map", "", "FITS file of a map to measure, in place of a catalogue")
	fs.StringVar(&f.mapHDU, "map-hdu", "", "HDU of --map: a number (0 = primary) or an EXTNAME (default: the first HDU with image data)")
	fs.Float64Var(&f.smoothArcmin, "smooth-arcmin", 0, "standard deviation of the Gaussian that smooths the Kaiser-Squires maps, in arcmin; 0 for none")
	fs.IntVar(&f.pad, "pad", 0, "pixels of zero shear added on each side before the Kaiser-Squires inversion")
	fs.IntVar(&f.bins, "bins", 10, "number of ell bands")
	fs.Float64Var(&f.lmin, "lmin", 0, "lower edge of the first band, a multipole (default: the fundamental 2 pi / (max(nx, ny) pixel) of the grid)")
	fs.Float64Var(&f.lmax, "lmax", 0, "upper edge of the last band, a multipole (default: the Nyquist multipole pi / pixel of the grid)")
	fs.BoolVar(&f.log, "log", true, "bands of equal width in ln(ell); --log=false for equal widths in ell")
	fs.Float64Var(&f.apodizeArcmin, "apodize-arcmin", 2, "width in arcmin of the cosine taper inside the edges of the footprint; 0 for a sharp mask")
	fs.BoolVar(&f.theory, "theory", true, "compare with the --ps or theory C_ell in the summary and the plot; --theory=false for a map that is not a convergence")
	fs.StringVar(&f.bOut, "b-out", "", "also write the B-mode spectrum of the catalogue, as a text table like --out, to this file")
}

// check validates the flags that do not depend on the map.
func (f *spectrumFlags) check(set map[string]bool) error {
	switch {
	case f.bins < 1:
		return usagef("invalid --bins %d: the spectrum needs at least 1 band", f.bins)
	case set["lmin"] && (!(f.lmin >= 0) || math.IsInf(f.lmin, 0)):
		return usagef("invalid --lmin %v: give a multipole of 0 or more", f.lmin)
	case set["lmin"] && f.log && f.lmin == 0:
		return usagef("invalid --lmin 0 for logarithmic bands: give a positive multipole, or --log=false")
	case set["lmax"] && (!(f.lmax > 0) || math.IsInf(f.lmax, 0)):
		return usagef("invalid --lmax %v: give a positive multipole", f.lmax)
	case set["lmin"] && set["lmax"] && f.lmin >= f.lmax:
		return usagef("invalid band range: --lmin %v is not below --lmax %v", f.lmin, f.lmax)
	case !(f.apodizeArcmin >= 0) || math.IsInf(f.apodizeArcmin, 0):
		return usagef("invalid --apodize-arcmin %v: it must be 0 or a positive number of arcmin", f.apodizeArcmin)
	case !(f.smoothArcmin >= 0) || math.IsInf(f.smoothArcmin, 0):
		return usagef("invalid --smooth-arcmin %v: it must be 0 or a positive number of arcmin", f.smoothArcmin)
	case f.pad < 0:
		return usagef("invalid --pad %d: it must be 0 or a positive number of pixels", f.pad)
	}
	if !f.theory {
		for _, name := range []string{"ps", "zs", "h", "omega-cdm", "omega-b", "ns", "sigma8"} {
			if set[name] {
				return usagef("--%s sets the C_ell to compare with, which --theory=false turns off", name)
			}
		}
	}
	if f.mapPath == "" {
		if set["map-hdu"] {
			return usagef("--map-hdu selects the HDU of --map, which is missing")
		}
		return nil
	}
	for _, name := range []string{"catalog", "hdu", "ra-col", "dec-col", "e1-col", "e2-col", "weight-col", "flip-e1", "flip-e2", "nx", "ny", "npix", "center", "projection", "smooth-arcmin", "pad", "b-out"} {
		if set[name] {
			return usagef("--%s applies to a catalogue, not to --map", name)
		}
	}
	return nil
}

// bands returns the ell bands of the flags. The edges that the flags leave
// unset are those of the grid's ell range.
func (f *spectrumFlags) bands(set map[string]bool, nx, ny int, pixelRad float64) (powerspec.Bins, error) {
	lo, hi := powerspec.EllRange(nx, ny, pixelRad)
	if set["lmin"] {
		lo = f.lmin
	}
	if set["lmax"] {
		hi = f.lmax
	}
	if lo >= hi {
		return powerspec.Bins{}, usagef("invalid band range: the lower edge %g is not below the upper edge %g (by default the grid's fundamental multipole and its Nyquist multipole)", lo, hi)
	}
	if f.log {
		return powerspec.LogBins(lo, hi, f.bins), nil
	}
	return powerspec.LinBins(lo, hi, f.bins), nil
}

// measuredMaps are the maps to measure, with their footprint and the text
// that the outputs record about them.
type measuredMaps struct {
	nx, ny       int
	pixelArcmin  float64
	smoothArcmin float64   // Gaussian smoothing that the maps already have
	mask         []bool    // nil when every pixel is observed
	e, b         []float64 // b is nil for --map
	noiseVar     []float64 // per-pixel noise variance of e, nil for --map

	input    string // the input line of the text header
	grid     string // the grid line of the text header
	title    string // the title of the plot
	eLabel   string // legend of e in the plot
	unit     string // BUNIT of a --map, "" for a convergence
	observed string // description of the footprint
}

func runPowerspec(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("powerspec", powerspecSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var out outputFlags
	var pf priorFlags
	var sf spectrumFlags
	in.register(fs)
	gf.register(fs)
	out.register(fs)
	pf.register(fs)
	pf.registerWindow(fs)
	sf.register(fs)
	setUsage(fs, "pixel-arcmin", "pixel size in arcmin of the catalogue's grid; with --map, it replaces the pixel size |CDELT2| x 60 read from the map")
	setUsage(fs, "out", "output text file of the E-mode spectrum (required)")
	setUsage(fs, "png", "also write a PNG plot of the spectra to this file")
	setUsage(fs, "ps", "C_ell to compare with, as a text table of two columns, ell and C_ell (default: the theory spectrum of --zs and the cosmological parameters)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := setFlags(fs)
	gr, err := gf.parse(fs)
	if err != nil {
		return err
	}
	if err := sf.check(set); err != nil {
		return err
	}
	if out.out == "" {
		return usagef("missing --out: name the output text file of the spectrum")
	}
	input := in.catalog
	if sf.mapPath != "" {
		input = sf.mapPath
	}
	if err := out.check(input, pf.table); err != nil {
		return err
	}
	if err := checkExtraOutput("--b-out", sf.bOut, out, input, pf.table); err != nil {
		return err
	}

	// The maps and their footprint.
	var mm *measuredMaps
	if sf.mapPath != "" {
		mm, err = readMeasuredMap(sf.mapPath, sf.mapHDU, set["pixel-arcmin"], gr.pixelArcmin, stderr)
	} else {
		mm, err = kaiserMaps(in, gr, sf, stderr)
	}
	if err != nil {
		return err
	}
	pixelRad := mm.pixelArcmin / 60 * math.Pi / 180

	// The estimator and the measurement.
	t0 := time.Now()
	bins, err := sf.bands(set, mm.nx, mm.ny, pixelRad)
	if err != nil {
		return err
	}
	est, err := powerspec.NewEstimator(mm.nx, mm.ny, pixelRad, bins, powerspec.Options{Mask: mm.mask, ApodizeArcmin: sf.apodizeArcmin})
	if err != nil {
		return fmt.Errorf("cannot set up the power spectrum estimator: %w", err)
	}
	specE, err := est.Measure(mm.e)
	if err != nil {
		return err
	}
	var specB *powerspec.Spectrum
	if mm.b != nil {
		s, err := est.Measure(mm.b)
		if err != nil {
			return err
		}
		specB = &s
	}
	fmt.Fprintf(stderr, "window: %s, cosine taper %g arcmin; W2 = %.3f, W4 = %.3f (means of w^2 and w^4 over the map)\n",
		mm.observed, sf.apodizeArcmin, specE.W2, specE.W4)
	if specE.W2 < 0.25 {
		fmt.Fprintf(stderr, "warning: the window keeps little of the map (W2 = %.3f): every empty pixel counts as unobserved and the taper surrounds it, so use larger pixels (--pixel-arcmin) or a narrower taper (--apodize-arcmin)\n", specE.W2)
	}

	// The comparison spectra: the theory or table C_ell and the shape
	// noise, both smoothed as the map is.
	smoothing := func(ell float64) float64 { return 1 }
	if mm.smoothArcmin > 0 {
		sigma := mm.smoothArcmin / 60 * math.Pi / 180
		smoothing = func(ell float64) float64 { return math.Exp(-ell * ell * sigma * sigma) }
	}
	var theory []float64
	var theoryLabel, comparison string
	if sf.theory {
		g, err := skymap.NewGrid(mm.nx, mm.ny, mm.pixelArcmin, skymap.Gnomonic, 0, 0)
		if err != nil {
			return err
		}
		table, desc, err := pf.spectrum(g)
		if err != nil {
			return err
		}
		comparison = desc
		fmt.Fprintf(stderr, "comparison C_ell: %s\n", desc)
		// C_ell per Fourier coefficient, times the pixel window when set.
		cl := pf.power(table, g)
		ellMap := powerspec.EllMap(mm.nx, mm.ny, pixelRad)
		scale := pixelRad * pixelRad / (float64(mm.nx) * float64(mm.ny))
		for i := range cl {
			cl[i] *= scale * smoothing(ellMap[i])
		}
		theory = est.BinModes(cl)
		windowNote := ""
		if pf.window {
			windowNote = ", times the pixel window"
		}
		theoryLabel = fmt.Sprintf("theory Cℓ, sources at z = %g%s (band averages)", pf.zs, windowNote)
		if pf.table != "" {
			theoryLabel = "Cℓ of " + pf.table + windowNote + " (band averages)"
		}
	}
	var noise []float64
	if mm.noiseVar != nil {
		cn := shapeNoisePower(est.Window(), mm.noiseVar, pixelRad)
		noise = est.BinTheory(func(ell float64) float64 { return cn * smoothing(ell) })
		fmt.Fprintf(stderr, "shape noise: expected C_ell = %.3g in the E and in the B mode before smoothing\n", cn)
	}
	fmt.Fprintf(stderr, "spectrum: %d bands in %s\n", bins.Len(), since(t0))
	empty := 0
	for _, band := range specE.Bands {
		if band.Modes == 0 {
			empty++
		}
	}
	if empty > 0 {
		fmt.Fprintf(stderr, "warning: %d of %d bands hold no Fourier mode of this grid, so their C_ell is NaN; use fewer --bins or a wider --lmin/--lmax range\n", empty, len(specE.Bands))
	}
	logBands(stderr, specE, specB, theory, noise)

	// Render everything before writing anything.
	header := spectrumHeader(args, mm, sf, bins, specE, comparison)
	textE, err := spectrumText(header, "E mode", specE)
	if err != nil {
		return err
	}
	var textB []byte
	if sf.bOut != "" {
		if textB, err = spectrumText(header, "B mode", *specB); err != nil {
			return err
		}
	}
	var pngBytes []byte
	if out.png != "" {
		fig := spectrumFigure(mm, specE, specB, theory, theoryLabel, noise)
		var buf bytes.Buffer
		if err := plotspec.Encode(&buf, fig); err != nil {
			return fmt.Errorf("%s: cannot draw the plot: %w", out.png, err)
		}
		pngBytes = buf.Bytes()
	}

	// The outputs.
	outputs := []struct {
		path, what string
		content    []byte
	}{
		{out.out, "E-mode spectrum", textE},
		{sf.bOut, "B-mode spectrum", textB},
		{out.png, "plot", pngBytes},
	}
	for _, o := range outputs {
		if o.path == "" {
			continue
		}
		err := atomicfile.Write(o.path, out.force, func(w io.Writer) error {
			_, err := w.Write(o.content)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s (%s)\n", o.path, o.what)
	}
	logDone(stderr, start)
	return nil
}

// kaiserMaps bins the catalogue and returns its Kaiser-Squires E- and
// B-mode maps with the footprint NGAL > 0 and the noise variance of E.
func kaiserMaps(in inputFlags, gr gridRequest, sf spectrumFlags, log io.Writer) (*measuredMaps, error) {
	b, err := loadAndBin(in, gr, log)
	if err != nil {
		return nil, err
	}
	g, f := b.grid, b.field
	t0 := time.Now()
	tr, err := kaiser.New(g.NX, g.NY, kaiser.Options{SmoothArcmin: sf.smoothArcmin, PixelArcmin: g.PixelArcmin, Pad: sf.pad})
	if err != nil {
		return nil, err
	}
	kE, kB := make([]float64, g.Len()), make([]float64, g.Len())
	tr.Convergence(kE, kB, f.G1, f.G2)
	fmt.Fprintf(log, "Kaiser-Squires: smoothing %g arcmin, padding %d pixels; %s\n", sf.smoothArcmin, sf.pad, since(t0))

	// The E mode of white noise of variance σ² in each shear component
	// has variance σ² per pixel.
	noiseVar := make([]float64, g.Len())
	for i, s := range f.Std {
		if f.NGal[i] > 0 {
			noiseVar[i] = s * s
		}
	}
	mask := f.Mask()
	occ := f.Occupied()
	return &measuredMaps{
		nx: g.NX, ny: g.NY, pixelArcmin: g.PixelArcmin, smoothArcmin: sf.smoothArcmin,
		mask: mask, e: kE, b: kB, noiseVar: noiseVar,
		input: fmt.Sprintf("Kaiser-Squires maps of the catalogue %s (%d galaxies on the grid, sigma_e = %.4f), smoothing %g arcmin, padding %d pixels",
			b.cat.Path, f.Binned, f.SigmaE, sf.smoothArcmin, sf.pad),
		grid: fmt.Sprintf("%d x %d pixels of %g arcmin, %s projection, centre RA %.7f Dec %.7f",
			g.NX, g.NY, g.PixelArcmin, g.Projection, g.CenterRA, g.CenterDec),
		title:    "Power spectrum of the Kaiser-Squires maps of " + b.cat.Path,
		eLabel:   "E mode (KAPPA_E)",
		observed: fmt.Sprintf("%d of %d pixels observed (NGAL > 0)", occ, g.Len()),
	}, nil
}

// readMeasuredMap reads the map of --map with its footprint and pixel size.
func readMeasuredMap(path, hdu string, pixelSet bool, pixelArcmin float64, log io.Writer) (*measuredMaps, error) {
	img, err := fits.ReadImage(path, hdu)
	if err != nil {
		return nil, err
	}
	name := img.Name
	if name == "" {
		name = "HDU " + hdu
		if hdu == "" {
			name = "the first image HDU"
		}
	}
	switch {
	case len(img.Axes) == 0:
		return nil, fmt.Errorf("%s: %s has no image data: choose the map with --map-hdu", path, name)
	case len(img.Axes) != 2:
		return nil, fmt.Errorf("%s: %s is a %d-dimensional image: want a 2-D map", path, name, len(img.Axes))
	}
	nx, ny := img.Axes[0], img.Axes[1]

	// The pixel size, from the flag or from the header.
	source := "--pixel-arcmin"
	if !pixelSet {
		cdelt2, ok := img.Float("CDELT2")
		if !ok || !(cdelt2 != 0) || math.IsInf(cdelt2, 0) {
			return nil, fmt.Errorf("%s: %s has no usable CDELT2 card for the pixel size: give it with --pixel-arcmin", path, name)
		}
		if cdelt1, ok := img.Float("CDELT1"); ok && math.Abs(math.Abs(cdelt1)-math.Abs(cdelt2)) > 1e-6*math.Abs(cdelt2) {
			return nil, fmt.Errorf("%s: %s has pixels of |CDELT1| = %g and |CDELT2| = %g degrees: the estimator needs square pixels", path, name, math.Abs(cdelt1), math.Abs(cdelt2))
		}
		pixelArcmin = math.Abs(cdelt2) * 60
		source = "CDELT2"
	}

	// The footprint: finite pixels, and NGAL > 0 when the file has NGAL.
	mask := make([]bool, len(img.Data))
	for i, v := range img.Data {
		mask[i] = !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	observed := "finite pixels"
	if !strings.EqualFold(img.Name, "NGAL") {
		if ngal, err := fits.ReadImage(path, "NGAL"); err == nil {
			if len(ngal.Axes) == 2 && ngal.Axes[0] == nx && ngal.Axes[1] == ny {
				for i, c := range ngal.Data {
					mask[i] = mask[i] && c > 0
				}
				observed = "finite pixels with NGAL > 0"
			} else {
				fmt.Fprintf(log, "note: the NGAL HDU of %s has another size than the map and is not used as the footprint\n", path)
			}
		}
	}
	count := 0
	for _, ok := range mask {
		if ok {
			count++
		}
	}
	if count == 0 {
		return nil, fmt.Errorf("%s: %s has no observed pixel (%s)", path, name, observed)
	}
	unit := ""
	if c, ok := img.Card("BUNIT"); ok {
		unit, _ = c.Value.(string)
	}
	// The SMOOTH card of massmap ks gives the smoothing of its maps.
	smooth, _ := img.Float("SMOOTH")
	if !(smooth > 0) || math.IsInf(smooth, 0) {
		smooth = 0
	}
	input := fmt.Sprintf("map %s, %s", path, name)
	if smooth > 0 {
		input += fmt.Sprintf(", smoothed %g arcmin (its SMOOTH card)", smooth)
	}
	fmt.Fprintf(log, "%s: %d x %d pixels of %g arcmin (from %s)\n", input, nx, ny, pixelArcmin, source)
	mm := &measuredMaps{
		nx: nx, ny: ny, pixelArcmin: pixelArcmin, smoothArcmin: smooth,
		e:        img.Data,
		input:    input,
		grid:     fmt.Sprintf("%d x %d pixels of %g arcmin (pixel size from %s)", nx, ny, pixelArcmin, source),
		title:    fmt.Sprintf("Power spectrum of %s [%s]", path, name),
		eLabel:   name,
		unit:     unit,
		observed: fmt.Sprintf("%d of %d pixels observed (%s)", count, len(mask), observed),
	}
	if count < len(mask) {
		mm.mask = mask
	}
	return mm, nil
}

// shapeNoisePower returns the expected power of white noise with the
// per-pixel variance noiseVar in the estimator's normalisation,
//
//	C_N = p² Σ w² σ² / Σ w²,
//
// p the pixel side in radians and w the window.
func shapeNoisePower(window, noiseVar []float64, pixelRad float64) float64 {
	var num, den float64
	for i, w := range window {
		if w > 0 {
			num += w * w * noiseVar[i]
			den += w * w
		}
	}
	return pixelRad * pixelRad * num / den
}

// spectrumHeader returns the comment lines that open each text output.
// comparison describes the C_ell of the plot, "" for none.
func spectrumHeader(args []string, mm *measuredMaps, sf spectrumFlags, bins powerspec.Bins, spec powerspec.Spectrum, comparison string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# massmap powerspec, skyinv %s, written %s UTC\n", skyinv.Version, time.Now().UTC().Format("2006-01-02T15:04:05"))
	fmt.Fprintf(&b, "# command line: massmap powerspec %s\n", strings.Join(args, " "))
	fmt.Fprintf(&b, "# input: %s\n", mm.input)
	fmt.Fprintf(&b, "# grid: %s\n", mm.grid)
	fmt.Fprintf(&b, "# window: %s, cosine taper %g arcmin; W2 = %.6g, W4 = %.6g\n", mm.observed, sf.apodizeArcmin, spec.W2, spec.W4)
	kind := "logarithmic"
	if !sf.log {
		kind = "linear"
	}
	edges := bins.Edges
	fmt.Fprintf(&b, "# bands: %d %s, ell from %.6g to %.6g\n", bins.Len(), kind, edges[0], edges[len(edges)-1])
	unit := "steradians (dimensionless map)"
	if mm.unit != "" {
		unit = "(" + mm.unit + ")^2 steradians"
	}
	fmt.Fprintf(&b, "# C_ell in %s; error: Gaussian standard error; the window is not deconvolved and noise is not subtracted\n", unit)
	if comparison != "" {
		fmt.Fprintf(&b, "# compared with the C_ell of the %s\n", comparison)
	}
	return b.String()
}

// spectrumText returns the header, a line naming the mode and the table of
// the spectrum.
func spectrumText(header, mode string, spec powerspec.Spectrum) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(header)
	fmt.Fprintf(&buf, "# %s\n", mode)
	if err := spec.WriteText(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// logBands writes the table of the bands to log.
func logBands(log io.Writer, e powerspec.Spectrum, b *powerspec.Spectrum, theory, noise []float64) {
	var head strings.Builder
	head.WriteString("  ell_min   ell_max   ell_mean  modes   C_ell E    error E")
	if b != nil {
		head.WriteString("    C_ell B  ")
	}
	if theory != nil {
		head.WriteString("    theory   ")
	}
	if noise != nil {
		head.WriteString("    noise")
	}
	fmt.Fprintln(log, strings.TrimRight(head.String(), " "))
	for i, band := range e.Bands {
		fmt.Fprintf(log, "%9.4g %9.4g %9.4g %6d %10.4g %10.4g", band.EllMin, band.EllMax, band.EllMean, band.Modes, band.Cl, band.Err)
		if b != nil {
			fmt.Fprintf(log, " %10.4g", b.Bands[i].Cl)
		}
		if theory != nil {
			fmt.Fprintf(log, " %10.4g", theory[i])
		}
		if noise != nil {
			fmt.Fprintf(log, " %10.4g", noise[i])
		}
		fmt.Fprintln(log)
	}
}

// spectrumFigure returns the plot of the spectra.
func spectrumFigure(mm *measuredMaps, e powerspec.Spectrum, b *powerspec.Spectrum, theory []float64, theoryLabel string, noise []float64) plotspec.Figure {
	bandPoints := func(label string, s powerspec.Spectrum) plotspec.Points {
		p := plotspec.Points{Label: label}
		for _, band := range s.Bands {
			p.Ell = append(p.Ell, band.EllMean)
			p.Cl = append(p.Cl, band.Cl)
			p.Err = append(p.Err, band.Err)
		}
		return p
	}
	ells := make([]float64, len(e.Bands))
	for i, band := range e.Bands {
		ells[i] = band.EllMean
	}
	unit := "dimensionless"
	if mm.unit != "" {
		unit = mm.unit + "²"
	}
	fig := plotspec.Figure{
		Title:  mm.title,
		YLabel: "ℓ(ℓ+1) Cℓ / 2π  (" + unit + ")",
		Points: []plotspec.Points{bandPoints(mm.eLabel, e)},
	}
	if b != nil {
		fig.Points = append(fig.Points, bandPoints("B mode (KAPPA_B)", *b))
	}
	if theory != nil {
		fig.Curves = append(fig.Curves, plotspec.Curve{Label: theoryLabel, Ell: ells, Cl: theory})
	}
	if noise != nil {
		fig.Curves = append(fig.Curves, plotspec.Curve{Label: "shape noise, expected level", Ell: ells, Cl: noise, Dashed: true})
	}
	return fig
}
