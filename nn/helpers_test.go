package nn_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/nn"
)

// randomTensor returns a tensor of standard normal draws.
func randomTensor(rng *rand.Rand, n, c, h, w int) *nn.Tensor {
	t := nn.NewTensor(n, c, h, w)
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64())
	}
	return t
}

func randomFloats(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func toFloat64(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, v := range s {
		d[i] = float64(v)
	}
	return d
}

// relErr returns max|got-want| / max|want|, the error relative to the
// largest reference value. It is 0 when both are zero.
func relErr(got []float32, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var diff, scale float64
	for i := range got {
		diff = math.Max(diff, math.Abs(float64(got[i])-want[i]))
		scale = math.Max(scale, math.Abs(want[i]))
	}
	if diff == 0 {
		return 0
	}
	return diff / scale
}

// expectPanic fails t unless f panics with a message starting "nn: ".
func expectPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		msg, ok := r.(string)
		if !ok || !strings.HasPrefix(msg, "nn: ") {
			t.Errorf("%s: recovered %v, expected a panic with an \"nn: \" message", name, r)
		}
	}()
	f()
}

// dot returns Σ a[i]·b[i] in float64.
func dot(a []float32, b []float64) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * b[i]
	}
	return s
}
