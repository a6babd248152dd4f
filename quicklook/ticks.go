package quicklook

import (
	"math"
	"strconv"
	"strings"
)

// niceStep returns the step of the form 1, 2 or 5 times a power of ten that
// divides span into the number of intervals nearest to target, preferring
// the larger step on a tie.
func niceStep(span float64, target int) float64 {
	raw := span / float64(target)
	decade := math.Pow(10, math.Floor(math.Log10(raw)))
	best, bestMiss := 0.0, math.Inf(1)
	for _, d := range []float64{decade / 10, decade, decade * 10} {
		for _, m := range []float64{1, 2, 5} {
			step := m * d
			miss := math.Abs(span/step - float64(target))
			if miss <= bestMiss {
				best, bestMiss = step, miss
			}
		}
	}
	return best
}

// nextNiceStep returns the next larger step of the 1, 2, 5 series.
func nextNiceStep(step float64) float64 {
	decade := math.Pow(10, math.Floor(math.Log10(step)+1e-9))
	for _, m := range []float64{2, 5, 10} {
		if m*decade > step*(1+1e-9) {
			return m * decade
		}
	}
	return 10 * decade
}

// prevNiceStep returns the next smaller step of the 1, 2, 5 series.
func prevNiceStep(step float64) float64 {
	decade := math.Pow(10, math.Floor(math.Log10(step)+1e-9))
	for _, m := range []float64{5, 2, 1, 0.5} {
		if m*decade < step*(1-1e-9) {
			return m * decade
		}
	}
	return 0.5 * decade
}

// ticksIn returns the multiples of step that lie in [lo, hi], allowing a
// relative slack of 1e-9 of the step at both ends for rounding errors.
func ticksIn(lo, hi, step float64) []float64 {
	first := math.Ceil(lo/step - 1e-9)
	last := math.Floor(hi/step + 1e-9)
	var ticks []float64
	for k := first; k <= last; k++ {
		v := k * step
		if k == 0 {
			v = 0 // keeps −0 out of the labels
		}
		ticks = append(ticks, v)
	}
	return ticks
}

// tickFormat prints tick values with a fixed number of decimals, after
// dividing them by 10^exponent when the values are very large or very small.
// The caller then shows the factor next to the axis label.
type tickFormat struct {
	decimals int
	exponent int
}

// newTickFormat chooses the format for ticks spaced by step whose largest
// magnitude is maxAbs.
func newTickFormat(step, maxAbs float64) tickFormat {
	var f tickFormat
	if maxAbs >= 1e5 || (maxAbs > 0 && maxAbs < 1e-3) {
		f.exponent = int(math.Floor(math.Log10(maxAbs)))
		step /= math.Pow10(f.exponent)
	}
	f.decimals = max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
	return f
}

// format returns v as text, written with a true minus sign (U+2212).
func (f tickFormat) format(v float64) string {
	if f.exponent != 0 {
		v /= math.Pow10(f.exponent)
	}
	s := strconv.FormatFloat(v, 'f', f.decimals, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-") // no "−0.00"
	}
	return strings.Replace(s, "-", "\u2212", 1)
}

// factor returns the text for the common factor, such as "×10⁻⁴", or "" when
// there is none.
func (f tickFormat) factor() string {
	if f.exponent == 0 {
		return ""
	}
	return "×10" + superscript(f.exponent)
}

func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	var b strings.Builder
	for _, r := range strconv.Itoa(n) {
		if r == '-' {
			b.WriteRune('⁻')
			continue
		}
		b.WriteRune([]rune(digits)[r-'0'])
	}
	return b.String()
}
