package solvers_test

import (
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/solvers"
)

// naiveDFT returns the unnormalised 2-D DFT of the nx × ny array v
// (index y*nx + x) with exponent sign s (−1 forward, +1 inverse), summed
// term by term: a reference that shares no code with package fft.
func naiveDFT(v []complex128, nx, ny int, s float64) []complex128 {
	out := make([]complex128, nx*ny)
	for q := range ny {
		for p := range nx {
			var acc complex128
			for y := range ny {
				for x := range nx {
					phase := s * 2 * math.Pi * (float64(p*x)/float64(nx) + float64(q*y)/float64(ny))
					acc += v[y*nx+x] * cmplx.Exp(complex(0, phase))
				}
			}
			out[q*nx+p] = acc
		}
	}
	return out
}

// transferFunction returns H, the DFT on the nx × ny grid of the kx × ky
// PSF with its pixel (kx/2, ky/2) moved to the origin, the centring that
// operators.Convolution documents.
func transferFunction(psf []float64, kx, ky, nx, ny int) []complex128 {
	kernel := make([]complex128, nx*ny)
	for j := range ky {
		for i := range kx {
			x := ((i-kx/2)%nx + nx) % nx
			y := ((j-ky/2)%ny + ny) % ny
			kernel[y*nx+x] += complex(psf[j*kx+i], 0)
		}
	}
	return naiveDFT(kernel, nx, ny, -1)
}

// fourierFilter returns the real part of the inverse DFT of gain(k)·F(y)(k).
func fourierFilter(y []float64, nx, ny int, gain func(k int) complex128) []float64 {
	c := make([]complex128, len(y))
	for i, v := range y {
		c[i] = complex(v, 0)
	}
	f := naiveDFT(c, nx, ny, -1)
	for k := range f {
		f[k] *= gain(k)
	}
	b := naiveDFT(f, nx, ny, +1)
	out := make([]float64, len(y))
	for i, v := range b {
		out[i] = real(v) / float64(nx*ny)
	}
	return out
}

func randomImage(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func positiveImage(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 0.1 + rng.Float64()
	}
	return v
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// For a periodic convolution, the Tikhonov solution is H* Y / (|H|² + λ)
// mode by mode. The PSF has even sides, so its centring is tested too.
func TestTikhonovMatchesFourierRatio(t *testing.T) {
	const (
		nx, ny, kx, ky = 12, 10, 4, 6
		lambda         = 0.05
		tol            = 1e-9 // relative to max|x|; CG runs to 1e-13
	)
	rng := rand.New(rand.NewPCG(11, 3))
	psf := positiveImage(rng, kx*ky)
	y := randomImage(rng, nx*ny)
	a, err := operators.NewConvolution(nx, ny, psf, kx, ky, operators.Periodic)
	if err != nil {
		t.Fatal(err)
	}

	got, res, err := solvers.Tikhonov(nil, a, y, lambda, solvers.Settings{Tol: 1e-13, MaxIter: 500})
	if err != nil {
		t.Fatalf("Tikhonov: %v (result %+v)", err, res)
	}
	h := transferFunction(psf, kx, ky, nx, ny)
	want := fourierFilter(y, nx, ny, func(k int) complex128 {
		h2 := real(h[k])*real(h[k]) + imag(h[k])*imag(h[k])
		return cmplx.Conj(h[k]) / complex(h2+lambda, 0)
	})
	if d := maxAbsDiff(got, want); d > tol*maxAbs(want) {
		t.Errorf("max |x − closed form| = %.3g, want ≤ %.3g", d, tol*maxAbs(want))
	}
	if res.Iterations < 1 || res.Residual > 1e-13 {
		t.Errorf("result %+v", res)
	}
}

// Tikhonov works for an operator whose range differs from its domain: a
// zero-padded convolution followed by the selection of some pixels. The
// reference solves the normal equations with the dense matrix.
func TestTikhonovOnSampledConvolution(t *testing.T) {
	const (
		nx, ny = 7, 6
		lambda = 0.2
		tol    = 1e-9
	)
	rng := rand.New(rand.NewPCG(5, 8))
	conv, err := operators.NewConvolution(nx, ny, positiveImage(rng, 9), 3, 3, operators.ZeroPad)
	if err != nil {
		t.Fatal(err)
	}
	keep := make([]bool, nx*ny)
	for i := range keep {
		keep[i] = rng.Float64() < 0.7
	}
	sample, err := operators.NewSample(conv.Range(), keep)
	if err != nil {
		t.Fatal(err)
	}
	a, err := operators.Compose(sample, conv)
	if err != nil {
		t.Fatal(err)
	}
	n, m := a.Domain().Len(), a.Range().Len()
	y := randomImage(rng, m)

	got, _, err := solvers.Tikhonov(nil, a, y, lambda, solvers.Settings{Tol: 1e-13, MaxIter: 1000})
	if err != nil {
		t.Fatal(err)
	}

	// Dense AᵀA + λI and Aᵀy, column by column.
	cols := make([][]float64, n)
	for j := range n {
		e := make([]float64, n)
		e[j] = 1
		cols[j] = make([]float64, m)
		a.Apply(cols[j], e)
	}
	mat := make([][]float64, n)
	rhs := make([]float64, n)
	for i := range n {
		mat[i] = make([]float64, n)
		for j := range n {
			mat[i][j] = dot(cols[i], cols[j])
		}
		mat[i][i] += lambda
		rhs[i] = dot(cols[i], y)
	}
	want := solveDense(mat, rhs)
	if d := maxAbsDiff(got, want); d > tol*maxAbs(want) {
		t.Errorf("max |x − dense solution| = %.3g, want ≤ %.3g", d, tol*maxAbs(want))
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solveDense solves m x = b by Gaussian elimination with partial pivoting;
// it overwrites m and b.
func solveDense(m [][]float64, b []float64) []float64 {
	n := len(b)
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k < n; k++ {
				m[r][k] -= f * m[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x
}

func TestTikhonovReportsNonConvergence(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	a, err := operators.NewConvolution(16, 16, positiveImage(rng, 25), 5, 5, operators.ZeroPad)
	if err != nil {
		t.Fatal(err)
	}
	x, res, err := solvers.Tikhonov(nil, a, randomImage(rng, 256), 1e-3, solvers.Settings{Tol: 1e-14, MaxIter: 2})
	var nc *solvers.NotConvergedError
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v, want a *NotConvergedError", err)
	}
	if !strings.Contains(nc.Error(), "Tikhonov") {
		t.Errorf("error %q does not name the method", nc)
	}
	if nc.Iterations != 2 || res.Iterations != 2 {
		t.Errorf("error %+v, result %+v: want 2 iterations", nc, res)
	}
	if len(x) != 256 {
		t.Errorf("last iterate has %d values, want 256", len(x))
	}
}

func TestTikhonovRejectsInvalidLambda(t *testing.T) {
	a, err := operators.NewConvolution(4, 4, []float64{1}, 1, 1, operators.Periodic)
	if err != nil {
		t.Fatal(err)
	}
	for _, lambda := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, _, err := solvers.Tikhonov(nil, a, make([]float64, 16), lambda, solvers.Settings{}); err == nil {
			t.Errorf("λ = %v: no error", lambda)
		}
	}
}
