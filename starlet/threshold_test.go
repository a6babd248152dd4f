package starlet_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/starlet"
)

// thresholdInput returns two wavelet planes and a coarse plane of four
// pixels. Every value, and every expected result below, is exact in binary.
func thresholdInput() [][]float64 {
	return [][]float64{
		{3, -0.5, -2, 1},
		{0.25, -0.75, 1.5, 0},
		{5, -5, 0.25, 2},
	}
}

// thresholdMaps returns per-pixel thresholds for the two wavelet planes of
// thresholdInput.
func thresholdMaps() [][]float64 {
	return [][]float64{
		{0, 1, 2.5, 0.5},
		{0.25, 1, 1, 0},
	}
}

func newPlanesLike(c [][]float64) [][]float64 {
	out := make([][]float64, len(c))
	for j := range c {
		out[j] = make([]float64, len(c[j]))
	}
	return out
}

func checkPlanes(t *testing.T, got, want [][]float64) {
	t.Helper()
	for j := range want {
		if !slices.Equal(got[j], want[j]) {
			t.Errorf("plane %d = %v, want %v", j, got[j], want[j])
		}
	}
}

func TestThresholds(t *testing.T) {
	input := thresholdInput()
	cases := []struct {
		name  string
		apply func(dst, coeffs [][]float64)
		want  [][]float64
	}{
		{
			"soft, coarse kept",
			func(dst, c [][]float64) { starlet.SoftThreshold(dst, c, []float64{1, 0.5}) },
			[][]float64{{2, 0, -1, 0}, {0, -0.25, 1, 0}, input[2]},
		},
		{
			"soft, coarse thresholded",
			func(dst, c [][]float64) { starlet.SoftThreshold(dst, c, []float64{1, 0.5, 4}) },
			[][]float64{{2, 0, -1, 0}, {0, -0.25, 1, 0}, {1, -1, 0, 0}},
		},
		{
			// A coefficient equal to its threshold is zeroed.
			"hard, coarse kept",
			func(dst, c [][]float64) { starlet.HardThreshold(dst, c, []float64{1, 0.5}) },
			[][]float64{{3, 0, -2, 0}, {0, -0.75, 1.5, 0}, input[2]},
		},
		{
			"hard, coarse thresholded",
			func(dst, c [][]float64) { starlet.HardThreshold(dst, c, []float64{1, 0.5, 4}) },
			[][]float64{{3, 0, -2, 0}, {0, -0.75, 1.5, 0}, {5, -5, 0, 0}},
		},
		{
			"soft maps",
			func(dst, c [][]float64) { starlet.SoftThresholdMaps(dst, c, thresholdMaps()) },
			[][]float64{{3, 0, 0, 0.5}, {0, 0, 0.5, 0}, input[2]},
		},
		{
			"hard maps",
			func(dst, c [][]float64) { starlet.HardThresholdMaps(dst, c, thresholdMaps()) },
			[][]float64{{3, 0, 0, 1}, {0, 0, 1.5, 0}, input[2]},
		},
		{
			"soft maps with coarse",
			func(dst, c [][]float64) {
				starlet.SoftThresholdMaps(dst, c, append(thresholdMaps(), []float64{4, 4, 0, 1}))
			},
			[][]float64{{3, 0, 0, 0.5}, {0, 0, 0.5, 0}, {1, -1, 0.25, 1}},
		},
	}
	for _, c := range cases {
		t.Run(c.name+"/new dst", func(t *testing.T) {
			coeffs := thresholdInput()
			dst := newPlanesLike(coeffs)
			c.apply(dst, coeffs)
			checkPlanes(t, dst, c.want)
			checkPlanes(t, coeffs, thresholdInput())
		})
		t.Run(c.name+"/in place", func(t *testing.T) {
			coeffs := thresholdInput()
			c.apply(coeffs, coeffs)
			checkPlanes(t, coeffs, c.want)
		})
	}
}

// Soft thresholding is the proximal operator of the weighted l1 norm: its
// result x minimises ½‖x − c‖² + L1Norm(x, λ). Moving any coefficient of
// the result a little must not lower that objective.
func TestSoftThresholdMinimisesProximalObjective(t *testing.T) {
	coeffs := thresholdInput()
	lambda := []float64{1, 0.5}
	x := newPlanesLike(coeffs)
	starlet.SoftThreshold(x, coeffs, lambda)
	objective := func(x [][]float64) float64 {
		s := 0.0
		for j := range x {
			for p := range x[j] {
				s += 0.5 * (x[j][p] - coeffs[j][p]) * (x[j][p] - coeffs[j][p])
			}
		}
		return s + starlet.L1Norm(x, lambda)
	}
	best := objective(x)
	for j := range lambda {
		for p := range x[j] {
			for _, step := range []float64{-1e-3, 1e-3} {
				x[j][p] += step
				if f := objective(x); f < best {
					t.Errorf("moving plane %d pixel %d by %g lowers the objective from %g to %g", j, p, step, best, f)
				}
				x[j][p] -= step
			}
		}
	}
}

func TestL1Norm(t *testing.T) {
	coeffs := thresholdInput()
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		// Σ|w_1| = 6.5, Σ|w_2| = 2.5, Σ|c| = 12.25.
		{"wavelet scales", starlet.L1Norm(coeffs, []float64{1, 2}), 6.5 + 2*2.5},
		{"coarse included", starlet.L1Norm(coeffs, []float64{1, 2, 0.5}), 6.5 + 2*2.5 + 0.5*12.25},
		// 3·0 + 0.5·1 + 2·2.5 + 1·0.5 = 6 and 0.25·0.25 + 0.75·1 + 1.5·1 + 0 = 2.3125.
		{"maps", starlet.L1NormMaps(coeffs, thresholdMaps()), 6 + 2.3125},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestThresholdsRejectInvalidArguments(t *testing.T) {
	coeffs := thresholdInput()
	cases := []struct {
		name    string
		call    func()
		message string
	}{
		{"negative threshold", func() { starlet.SoftThreshold(coeffs, coeffs, []float64{1, -0.5}) }, "invalid threshold -0.5"},
		{"NaN threshold", func() { starlet.HardThreshold(coeffs, coeffs, []float64{math.NaN(), 1}) }, "invalid threshold NaN"},
		{"negative map pixel", func() {
			starlet.SoftThresholdMaps(coeffs, coeffs, [][]float64{{0, 0, 0, 0}, {0, -1, 0, 0}})
		}, "pixel 1 of plane 1"},
		{"too few thresholds", func() { starlet.SoftThreshold(coeffs, coeffs, []float64{1}) }, "got 1 thresholds or weights for 3 planes"},
		{"too many weights", func() { starlet.L1Norm(coeffs, []float64{1, 1, 1, 1}) }, "got 4 thresholds or weights"},
		{"short map plane", func() { starlet.HardThresholdMaps(coeffs, coeffs, [][]float64{{0, 0, 0}, {0, 0, 0, 0}}) }, "has 3 values, want 4"},
		{"dst missing a plane", func() { starlet.SoftThreshold(coeffs[:2], coeffs, []float64{1, 1}) }, "dst has 2 planes"},
		{"planes of unequal length", func() {
			starlet.L1Norm([][]float64{{1, 2}, {1}}, []float64{1})
		}, "plane 1 has 1 values"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				msg := fmt.Sprint(r)
				if !strings.HasPrefix(msg, "starlet: ") || !strings.Contains(msg, c.message) {
					t.Errorf("panic %q, want the prefix \"starlet: \" and %q", msg, c.message)
				}
			}()
			c.call()
		})
	}
}
