package quicklook

import (
	"fmt"
	"math"
	"slices"
)

// Percentiles of the valid pixels that bound the automatic colour range.
const (
	lowPercentile  = 0.5
	highPercentile = 99.5
)

// colorRange is the interval of data values that the colour map spans.
type colorRange struct {
	lo, hi float64

	// below and above report whether some valid pixel lies outside [lo, hi]
	// and is therefore drawn in the end colour of the map.
	below, above bool

	// valid is the number of pixels that are unmasked and finite.
	valid int
}

// chooseRange returns the colour range for data: Min and Max from opt when
// either is non-zero, otherwise percentiles of the valid pixels. A range that
// would be empty, as for a constant map, is widened around its value.
func chooseRange(data []float64, mask []bool, opt *Options) (colorRange, error) {
	var r colorRange
	explicit := opt.Min != 0 || opt.Max != 0
	if explicit && !(opt.Min < opt.Max && !math.IsInf(opt.Min, 0) && !math.IsInf(opt.Max, 0)) {
		return r, fmt.Errorf("quicklook: colour range Min = %g, Max = %g is not a finite interval with Min < Max; set both to zero for an automatic range", opt.Min, opt.Max)
	}

	values := make([]float64, 0, len(data))
	for i, v := range data {
		if isValid(v, mask, i) {
			values = append(values, v)
		}
	}
	r.valid = len(values)

	if explicit {
		r.lo, r.hi = opt.Min, opt.Max
	} else if len(values) > 0 {
		slices.Sort(values)
		r.lo = percentile(values, lowPercentile)
		r.hi = percentile(values, highPercentile)
		if opt.Symmetric {
			m := math.Max(math.Abs(r.lo), math.Abs(r.hi))
			r.lo, r.hi = -m, m
		}
	}

	if !(r.lo < r.hi) {
		r.lo, r.hi = widen(r.lo)
	}
	if math.IsInf(r.hi-r.lo, 0) {
		return r, fmt.Errorf("quicklook: colour range [%g, %g] is wider than the largest float64; set Min and Max", r.lo, r.hi)
	}
	for _, v := range values {
		r.below = r.below || v < r.lo
		r.above = r.above || v > r.hi
	}
	return r, nil
}

// isValid reports whether pixel i is drawn with the colour map: it is finite
// and not masked out.
func isValid(v float64, mask []bool, i int) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	return mask == nil || mask[i]
}

// percentile returns the p-th percentile of the sorted values, interpolating
// linearly between order statistics.
func percentile(sorted []float64, p float64) float64 {
	pos := p / 100 * float64(len(sorted)-1)
	i := int(pos)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return (1-f)*sorted[i] + f*sorted[i+1]
}

// widen returns an interval around v for a map whose valid pixels all equal v:
// ±5 % of |v|, or [−1, 1] around zero. The map is then drawn in the middle
// colour of the colour map.
func widen(v float64) (lo, hi float64) {
	d := 0.05 * math.Abs(v)
	if d == 0 {
		d = 1
	}
	return v - d, v + d
}
