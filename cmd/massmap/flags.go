package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/skyinv/skyinv/catalog"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/internal/cli"
	"github.com/skyinv/skyinv/skymap"
)

// inputFlags select the catalogue and its columns.
type inputFlags struct {
	catalog        string
	hdu            string
	columns        catalog.Columns
	flipE1, flipE2 bool
}

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.catalog, "catalog", "", "shear catalogue: a FITS binary table or a text table with a header line (default: the embedded mock catalogue)")
	fs.StringVar(&f.hdu, "hdu", "", "FITS HDU of the catalogue: a number (0 = primary) or an EXTNAME (default: the first table)")
	fs.StringVar(&f.columns.RA, "ra-col", "ra", "column of right ascension, in degrees")
	fs.StringVar(&f.columns.Dec, "dec-col", "dec", "column of declination, in degrees")
	fs.StringVar(&f.columns.E1, "e1-col", "e1", "column of the first ellipticity component")
	fs.StringVar(&f.columns.E2, "e2-col", "e2", "column of the second ellipticity component")
	fs.StringVar(&f.columns.Weight, "weight-col", "", "column of weights (default: weight when the catalogue has it, else unit weights)")
	fs.BoolVar(&f.flipE1, "flip-e1", false, "negate e1 on input, for catalogues with the opposite convention")
	fs.BoolVar(&f.flipE2, "flip-e2", false, "negate e2 on input, for catalogues with the opposite convention (e2 > 0 along the North-West to South-East diagonal)")
}

// gridFlags describe the pixel grid.
type gridFlags struct {
	nx, ny, npix int
	pixelArcmin  float64
	center       string
	projection   string
}

func (f *gridFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.nx, "nx", 0, "grid width in pixels, with --ny (default: cover the catalogue)")
	fs.IntVar(&f.ny, "ny", 0, "grid height in pixels, with --nx")
	fs.IntVar(&f.npix, "npix", 0, "grid width and height in pixels, for a square grid")
	fs.Float64Var(&f.pixelArcmin, "pixel-arcmin", 1, "pixel size in arcmin")
	fs.StringVar(&f.center, "center", "", "grid centre as RA,DEC in degrees (default: the median galaxy position)")
	fs.StringVar(&f.projection, "projection", "tan", "tan (gnomonic projection about the centre) or radec (RA and Dec binned linearly, as in some published maps)")
}

// gridRequest is a validated gridFlags: sizes 0 mean "cover the catalogue",
// hasCenter false means "the median position".
type gridRequest struct {
	nx, ny      int
	pixelArcmin float64
	hasCenter   bool
	ra, dec     float64
	projection  skymap.Projection

	// multiple, when above 1, rounds the sides of a grid sized to cover
	// the catalogue up to multiples of it, for a network that needs them.
	multiple int
}

// parse validates the grid flags. It reads from fs which flags were set.
func (f *gridFlags) parse(fs *flag.FlagSet) (gridRequest, error) {
	set := setFlags(fs)
	var r gridRequest
	switch {
	case set["npix"] && (set["nx"] || set["ny"]):
		return r, usagef("--npix sets both sides: give either --npix or --nx and --ny")
	case set["npix"]:
		if f.npix < 1 {
			return r, usagef("invalid --npix %d: the grid needs at least 1 pixel on a side", f.npix)
		}
		r.nx, r.ny = f.npix, f.npix
	case set["nx"] != set["ny"]:
		return r, usagef("--nx and --ny must be given together (or use --npix for a square grid)")
	case set["nx"]:
		if f.nx < 1 || f.ny < 1 {
			return r, usagef("invalid grid size --nx %d --ny %d: the grid needs at least 1 pixel on a side", f.nx, f.ny)
		}
		r.nx, r.ny = f.nx, f.ny
	}
	if !(f.pixelArcmin > 0) || math.IsInf(f.pixelArcmin, 0) {
		return r, usagef("invalid --pixel-arcmin %v: the pixel size must be a positive number of arcmin", f.pixelArcmin)
	}
	r.pixelArcmin = f.pixelArcmin
	p, err := skymap.ParseProjection(f.projection)
	if err != nil {
		return r, usagef("invalid --projection: %v", err)
	}
	r.projection = p
	if f.center != "" {
		ra, dec, err := parseCenter(f.center)
		if err != nil {
			return r, usagef("invalid --center %q: %v", f.center, err)
		}
		r.hasCenter, r.ra, r.dec = true, ra, dec
	}
	return r, nil
}

func parseCenter(s string) (ra, dec float64, err error) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, errors.New("expected RA,DEC in degrees, for example 150.1161,2.2475")
	}
	ra, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	dec, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, errors.New("expected RA,DEC as two numbers in degrees")
	case !(ra >= 0 && ra < 360):
		return 0, 0, fmt.Errorf("RA %g is outside [0, 360)", ra)
	case !(dec >= -90 && dec <= 90):
		return 0, 0, fmt.Errorf("Dec %g is outside [-90, 90]", dec)
	}
	return ra, dec, nil
}

// outputFlags name the output files.
type outputFlags struct {
	out, png string
	force    bool
}

func (f *outputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "out", "", "output FITS file (required)")
	fs.StringVar(&f.png, "png", "", "also write a PNG quick look to this file")
	fs.BoolVar(&f.force, "force", false, "overwrite existing output files")
}

// check validates the output flags and fails early when an output exists
// and --force is not set, when its directory is missing, or when an output
// would replace one of the inputs.
func (f *outputFlags) check(inputs ...string) error {
	if f.out == "" {
		return usagef("missing --out: name the output FITS file")
	}
	for _, in := range inputs {
		for _, o := range []string{f.out, f.png} {
			if in != "" && o != "" && cli.SameFile(in, o) {
				return usagef("the output %s is the input %s: choose another output name", o, in)
			}
		}
	}
	if f.png != "" && filepath.Clean(f.png) == filepath.Clean(f.out) {
		return usagef("--png and --out name the same file %s", f.out)
	}
	for _, p := range []string{f.out, f.png} {
		if p == "" {
			continue
		}
		if err := atomicfile.CheckWritable(p, f.force); err != nil {
			return err
		}
		dir := filepath.Dir(p)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%s: output directory %s does not exist", p, dir)
		}
	}
	return nil
}

// newFlagSet returns the FlagSet of a massmap subcommand (see
// cli.NewFlagSet).
func newFlagSet(name, synopsis string, args []string, stdout, stderr io.Writer) *flag.FlagSet {
	return cli.NewFlagSet("massmap", name, synopsis, args, stdout, stderr)
}

// parseFlags parses args (see cli.ParseFlags).
func parseFlags(fs *flag.FlagSet, args []string) error {
	return cli.ParseFlags(fs, args, "--catalog FILE")
}

func setFlags(fs *flag.FlagSet) map[string]bool { return cli.SetFlags(fs) }
