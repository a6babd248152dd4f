// Package shearmap bins a shear catalogue onto a sky grid: per pixel the
// weighted mean ellipticity, the galaxy count, the sum of weights and the
// standard deviation of the mean from shape noise.
//
// # Shear convention
//
// Ellipticities keep the sign convention of the catalogue that the toolkit
// expects: e1 > 0 is an elongation along the RA (East–West) axis and e2 > 0
// along the North-East to South-West diagonal, angles counted from East
// towards North. On a map drawn with East to the left (package skymap), a
// positive e2 is therefore elongated from the upper left to the lower right.
// Catalogues with another convention are converted on input by negating e1 or
// e2 (package catalog, flags --flip-e1 and --flip-e2).
//
// # Noise
//
// The shape noise of one galaxy is taken to have the same standard deviation
// σ_e in each component, estimated from the catalogue as the weighted
// per-component dispersion of the galaxies on the grid,
//
//	σ_e² = Σ wᵢ ((e1ᵢ − ē1)² + (e2ᵢ − ē2)²) / (2 Σ wᵢ).
//
// The noise of the weighted mean in a pixel is then
//
//	σ_pix = σ_e √(Σ wᵢ²) / Σ wᵢ.
package shearmap

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/skyinv/skyinv/skymap"
)

// Field is a binned shear catalogue.
type Field struct {
	Grid skymap.Grid

	// G1 and G2 are the weighted mean ellipticities per pixel, in the
	// catalogue's convention (see the package documentation); 0 where a
	// pixel has no weight.
	G1, G2 []float64
	// NGal is the number of galaxies per pixel.
	NGal []int32
	// Weight is the sum of weights per pixel; WeightSq the sum of squares.
	Weight, WeightSq []float64
	// Std is σ_pix, the noise standard deviation of G1 and G2 per pixel;
	// NaN where a pixel has no weight.
	Std []float64

	SigmaE  float64 // per-component ellipticity dispersion of the binned galaxies
	Binned  int     // galaxies inside the grid
	Outside int     // galaxies outside the grid, not binned
}

// Mask returns true for every pixel with at least one galaxy.
func (f *Field) Mask() []bool {
	m := make([]bool, len(f.NGal))
	for i, n := range f.NGal {
		m[i] = n > 0
	}
	return m
}

// Occupied returns the number of pixels with at least one galaxy.
func (f *Field) Occupied() int {
	n := 0
	for _, c := range f.NGal {
		if c > 0 {
			n++
		}
	}
	return n
}

// ErrEmptyGrid is returned when no galaxy falls on the grid.
var ErrEmptyGrid = errors.New("no galaxy falls on the grid")

// TooFarError reports galaxies that a gnomonic grid cannot project.
type TooFarError struct {
	Count   int // galaxies 90° or more from the centre
	First   int // index of the first of them
	RA, Dec float64
	Center  [2]float64
}

func (e *TooFarError) Error() string {
	return fmt.Sprintf("%d galaxies lie 90 degrees or more from the projection centre (RA, Dec) = (%.6f, %.6f), the first at row %d (RA %.6f, Dec %.6f); the TAN projection cannot map them: choose a centre inside the field with --center or cut the catalogue",
		e.Count, e.Center[0], e.Center[1], e.First+1, e.RA, e.Dec)
}

// Assignment is the pixel of every galaxy on one grid, computed once so that
// the same galaxies can be binned again with other ellipticities (noise
// realisations) at the cost of the accumulation alone.
type Assignment struct {
	Grid   skymap.Grid
	Pixel  []int32 // pixel index of each galaxy, -1 outside the grid
	Weight []float64
	// Per-pixel sums that do not depend on the ellipticities.
	NGal                []int32
	WeightSum, WeightSq []float64
	Binned, Outside     int
}

// Assign locates every galaxy on the grid. Positions are in degrees;
// weight may be nil for unit weights. It returns a *TooFarError when a
// gnomonic grid cannot project some galaxy, and ErrEmptyGrid when no galaxy
// falls on the grid.
func Assign(grid skymap.Grid, ra, dec, weight []float64) (*Assignment, error) {
	if err := grid.Validate(); err != nil {
		return nil, err
	}
	n := len(ra)
	if len(dec) != n || (weight != nil && len(weight) != n) {
		panic(fmt.Sprintf("shearmap: %d RA, %d Dec and %d weight values", len(ra), len(dec), len(weight)))
	}
	if weight == nil {
		weight = make([]float64, n)
		for i := range weight {
			weight[i] = 1
		}
	}

	a := &Assignment{
		Grid:      grid,
		Pixel:     make([]int32, n),
		Weight:    weight,
		NGal:      make([]int32, grid.Len()),
		WeightSum: make([]float64, grid.Len()),
		WeightSq:  make([]float64, grid.Len()),
	}

	// Locate the galaxies in parallel chunks. Each worker accumulates its
	// own per-pixel sums, merged afterwards, and notes the galaxies that
	// cannot be projected.
	loc := skymap.NewLocator(grid)
	parts := chunks(n)
	type partial struct {
		ngal          []int32
		sumW, sumW2   []float64
		outside       int
		tooFar, first int
	}
	res := make([]partial, len(parts))
	var wg sync.WaitGroup
	for w, c := range parts {
		r := &res[w]
		r.first = -1
		if w == 0 {
			r.ngal, r.sumW, r.sumW2 = a.NGal, a.WeightSum, a.WeightSq
		} else {
			r.ngal = make([]int32, grid.Len())
			r.sumW = make([]float64, grid.Len())
			r.sumW2 = make([]float64, grid.Len())
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c[0]; i < c[1]; i++ {
				p, far := loc.Index(ra[i], dec[i])
				a.Pixel[i] = int32(p)
				if p < 0 {
					r.outside++
					if far {
						if r.tooFar == 0 {
							r.first = i
						}
						r.tooFar++
					}
					continue
				}
				wi := weight[i]
				r.ngal[p]++
				r.sumW[p] += wi
				r.sumW2[p] += wi * wi
			}
		}()
	}
	wg.Wait()

	far := &TooFarError{First: -1, Center: [2]float64{grid.CenterRA, grid.CenterDec}}
	for w := range res {
		r := &res[w]
		far.Count += r.tooFar
		if far.First < 0 && r.first >= 0 {
			far.First = r.first
		}
		a.Outside += r.outside
		if w > 0 {
			for p := range a.NGal {
				a.NGal[p] += r.ngal[p]
				a.WeightSum[p] += r.sumW[p]
				a.WeightSq[p] += r.sumW2[p]
			}
		}
	}
	if far.Count > 0 {
		far.RA, far.Dec = ra[far.First], dec[far.First]
		return nil, far
	}
	a.Binned = n - a.Outside
	if a.Binned == 0 {
		return nil, ErrEmptyGrid
	}
	return a, nil
}

// SigmaE returns the weighted per-component ellipticity dispersion of the
// galaxies on the grid.
func (a *Assignment) SigmaE(e1, e2 []float64) float64 {
	var m moments
	m.add(a, e1, e2, 0, len(a.Pixel))
	return m.sigmaE()
}

// moments are the weighted sums behind σ_e, accumulated in one pass:
// Σw (e − ē)² = Σw e² − (Σw e)² / Σw, which loses no significant digits for
// ellipticities of order 0.3 with a mean near 0.
type moments struct {
	w, we1, we2, we11, we22 float64
}

func (m *moments) add(a *Assignment, e1, e2 []float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		if a.Pixel[i] < 0 {
			continue
		}
		w := a.Weight[i]
		m.w += w
		m.we1 += w * e1[i]
		m.we2 += w * e2[i]
		m.we11 += w * e1[i] * e1[i]
		m.we22 += w * e2[i] * e2[i]
	}
}

func (m *moments) merge(o moments) {
	m.w += o.w
	m.we1 += o.we1
	m.we2 += o.we2
	m.we11 += o.we11
	m.we22 += o.we22
}

func (m *moments) sigmaE() float64 {
	if m.w == 0 {
		return math.NaN()
	}
	ss := m.we11 - m.we1*m.we1/m.w + m.we22 - m.we2*m.we2/m.w
	return math.Sqrt(max(ss, 0) / (2 * m.w))
}

// MeanShear writes the weighted mean ellipticity per pixel into g1 and g2,
// which must have the grid's length; pixels without weight get 0. It
// allocates nothing and runs on the calling goroutine only.
func (a *Assignment) MeanShear(g1, g2, e1, e2 []float64) {
	a.checkLengths(g1, g2, e1, e2)
	clear(g1)
	clear(g2)
	a.sumShear(g1, g2, e1, e2, 0, len(a.Pixel))
	a.normalise(g1, g2)
}

func (a *Assignment) checkLengths(g1, g2, e1, e2 []float64) {
	if len(g1) != a.Grid.Len() || len(g2) != a.Grid.Len() {
		panic(fmt.Sprintf("shearmap: shear maps of %d and %d pixels for a grid of %d", len(g1), len(g2), a.Grid.Len()))
	}
	if len(e1) != len(a.Pixel) || len(e2) != len(a.Pixel) {
		panic(fmt.Sprintf("shearmap: %d and %d ellipticities for %d galaxies", len(e1), len(e2), len(a.Pixel)))
	}
}

// sumShear adds w e1 and w e2 of galaxies lo to hi into g1 and g2.
func (a *Assignment) sumShear(g1, g2, e1, e2 []float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		p := a.Pixel[i]
		if p < 0 {
			continue
		}
		w := a.Weight[i]
		g1[p] += w * e1[i]
		g2[p] += w * e2[i]
	}
}

// normalise turns weighted sums into weighted means.
func (a *Assignment) normalise(g1, g2 []float64) {
	for p, sw := range a.WeightSum {
		if sw > 0 {
			g1[p] /= sw
			g2[p] /= sw
		} else {
			g1[p], g2[p] = 0, 0
		}
	}
}

// Bin bins a catalogue onto grid: positions in degrees, ellipticities in the
// package's convention, weight nil for unit weights.
func Bin(grid skymap.Grid, ra, dec, e1, e2, weight []float64) (*Field, error) {
	if len(e1) != len(ra) || len(e2) != len(ra) {
		panic(fmt.Sprintf("shearmap: %d positions but %d e1 and %d e2 values", len(ra), len(e1), len(e2)))
	}
	a, err := Assign(grid, ra, dec, weight)
	if err != nil {
		return nil, err
	}
	return a.Field(e1, e2), nil
}

// Field bins the ellipticities e1 and e2 of the assigned galaxies, on all
// CPUs.
func (a *Assignment) Field(e1, e2 []float64) *Field {
	n := a.Grid.Len()
	f := &Field{
		Grid:     a.Grid,
		G1:       make([]float64, n),
		G2:       make([]float64, n),
		NGal:     a.NGal,
		Weight:   a.WeightSum,
		WeightSq: a.WeightSq,
		Std:      make([]float64, n),
		Binned:   a.Binned,
		Outside:  a.Outside,
	}
	a.checkLengths(f.G1, f.G2, e1, e2)

	// Each worker sums its galaxies into its own maps; worker 0 uses the
	// result maps directly.
	parts := chunks(len(a.Pixel))
	mom := make([]moments, len(parts))
	sums := make([][2][]float64, len(parts))
	var wg sync.WaitGroup
	for w, c := range parts {
		if w == 0 {
			sums[w] = [2][]float64{f.G1, f.G2}
		} else {
			sums[w] = [2][]float64{make([]float64, n), make([]float64, n)}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.sumShear(sums[w][0], sums[w][1], e1, e2, c[0], c[1])
			mom[w].add(a, e1, e2, c[0], c[1])
		}()
	}
	wg.Wait()
	for w := 1; w < len(parts); w++ {
		for p := range f.G1 {
			f.G1[p] += sums[w][0][p]
			f.G2[p] += sums[w][1][p]
		}
		mom[0].merge(mom[w])
	}
	a.normalise(f.G1, f.G2)

	f.SigmaE = mom[0].sigmaE()
	for p, sw := range a.WeightSum {
		if sw > 0 {
			f.Std[p] = f.SigmaE * math.Sqrt(a.WeightSq[p]) / sw
		} else {
			f.Std[p] = math.NaN()
		}
	}
	return f
}

// chunks splits n items into one contiguous range per CPU.
func chunks(n int) [][2]int {
	k := runtime.GOMAXPROCS(0)
	if n < 4096 || k < 1 {
		k = 1
	}
	out := make([][2]int, 0, k)
	for w := range k {
		lo, hi := w*n/k, (w+1)*n/k
		out = append(out, [2]int{lo, hi})
	}
	return out
}
