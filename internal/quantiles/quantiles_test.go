package quantiles

import (
	"math"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	got, err := Parse(" 0.16, 0.84,0.025")
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.16, 0.84, 0.025}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("quantile %d = %v, want %v", i, got[i], want[i])
		}
	}
	if got, err := Parse("  "); err != nil || got != nil {
		t.Errorf("blank list: %v, %v; want none and no error", got, err)
	}
	for _, bad := range []string{"0", "1", "0.5,x", "-0.1", "NaN"} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "between 0 and 1") {
			t.Errorf("Parse(%q): error %v, want one that names the range", bad, err)
		}
	}
}

func TestName(t *testing.T) {
	for q, want := range map[float64]string{0.16: "MEAN_Q16", 0.84: "MEAN_Q84", 0.025: "MEAN_Q2P5", 0.5: "MEAN_Q50"} {
		if got := Name("MEAN_", q); got != want {
			t.Errorf("Name(%v) = %s, want %s", q, got, want)
		}
	}
}

// Linear interpolation between order statistics: for the samples 1 to 5
// at one pixel the quantile 0.3 is 1 + 0.3·4 = 2.2, as numpy's
// quantile([1, 2, 3, 4, 5], 0.3) gives.
func TestMapInterpolates(t *testing.T) {
	const tol = 1e-12
	samples := [][]float64{{5, 0}, {1, 0}, {4, 0}, {2, 0}, {3, 7}}
	got := Map(samples, 0.3)
	if math.Abs(got[0]-2.2) > tol {
		t.Errorf("pixel 0: quantile 0.3 = %v, want 2.2", got[0])
	}
	if got[1] != 0 {
		t.Errorf("pixel 1: quantile 0.3 = %v, want 0", got[1])
	}
	if got := Map(samples, 0.999); math.Abs(got[1]-6.972) > tol {
		t.Errorf("pixel 1: quantile 0.999 = %v, want 0.996·7 = 6.972", got[1])
	}
}
