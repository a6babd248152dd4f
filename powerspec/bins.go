package powerspec

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Bins are the edges of the ℓ bands of a measured spectrum, in increasing
// order: band i covers Edges[i] ≤ ℓ < Edges[i+1], and the last band also
// includes its upper edge.
type Bins struct {
	Edges []float64
}

// LinBins returns n bands of equal width from lmin to lmax. It panics unless
// 0 ≤ lmin < lmax, both finite, and n ≥ 1.
func LinBins(lmin, lmax float64, n int) Bins {
	if !(lmin >= 0) || !(lmax > lmin) || math.IsInf(lmax, 1) || n < 1 {
		panic(fmt.Sprintf("powerspec: LinBins(%g, %g, %d): want 0 ≤ lmin < lmax, both finite, and n ≥ 1", lmin, lmax, n))
	}
	edges := make([]float64, n+1)
	for i := range edges {
		edges[i] = lmin + (lmax-lmin)*float64(i)/float64(n)
	}
	edges[n] = lmax
	return Bins{Edges: edges}
}

// LogBins returns n bands of equal width in ln ℓ from lmin to lmax. It panics
// unless 0 < lmin < lmax, both finite, and n ≥ 1.
func LogBins(lmin, lmax float64, n int) Bins {
	if !(lmin > 0) || !(lmax > lmin) || math.IsInf(lmax, 1) || n < 1 {
		panic(fmt.Sprintf("powerspec: LogBins(%g, %g, %d): want 0 < lmin < lmax, both finite, and n ≥ 1", lmin, lmax, n))
	}
	edges := make([]float64, n+1)
	ratio := math.Log(lmax / lmin)
	for i := range edges {
		edges[i] = lmin * math.Exp(ratio*float64(i)/float64(n))
	}
	edges[0], edges[n] = lmin, lmax
	return Bins{Edges: edges}
}

// Len returns the number of bands.
func (b Bins) Len() int { return max(len(b.Edges)-1, 0) }

// Validate reports whether the edges define at least one band: finite,
// non-negative and strictly increasing.
func (b Bins) Validate() error {
	if len(b.Edges) < 2 {
		return errors.New("powerspec: bins need at least two edges")
	}
	for i, e := range b.Edges {
		if !(e >= 0) || math.IsInf(e, 1) {
			return fmt.Errorf("powerspec: bin edge %d is %g: want a finite value ≥ 0", i, e)
		}
		if i > 0 && !(e > b.Edges[i-1]) {
			return fmt.Errorf("powerspec: bin edges %d and %d (%g, %g) are not strictly increasing", i-1, i, b.Edges[i-1], e)
		}
	}
	return nil
}

// band returns the band that contains ell, or -1 when ell lies outside the
// bins.
func (b Bins) band(ell float64) int {
	n := b.Len()
	if ell < b.Edges[0] && ell >= b.Edges[0]*(1-1e-9) {
		// A mode on the lowest edge, below it only by rounding: the
		// grid's fundamental multipole when that is the edge.
		return 0
	}
	if ell < b.Edges[0] || ell > b.Edges[n] {
		return -1
	}
	if ell == b.Edges[n] {
		return n - 1
	}
	// The first edge above ell closes its band.
	return sort.Search(len(b.Edges), func(i int) bool { return b.Edges[i] > ell }) - 1
}
