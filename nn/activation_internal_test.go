package nn

import (
	"math"
	"testing"
)

// TestExp32 compares exp32 with math.Exp on a dense grid over its whole
// range, the edges of the range and special values.
func TestExp32(t *testing.T) {
	const tol = 2e-7 // relative; one float32 ulp is 6e-8 to 1.2e-7
	var worst, worstX float64
	for x := float32(-87.3); x <= 88.7; x += 0.00123 {
		want := math.Exp(float64(x))
		if e := math.Abs(float64(exp32(x))-want) / want; e > worst {
			worst, worstX = e, float64(x)
		}
	}
	for _, x := range []float32{-87.33, -1e-30, 0, 1e-30, 0.3465, -0.3466, 88.38, 88.5, 88.72} {
		want := math.Exp(float64(x))
		if e := math.Abs(float64(exp32(x))-want) / want; e > worst {
			worst, worstX = e, float64(x)
		}
	}
	t.Logf("worst relative error %.3g at x = %g", worst, worstX)
	if worst > tol {
		t.Errorf("relative error %.3g at x = %g", worst, worstX)
	}
	if v := exp32(89); !math.IsInf(float64(v), 1) {
		t.Errorf("exp32(89) = %g, expected +Inf", v)
	}
	if v := exp32(-88); v != 0 {
		t.Errorf("exp32(-88) = %g, expected 0", v)
	}
	if v := exp32(float32(math.NaN())); v == v {
		t.Errorf("exp32(NaN) = %g, expected NaN", v)
	}
}
