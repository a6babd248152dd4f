package solvers

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/operators"
)

// Two compact positive halos seen through a mask with little noise: the
// sparse reconstruction must find them, stay non-negative with Positive,
// and stop with a typed error when the iteration cap is too small.
func TestSparseFindsHalos(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	nx, ny := 48, 40
	n := nx * ny
	truth := make([]float64, n)
	for _, h := range [][3]float64{{14, 12, 2.5}, {33, 27, 3.5}} {
		for y := range ny {
			for x := range nx {
				r2 := (float64(x)-h[0])*(float64(x)-h[0]) + (float64(y)-h[1])*(float64(y)-h[1])
				truth[y*nx+x] += 0.2 * math.Exp(-r2/(2*h[2]*h[2]))
			}
		}
	}
	shear, _ := operators.NewShear(nx, ny, operators.ShearOptions{EOnly: true})
	g := make([]float64, 2*n)
	shear.Apply(g, truth)
	noise := make([]float64, n)
	const sigma = 0.01
	for i := range noise {
		noise[i] = sigma * sigma
		if rng.Float64() < 0.15 {
			noise[i] = math.Inf(1)
			g[i], g[n+i] = 0, 0
			continue
		}
		g[i] += sigma * rng.NormFloat64()
		g[n+i] += sigma * rng.NormFloat64()
	}
	p := SparseProblem{NX: nx, NY: ny, NoiseVar: noise, Positive: true, Seed: 2}
	kappa, res, err := Sparse(p, g[:n], g[n:], Settings{Tol: 1e-4, MaxIter: 2000})
	if err != nil {
		t.Fatal(err)
	}
	var num, da, db float64
	ma, mb := mean(kappa), mean(truth)
	for i := range kappa {
		if kappa[i] < 0 {
			t.Fatalf("pixel %d: κ = %g < 0 with Positive", i, kappa[i])
		}
		num += (kappa[i] - ma) * (truth[i] - mb)
		da += (kappa[i] - ma) * (kappa[i] - ma)
		db += (truth[i] - mb) * (truth[i] - mb)
	}
	r := num / math.Sqrt(da*db)
	t.Logf("Pearson r %.3f after %d iterations", r, res.Iterations)
	if !(r > 0.9) {
		t.Errorf("Pearson r = %.3f, want > 0.9", r)
	}

	_, _, err = Sparse(p, g[:n], g[n:], Settings{Tol: 1e-12, MaxIter: 3})
	var nc *NotConvergedError
	if !errors.As(err, &nc) || nc.Iterations != 3 {
		t.Errorf("err = %v, want a *NotConvergedError after 3 iterations", err)
	}
	if _, _, err := Sparse(SparseProblem{NX: nx, NY: ny, NoiseVar: noise, K: -1}, g[:n], g[n:], Settings{}); err == nil {
		t.Error("a negative threshold returned no error")
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
