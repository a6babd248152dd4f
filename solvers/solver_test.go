package solvers

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// A random symmetric positive-definite system with a known solution.
func spdSystem(rng *rand.Rand, n int) (apply func(dst, v []float64), x, b []float64) {
	m := make([]float64, n*n)
	for i := range m {
		m[i] = rng.NormFloat64()
	}
	a := make([]float64, n*n) // Mᵀ M + n I
	for i := range n {
		for j := range n {
			s := 0.0
			for k := range n {
				s += m[k*n+i] * m[k*n+j]
			}
			if i == j {
				s += float64(n)
			}
			a[i*n+j] = s
		}
	}
	apply = func(dst, v []float64) {
		for i := range n {
			s := 0.0
			for j := range n {
				s += a[i*n+j] * v[j]
			}
			dst[i] = s
		}
	}
	x = make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	b = make([]float64, n)
	apply(b, x)
	return apply, x, b
}

func TestCGSolvesSPDSystem(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	apply, want, b := spdSystem(rng, 40)
	var calls int
	got, res, err := CG(nil, apply, b, nil, Settings{Tol: 1e-12, MaxIter: 200, Progress: func(int, float64) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Fatalf("x[%d] = %g, want %g", i, got[i], want[i])
		}
	}
	if res.Residual > 1e-12 || res.Iterations < 1 || calls != res.Iterations {
		t.Errorf("result %+v with %d progress calls", res, calls)
	}
}

func TestCGReportsNonConvergence(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	apply, _, b := spdSystem(rng, 40)
	x, res, err := CG(nil, apply, b, nil, Settings{Tol: 1e-14, MaxIter: 3})
	var nc *NotConvergedError
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v, want a *NotConvergedError", err)
	}
	if nc.Iterations != 3 || res.Iterations != 3 || !(res.Residual > 1e-14) || x == nil {
		t.Errorf("error %+v, result %+v", nc, res)
	}
}

func TestCGDetectsIndefiniteMatrix(t *testing.T) {
	apply := func(dst, v []float64) {
		dst[0], dst[1] = v[0], -v[1]
	}
	_, _, err := CG(nil, apply, []float64{1, 1}, nil, Settings{})
	if !errors.Is(err, ErrBreakdown) {
		t.Errorf("err = %v, want ErrBreakdown", err)
	}
}

func TestCGRejectsBadSettings(t *testing.T) {
	apply := func(dst, v []float64) { copy(dst, v) }
	for _, s := range []Settings{{Tol: -1}, {MaxIter: -5}, {Tol: math.NaN()}} {
		if _, _, err := CG(nil, apply, []float64{1}, nil, s); err == nil {
			t.Errorf("settings %+v: no error", s)
		}
	}
}
