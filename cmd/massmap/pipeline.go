package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"time"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/catalog"
	"github.com/skyinv/skyinv/internal/cli"
	"github.com/skyinv/skyinv/shearmap"
	"github.com/skyinv/skyinv/skymap"
)

// maxAutoPixels caps the side of a grid sized to cover the catalogue, so
// that a tiny --pixel-arcmin on a wide catalogue fails with advice instead of
// allocating gigabytes.
const maxAutoPixels = 8192

// readCatalog reads the catalogue named by the flags, or the embedded mock
// catalogue when none is named.
func readCatalog(in inputFlags) (*catalog.Catalog, error) {
	opt := catalog.Options{Columns: in.columns, HDU: in.hdu, FlipE1: in.flipE1, FlipE2: in.flipE2}
	if in.catalog != "" {
		return catalog.Read(in.catalog, opt)
	}

	// The catalogue reader works on files; the embedded bytes go through a
	// temporary one.
	tmp, err := os.CreateTemp("", "massmap-mock-*.fits")
	if err != nil {
		return nil, fmt.Errorf("cannot unpack the embedded catalogue: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(skyinv.MockCatalog); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("cannot unpack the embedded catalogue: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("cannot unpack the embedded catalogue: %w", err)
	}
	cat, err := catalog.Read(tmp.Name(), opt)
	if err != nil {
		return nil, err
	}
	cat.Path = skyinv.MockCatalogName
	return cat, nil
}

// medianPosition returns the median RA and Dec of the galaxies. RA is taken
// as an offset from the circular mean direction, so that a field across
// RA = 0/360 gets a centre inside it; the result is one of the input values
// (for an odd count), not a sum that rounding could shift.
func medianPosition(ra, dec []float64) (float64, float64) {
	var sx, sy float64
	for _, a := range ra {
		s, c := math.Sincos(a * math.Pi / 180)
		sx += c
		sy += s
	}
	ref := math.Atan2(sy, sx) * 180 / math.Pi

	type offset struct{ d, ra float64 }
	offs := make([]offset, len(ra))
	for i, a := range ra {
		d := math.Mod(a-ref, 360)
		switch {
		case d > 180:
			d -= 360
		case d <= -180:
			d += 360
		}
		offs[i] = offset{d, a}
	}
	slices.SortFunc(offs, func(x, y offset) int {
		switch {
		case x.d < y.d:
			return -1
		case x.d > y.d:
			return 1
		}
		return 0
	})
	decs := slices.Clone(dec)
	slices.Sort(decs)

	n := len(ra)
	if n%2 == 1 {
		return offs[n/2].ra, decs[n/2]
	}
	lo, hi := offs[n/2-1], offs[n/2]
	mid := math.Mod(lo.ra+(hi.d-lo.d)/2+360, 360)
	return mid, (decs[n/2-1] + decs[n/2]) / 2
}

// makeGrid builds the grid: the requested size, or one that covers every
// galaxy around the centre.
func makeGrid(req gridRequest, cat *catalog.Catalog) (skymap.Grid, error) {
	ra, dec := req.ra, req.dec
	if !req.hasCenter {
		ra, dec = medianPosition(cat.RA, cat.Dec)
	}
	nx, ny := req.nx, req.ny
	if nx == 0 {
		// A 1-pixel probe grid gives projected offsets in pixels of the
		// requested size.
		probe, err := skymap.NewGrid(1, 1, req.pixelArcmin, req.projection, ra, dec)
		if err != nil {
			return skymap.Grid{}, usageError{Err: err}
		}
		var mx, my float64
		for i := range cat.RA {
			x, y, ok := probe.ToPixel(cat.RA[i], cat.Dec[i])
			if !ok {
				return skymap.Grid{}, fmt.Errorf("%s: galaxy at row %d (RA %.6f, Dec %.6f) is 90 degrees or more from the centre (%.6f, %.6f): the catalogue is too wide for one gnomonic map", cat.Path, i+1, cat.RA[i], cat.Dec[i], ra, dec)
			}
			mx = math.Max(mx, math.Abs(x))
			my = math.Max(my, math.Abs(y))
		}
		nx = 2*int(math.Ceil(mx+0.5)) + 1
		ny = 2*int(math.Ceil(my+0.5)) + 1
		if m := req.multiple; m > 1 {
			nx = (nx + m - 1) / m * m
			ny = (ny + m - 1) / m * m
		}
		if nx > maxAutoPixels || ny > maxAutoPixels {
			return skymap.Grid{}, usagef("covering the catalogue with %g-arcmin pixels needs a %d x %d grid: give a larger --pixel-arcmin or set the size with --npix", req.pixelArcmin, nx, ny)
		}
	}
	g, err := skymap.NewGrid(nx, ny, req.pixelArcmin, req.projection, ra, dec)
	if err != nil {
		return g, usageError{Err: err}
	}
	return g, nil
}

// binned is a catalogue on a grid, with what the summary reports.
type binned struct {
	cat    *catalog.Catalog
	grid   skymap.Grid
	assign *shearmap.Assignment
	field  *shearmap.Field
}

// loadAndBin reads the catalogue, builds the grid and bins the galaxies,
// reporting each step on log.
func loadAndBin(in inputFlags, gr gridRequest, log io.Writer) (*binned, error) {
	start := time.Now()
	cat, err := readCatalog(in)
	if err != nil {
		return nil, err
	}
	kept := len(cat.RA)
	fmt.Fprintf(log, "catalogue: %s\n", cat.Path)
	fmt.Fprintf(log, "  %d rows read, %d kept, %d dropped", cat.Rows, kept, cat.Rows-kept)
	if cat.Rows > kept {
		fmt.Fprintf(log, " (%s)", cat.Dropped)
	}
	weights := "unit weights (no weight column)"
	if cat.HasWeight {
		name := in.columns.Weight
		if name == "" {
			name = "weight"
		}
		weights = "weights from column " + name
	}
	fmt.Fprintf(log, "\n  %s; read in %s\n", weights, since(start))

	g, err := makeGrid(gr, cat)
	if err != nil {
		return nil, err
	}
	w := g.PixelArcmin
	if g.Projection == skymap.PlateCarree && math.Abs(g.CenterDec) > 10 {
		fmt.Fprintf(log, "warning: with --projection radec at Dec %.1f, a pixel spans %.2f times less sky in RA than in Dec; the inversion assumes square pixels, so prefer --projection tan away from the equator\n",
			g.CenterDec, 1/math.Cos(g.CenterDec*math.Pi/180))
	}
	fmt.Fprintf(log, "grid: %d x %d pixels of %g arcmin (%.1f x %.1f arcmin), %s projection, centre RA %.7f Dec %.7f\n",
		g.NX, g.NY, w, float64(g.NX)*w, float64(g.NY)*w, g.Projection, g.CenterRA, g.CenterDec)

	start = time.Now()
	var weight []float64
	if cat.HasWeight {
		weight = cat.Weight
	}
	a, err := shearmap.Assign(g, cat.RA, cat.Dec, weight)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cat.Path, err)
	}
	f := a.Field(cat.E1, cat.E2)
	occ := f.Occupied()
	fmt.Fprintf(log, "binning: %d galaxies in %d pixels (%.1f%% of the grid), %d outside the grid; sigma_e = %.4f per component; %s\n",
		f.Binned, occ, 100*float64(occ)/float64(g.Len()), f.Outside, f.SigmaE, since(start))
	return &binned{cat: cat, grid: g, assign: a, field: f}, nil
}

// dataMaps returns the NGAL, WEIGHT and SHEAR_STD maps that every mass map
// carries beside its reconstruction.
func (b *binned) dataMaps() []skymap.Map {
	f := b.field
	ngal := make([]float64, len(f.NGal))
	for i, c := range f.NGal {
		ngal[i] = float64(c)
	}
	return []skymap.Map{
		{Name: "NGAL", Data: ngal, Unit: "count", Description: "number of galaxies per pixel"},
		{Name: "WEIGHT", Data: f.Weight, Description: "sum of galaxy weights per pixel"},
		{Name: "SHEAR_STD", Data: f.Std, Description: "noise std of the mean shear per pixel (NaN where no weight)"},
	}
}

// noiseVariance returns SHEAR_STD² per pixel, +Inf where a pixel has no
// data: the noise model of the Wiener and sparse reconstructions.
func (b *binned) noiseVariance() []float64 {
	noise := make([]float64, len(b.field.Std))
	for i, s := range b.field.Std {
		noise[i] = math.Inf(1)
		if !math.IsNaN(s) && s > 0 {
			noise[i] = s * s
		}
	}
	return noise
}

// ratio returns a / b element by element: the signal-to-noise map.
func ratio(a, b []float64) []float64 {
	r := make([]float64, len(a))
	for i := range a {
		r[i] = a[i] / b[i]
	}
	return r
}

func since(t time.Time) string { return cli.Since(t) }
