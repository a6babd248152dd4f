// Package quantiles computes per-pixel quantiles of posterior samples and
// reads the lists of quantiles that commands take.
package quantiles

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Parse reads a comma-separated list of quantiles, each strictly between
// 0 and 1, such as "0.16,0.84". An empty or blank list gives none.
func Parse(s string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var qs []float64
	for _, f := range strings.Split(s, ",") {
		q, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(q > 0 && q < 1) {
			return nil, fmt.Errorf("entry %q is not a number between 0 and 1: use a list such as 0.16,0.84", f)
		}
		qs = append(qs, q)
	}
	return qs, nil
}

// Name returns the HDU name of quantile q after prefix: prefix + "Q16" for
// 0.16, prefix + "Q2P5" for 0.025.
func Name(prefix string, q float64) string {
	return prefix + "Q" + strings.ReplaceAll(strconv.FormatFloat(100*q, 'g', 4, 64), ".", "P")
}

// Map returns the quantile q of the samples at every pixel, interpolated
// linearly between order statistics (the definition 7 of Hyndman and Fan,
// "Sample quantiles in statistical packages", The American Statistician
// 50, 361, 1996, numpy's default). Every sample must have the same length.
// It panics if there is no sample.
func Map(samples [][]float64, q float64) []float64 {
	if len(samples) == 0 {
		panic("quantiles: Map needs at least one sample")
	}
	out := make([]float64, len(samples[0]))
	v := make([]float64, len(samples))
	for i := range out {
		for k, s := range samples {
			v[k] = s[i]
		}
		slices.Sort(v)
		pos := q * float64(len(v)-1)
		lo := int(pos)
		hi := min(lo+1, len(v)-1)
		out[i] = v[lo] + (pos-float64(lo))*(v[hi]-v[lo])
	}
	return out
}
