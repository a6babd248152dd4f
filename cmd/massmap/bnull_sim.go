package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/simulate"
	"github.com/skyinv/skyinv/skymap"
)

// Indices of the statistics in nullStats. The band powers follow them.
const (
	statBStdFootprint = iota
	statBStdInterior
	statEStdFootprint
	statFirstBand
)

// nullStats are the statistics of one catalogue, data or simulation, in
// the order of the stat constants and then one band power per ell band.
type nullStats []float64

// maskMoments are the sums over the pixels of a mask from which the
// standard deviation of (a·x + y)/σ follows for any scale a, with x the map
// of the simulated signal alone and y that of the noise alone.
type maskMoments struct {
	n, x, y, xx, xy, yy float64
}

// std returns the standard deviation (divisor n) of (a·x + y)/σ over the
// mask, NaN for an empty mask.
func (m maskMoments) std(a float64) float64 {
	if m.n == 0 {
		return math.NaN()
	}
	mean := (a*m.x + m.y) / m.n
	meanSq := (a*a*m.xx + 2*a*m.xy + m.yy) / m.n
	return math.Sqrt(math.Max(0, meanSq-mean*mean))
}

// bandParts are the band powers of the signal map alone (xx), of the noise
// map alone (yy) and their cross power (xy): the band power of a·x + y is
// a² xx + 2a xy + yy.
type bandParts struct {
	xx, xy, yy float64
}

// simParts are the statistics of one simulation split into signal and
// noise, so that they can be evaluated for any scale of the signal.
type simParts struct {
	bFootprint, bInterior, eFootprint maskMoments
	bands                             []bandParts
}

// at returns the statistics of the simulation with its signal multiplied
// by a.
func (p simParts) at(a float64) nullStats {
	v := make(nullStats, statFirstBand+len(p.bands))
	v[statBStdFootprint] = p.bFootprint.std(a)
	v[statBStdInterior] = p.bInterior.std(a)
	v[statEStdFootprint] = p.eFootprint.std(a)
	for i, b := range p.bands {
		v[statFirstBand+i] = a*a*b.xx + 2*a*b.xy + b.yy
	}
	return v
}

// fieldDrawer draws random convergence maps: a *simulate.Gaussian or a
// *simulate.Lognormal.
type fieldDrawer interface {
	Field(dst []float64, rng *rand.Rand) []float64
	SetWorkers(n int)
}

// nullSetup contains the state that the data and every simulation share:
// the binned catalogue, the pixel masks, the noise level, the inversion
// settings and the power map of the simulated field.
type nullSetup struct {
	b     *binned
	flags bnullFlags

	// box is the grid of the simulated convergence, power its power map
	// and spectrum a description of the C_ell behind it.
	box      skymap.Grid
	power    []float64
	spectrum string

	// footprint marks the pixels with galaxies and a positive sigma,
	// filled the footprint with its holes filled, interior the footprint
	// pixels at least flags.edgeArcmin from the edge of filled.
	footprint, filled, interior []bool
	nFootprint, nInterior       int
	holes, holePixels           int

	smoothed, raw kaiser.Options
	bins          powerspec.Bins
	window        powerspec.Options
	sigma         []float64 // noise std of the smoothed KAPPA_E per pixel
	scale         signalScale
	weight        []float64 // galaxy weights, nil for unit weights
}

// newNullSetup builds the masks, the band edges and the simulated field's
// power map for the binned catalogue b, and reports them on log.
func newNullSetup(b *binned, bf bnullFlags, pf *priorFlags, log io.Writer) (*nullSetup, error) {
	g := b.grid
	s := &nullSetup{
		b:        b,
		flags:    bf,
		smoothed: kaiser.Options{SmoothArcmin: bf.smoothArcmin, PixelArcmin: g.PixelArcmin, Pad: bf.pad},
		raw:      kaiser.Options{PixelArcmin: g.PixelArcmin, Pad: bf.pad},
	}
	if b.cat.HasWeight {
		s.weight = b.cat.Weight
	}

	// The footprint, its filled version and the interior.
	s.footprint = b.field.Mask()
	s.filled, s.holes, s.holePixels = fillHoles(s.footprint, g.NX, g.NY)
	lo, hi := powerspec.EllRange(g.NX, g.NY, g.PixelRad())
	s.bins = powerspec.LogBins(lo, hi, bf.bins)
	s.window = powerspec.Options{Mask: s.filled, ApodizeArcmin: bf.apodizeArcmin}
	s.interior = slices.Clone(s.footprint)
	if bf.edgeArcmin > 0 {
		// An estimator's window is 1 exactly where a pixel is at least the
		// taper width from the edge, so it serves as a distance threshold.
		est, err := powerspec.NewEstimator(g.NX, g.NY, g.PixelRad(), s.bins, powerspec.Options{Mask: s.filled, ApodizeArcmin: bf.edgeArcmin})
		if err != nil {
			return nil, fmt.Errorf("cannot find the interior of the footprint: %w", err)
		}
		w := est.Window()
		s.interior = make([]bool, len(w))
		for i, v := range w {
			s.interior[i] = s.footprint[i] && v == 1
		}
	}

	// The grid and power map of the simulated convergence.
	box, err := boxGrid(g, bf.boxFactor)
	if err != nil {
		return nil, err
	}
	s.box = box
	table, desc, err := pf.spectrum(box)
	if err != nil {
		return nil, err
	}
	s.spectrum = desc
	s.power = powerspec.PowerMap(table.At, box.NX, box.NY, box.PixelRad())
	fmt.Fprintf(log, "spectrum: %s\n", desc)
	fmt.Fprintf(log, "simulated field: %s on a %d x %d grid of %g arcmin pixels (%.1f x %.1f arcmin)\n",
		bf.field, box.NX, box.NY, box.PixelArcmin, float64(box.NX)*box.PixelArcmin, float64(box.NY)*box.PixelArcmin)

	// A field drawer now, so that an invalid lognormal shift fails before
	// the noise realisations.
	if _, err := s.newDrawer(log); err != nil {
		return nil, err
	}
	return s, nil
}

// boxGrid returns the grid of the simulated convergence: factor times the
// sides of g, with g's pixels and centre. A side grows by one pixel where
// needed to keep the difference of the sides even, so that the pixels of g
// coincide with pixels of the box.
func boxGrid(g skymap.Grid, factor int) (skymap.Grid, error) {
	side := func(n int) int {
		m := factor * n
		if (m-n)%2 != 0 {
			m++
		}
		return m
	}
	box, err := skymap.NewGrid(side(g.NX), side(g.NY), g.PixelArcmin, g.Projection, g.CenterRA, g.CenterDec)
	if err != nil {
		return box, usagef("invalid grid of the simulated field (--box-factor %d): %v; use a smaller --box-factor", factor, err)
	}
	return box, nil
}

// newDrawer returns a generator of the simulated field. With log set it
// warns when the lognormal field cannot follow the spectrum exactly.
func (s *nullSetup) newDrawer(log io.Writer) (fieldDrawer, error) {
	nx, ny := s.box.NX, s.box.NY
	if s.flags.field == "gaussian" {
		return simulate.NewGaussian(s.power, nx, ny)
	}
	ln, err := simulate.NewLognormal(s.power, nx, ny, s.flags.shift)
	if err != nil {
		return nil, fmt.Errorf("cannot make a lognormal field with --shift %g: %w; use a larger --shift, or --field gaussian", s.flags.shift, err)
	}
	if modes, share := ln.Clipped(); log != nil && modes > 0 {
		fmt.Fprintf(log, "warning: the lognormal field's Gaussian power map had negative values in %.2g%% of its modes (%.2g of its total |power|), set to 0; a larger --shift keeps the spectrum closer to the requested one\n",
			100*modes, share)
	}
	return ln, nil
}

// noiseLevel computes sigma, the noise standard deviation of the smoothed
// KAPPA_E, from rotated-noise catalogues, and removes pixels without noise
// from the footprint.
func (s *nullSetup) noiseLevel(nopt kaiser.NoiseOptions) error {
	cat := s.b.cat
	sigma, err := kaiser.NoiseStd(s.b.assign, cat.E1, cat.E2, s.smoothed, nopt)
	if err != nil {
		return err
	}
	s.sigma = sigma
	s.nFootprint, s.nInterior = 0, 0
	for i, v := range sigma {
		if !(v > 0) || math.IsInf(v, 0) {
			s.footprint[i], s.interior[i] = false, false
		}
		if s.footprint[i] {
			s.nFootprint++
		}
		if s.interior[i] {
			s.nInterior++
		}
	}
	if s.nFootprint == 0 {
		return errors.New("no pixel with galaxies has a positive noise level: the catalogue's ellipticities are all zero")
	}
	return nil
}

// nullWorker holds the transforms and buffers of one goroutine.
type nullWorker struct {
	smoothed, raw *kaiser.Transform
	est           *powerspec.Estimator
	drawer        fieldDrawer // nil for the worker of the data
	kappa         []float64   // simulated convergence on the box grid

	// Per galaxy, in catalogue order: the simulated shear and the noise.
	s1, s2, n1, n2 []float64

	// Per pixel: the binned shear, then the smoothed KAPPA_E and KAPPA_B
	// and the unsmoothed KAPPA_B of the signal (x) and of the noise (y) of
	// a simulation. The data use the y maps. sum is rawX + rawY.
	g1, g2, eX, bX, eY, bY, rawX, rawY, sum []float64
	scratch                                 []float64
}

func (s *nullSetup) newWorker(simulating bool) (*nullWorker, error) {
	g := s.b.grid
	n := g.Len()
	w := &nullWorker{}
	for _, m := range []*[]float64{&w.g1, &w.g2, &w.eX, &w.bX, &w.eY, &w.bY, &w.rawX, &w.rawY, &w.sum, &w.scratch} {
		*m = make([]float64, n)
	}
	var err error
	if w.smoothed, err = kaiser.New(g.NX, g.NY, s.smoothed); err != nil {
		return nil, err
	}
	if w.raw, err = kaiser.New(g.NX, g.NY, s.raw); err != nil {
		return nil, err
	}
	if w.est, err = powerspec.NewEstimator(g.NX, g.NY, g.PixelRad(), s.bins, s.window); err != nil {
		return nil, fmt.Errorf("cannot set up the band powers: %w", err)
	}
	w.smoothed.SetWorkers(1)
	w.raw.SetWorkers(1)
	w.est.SetWorkers(1)
	if simulating {
		if w.drawer, err = s.newDrawer(nil); err != nil {
			return nil, err
		}
		w.drawer.SetWorkers(1)
		w.kappa = make([]float64, s.box.Len())
		ng := len(s.b.cat.RA)
		w.s1, w.s2, w.n1, w.n2 = make([]float64, ng), make([]float64, ng), make([]float64, ng), make([]float64, ng)
	}
	return w, nil
}

// invert writes the smoothed E and B maps and the unsmoothed B map of the
// binned shear (g1, g2).
func (w *nullWorker) invert(e, b, raw, g1, g2 []float64) {
	w.smoothed.Convergence(e, b, g1, g2)
	w.raw.Convergence(w.scratch, raw, g1, g2)
}

// dataMaps are the data's smoothed maps, for --maps-out and --png.
type dataMaps struct {
	e, b, snr []float64
}

// measureData returns the statistics and the maps of the catalogue.
func (s *nullSetup) measureData() (nullStats, dataMaps, error) {
	w, err := s.newWorker(false)
	if err != nil {
		return nil, dataMaps{}, err
	}
	w.invert(w.eY, w.bY, w.rawY, s.b.field.G1, s.b.field.G2)
	spec, err := w.est.Measure(w.rawY)
	if err != nil {
		return nil, dataMaps{}, fmt.Errorf("%s: %w", s.b.cat.Path, err)
	}
	v := make(nullStats, statFirstBand+len(spec.Bands))
	v[statBStdFootprint] = moments(nil, w.bY, s.sigma, s.footprint).std(0)
	v[statBStdInterior] = moments(nil, w.bY, s.sigma, s.interior).std(0)
	v[statEStdFootprint] = moments(nil, w.eY, s.sigma, s.footprint).std(0)
	for i, band := range spec.Bands {
		v[statFirstBand+i] = band.Cl
	}
	return v, dataMaps{e: w.eY, b: w.bY, snr: ratio(w.bY, s.sigma)}, nil
}

// simSeed returns the seed of simulation i.
func (s *nullSetup) simSeed(i int) uint64 { return s.flags.seed + 1 + uint64(i) }

// simulateOne makes simulation i, bins its signal and its noise as the
// data and returns the parts of its statistics.
func (s *nullSetup) simulateOne(w *nullWorker, i int) (simParts, error) {
	cat := s.b.cat
	seed := s.simSeed(i)
	w.drawer.Field(w.kappa, rand.New(rand.NewPCG(seed, 0)))
	mock, err := simulate.MockCatalog(s.box, w.kappa, simulate.MockOptions{
		RA: cat.RA, Dec: cat.Dec, Weight: s.weight, E1: cat.E1, E2: cat.E2, Seed: seed,
	})
	if err != nil {
		return simParts{}, fmt.Errorf("simulation %d (seed %d): %w", i, seed, err)
	}

	// Back to catalogue order, the shear apart from the noise (the rotated
	// ellipticity e - g). A galaxy on the map is always on the larger box;
	// NaN marks any that rounding left out, so that it cannot enter the
	// binning as a zero ellipticity.
	for j := range w.s1 {
		w.s1[j], w.s2[j] = math.NaN(), math.NaN()
	}
	for j, src := range mock.Source {
		w.s1[src], w.s2[src] = mock.G1[j], mock.G2[j]
		w.n1[src], w.n2[src] = mock.E1[j]-mock.G1[j], mock.E2[j]-mock.G2[j]
	}
	for j, p := range s.b.assign.Pixel {
		if p >= 0 && math.IsNaN(w.s1[j]) {
			return simParts{}, fmt.Errorf("simulation %d: galaxy at row %d (RA %.6f, Dec %.6f) is on the map but not on the grid of the simulated field", i, j+1, cat.RA[j], cat.Dec[j])
		}
	}

	// The maps of the signal (x) and of the noise (y). The mean shear is
	// linear in the ellipticities, so their sum is the map of the
	// simulated catalogue.
	s.b.assign.MeanShear(w.g1, w.g2, w.s1, w.s2)
	w.invert(w.eX, w.bX, w.rawX, w.g1, w.g2)
	s.b.assign.MeanShear(w.g1, w.g2, w.n1, w.n2)
	w.invert(w.eY, w.bY, w.rawY, w.g1, w.g2)
	for p := range w.sum {
		w.sum[p] = w.rawX[p] + w.rawY[p]
	}

	// Band powers of x, y and x + y give the cross power of x and y.
	var specs [3][]float64
	for k, m := range [][]float64{w.rawX, w.rawY, w.sum} {
		spec, err := w.est.Measure(m)
		if err != nil {
			return simParts{}, fmt.Errorf("simulation %d: %w", i, err)
		}
		specs[k] = make([]float64, len(spec.Bands))
		for b, band := range spec.Bands {
			specs[k][b] = band.Cl
		}
	}
	p := simParts{
		bFootprint: moments(w.bX, w.bY, s.sigma, s.footprint),
		bInterior:  moments(w.bX, w.bY, s.sigma, s.interior),
		eFootprint: moments(w.eX, w.eY, s.sigma, s.footprint),
		bands:      make([]bandParts, len(specs[0])),
	}
	for b := range p.bands {
		xx, yy := specs[0][b], specs[1][b]
		p.bands[b] = bandParts{xx: xx, xy: (specs[2][b] - xx - yy) / 2, yy: yy}
	}
	return p, nil
}

// simulateAll runs the simulations on flags.workers goroutines and returns
// their statistics in the order of their index, reporting progress on log.
func (s *nullSetup) simulateAll(log io.Writer) ([]simParts, error) {
	n := s.flags.sims
	workers := s.flags.workers
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	states := make([]*nullWorker, workers)
	for k := range states {
		w, err := s.newWorker(true)
		if err != nil {
			return nil, err
		}
		states[k] = w
	}

	start := time.Now()
	step := max(1, n/10)
	out := make([]simParts, n)
	errs := make([]error, workers)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for k, w := range states {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < n; i += workers {
				p, err := s.simulateOne(w, i)
				if err != nil {
					errs[k] = err
					return
				}
				out[i] = p
				mu.Lock()
				done++
				if done%step == 0 || done == n {
					fmt.Fprintf(log, "  simulations: %d/%d (%s)\n", done, n, since(start))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// moments returns the sums of x/σ and y/σ, of their squares and of their
// product over the pixels of mask. A nil x counts as zero.
func moments(x, y, sigma []float64, mask []bool) maskMoments {
	var m maskMoments
	for i, ok := range mask {
		if !ok {
			continue
		}
		ry := y[i] / sigma[i]
		rx := 0.0
		if x != nil {
			rx = x[i] / sigma[i]
		}
		m.n++
		m.x += rx
		m.y += ry
		m.xx += rx * rx
		m.xy += rx * ry
		m.yy += ry * ry
	}
	return m
}

// fillHoles returns mask with every hole filled: an unobserved pixel is a
// hole when no path of unobserved pixels, in steps to the four neighbours,
// joins it to the border of the map. It also returns the number of holes
// and of pixels filled.
func fillHoles(mask []bool, nx, ny int) (filled []bool, holes, pixels int) {
	// Flood the unobserved pixels from the border. The unobserved pixels
	// that the flood does not reach are the holes.
	outside := make([]bool, len(mask))
	var stack []int
	push := func(x, y int) {
		if x < 0 || y < 0 || x >= nx || y >= ny {
			return
		}
		p := y*nx + x
		if !mask[p] && !outside[p] {
			outside[p] = true
			stack = append(stack, p)
		}
	}
	for x := range nx {
		push(x, 0)
		push(x, ny-1)
	}
	for y := range ny {
		push(0, y)
		push(nx-1, y)
	}
	flood := func() {
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := p%nx, p/nx
			push(x+1, y)
			push(x-1, y)
			push(x, y+1)
			push(x, y-1)
		}
	}
	flood()

	// Count the holes by flooding each from one of its pixels.
	filled = make([]bool, len(mask))
	for p, ok := range mask {
		filled[p] = ok || !outside[p]
		if !ok && !outside[p] {
			pixels++
		}
	}
	for p := range mask {
		if !mask[p] && !outside[p] {
			holes++
			push(p%nx, p/nx)
			flood()
		}
	}
	return filled, holes, pixels
}
