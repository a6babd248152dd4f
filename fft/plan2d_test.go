package fft

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

// naiveDFT2 returns the 2-D transform of the nx×ny row-major array x by the
// double sum over both axes, O((nx·ny)²).
func naiveDFT2(x []complex128, nx, ny int, sign float64) []complex128 {
	y := make([]complex128, nx*ny)
	for v := range ny {
		for u := range nx {
			var sum complex128
			for j := range ny {
				wy := twiddle(v*j%ny, ny, sign)
				for i := range nx {
					sum += x[j*nx+i] * wy * twiddle(u*i%nx, nx, sign)
				}
			}
			y[v*nx+u] = sum
		}
	}
	return y
}

// separableDFT2 returns the 2-D transform by naive 1-D DFTs of the rows and
// then the columns, O(nx·ny·(nx+ny)), for sizes too large for naiveDFT2.
func separableDFT2(x []complex128, nx, ny int, sign float64) []complex128 {
	y := make([]complex128, nx*ny)
	for r := range ny {
		copy(y[r*nx:], naiveDFT(x[r*nx:(r+1)*nx], sign))
	}
	col := make([]complex128, ny)
	for c := range nx {
		for r := range ny {
			col[r] = y[r*nx+c]
		}
		for r, v := range naiveDFT(col, sign) {
			y[r*nx+c] = v
		}
	}
	return y
}

type size2D struct{ nx, ny int }

// smallSizes2D are checked against the double sum. They include length 1 on
// either axis, primes, and widths that are not a multiple of 8.
var smallSizes2D = []size2D{
	{1, 1}, {1, 7}, {7, 1}, {2, 2}, {8, 8}, {12, 10}, {17, 13}, {9, 16}, {30, 6}, {5, 31},
}

// largeSizes2D are checked against the separable reference. They run on
// several goroutines (at least minParallel elements) and include sizes that
// go through Bluestein's algorithm on one or both axes, and widths that
// give column blocks wider than 8 with a narrower block at the right edge.
var largeSizes2D = []size2D{
	{64, 64}, {360, 24}, {24, 360}, {97, 127}, {127, 97}, {509, 12}, {100, 90}, {256, 33}, {1030, 6},
}

func TestPlan2DAgainstNaiveDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	check := func(sz size2D, ref func([]complex128, int, int, float64) []complex128) {
		x := randomComplex(rng, sz.nx*sz.ny)
		want := [2][]complex128{ref(x, sz.nx, sz.ny, -1), ref(x, sz.nx, sz.ny, 1)}
		for _, workers := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%dx%d/workers=%d", sz.nx, sz.ny, workers), func(t *testing.T) {
				p := NewPlan2D(sz.nx, sz.ny)
				p.SetWorkers(workers)
				got := make([]complex128, len(x))
				p.Forward(got, x)
				if e := relErr(got, want[0]); e > tol {
					t.Errorf("Forward error %.3g relative to the naive DFT, want ≤ %g", e, tol)
				}
				p.Inverse(got, x)
				if e := relErr(got, want[1]); e > tol {
					t.Errorf("Inverse error %.3g relative to the naive DFT, want ≤ %g", e, tol)
				}
			})
		}
	}
	for _, sz := range smallSizes2D {
		check(sz, naiveDFT2)
	}
	for _, sz := range largeSizes2D {
		check(sz, separableDFT2)
	}
}

func TestPlan2DInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, sz := range append(smallSizes2D, largeSizes2D...) {
		x := randomComplex(rng, sz.nx*sz.ny)
		want := separableDFT2(x, sz.nx, sz.ny, -1)
		NewPlan2D(sz.nx, sz.ny).Forward(x, x)
		if e := relErr(x, want); e > tol {
			t.Errorf("%dx%d: in-place Forward error %.3g, want ≤ %g", sz.nx, sz.ny, e, tol)
		}
	}
}

func TestPlan2DKeepsSource(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, sz := range []size2D{{1, 5}, {5, 1}, {64, 64}, {97, 127}} {
		x := randomComplex(rng, sz.nx*sz.ny)
		keep := append([]complex128(nil), x...)
		NewPlan2D(sz.nx, sz.ny).Forward(make([]complex128, len(x)), x)
		for i := range x {
			if x[i] != keep[i] {
				t.Errorf("%dx%d: Forward changed src[%d]", sz.nx, sz.ny, i)
				break
			}
		}
	}
}

func TestPlan2DRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, sz := range []size2D{{1, 1}, {360, 360}, {1024, 64}, {127, 509}} {
		x := randomComplex(rng, sz.nx*sz.ny)
		p := NewPlan2D(sz.nx, sz.ny)
		y := make([]complex128, len(x))
		p.Forward(y, x)
		p.Inverse(y, y)
		n := complex(float64(len(x)), 0)
		for i := range y {
			y[i] /= n
		}
		if e := relErr(y, x); e > tol {
			t.Errorf("%dx%d: Inverse(Forward(x))/(nx·ny) differs from x by %.3g, want ≤ %g", sz.nx, sz.ny, e, tol)
		}
	}
}

func TestPlan2DLinearity(t *testing.T) {
	const nx, ny = 90, 120
	rng := rand.New(rand.NewPCG(19, 20))
	x, y := randomComplex(rng, nx*ny), randomComplex(rng, nx*ny)
	a, b := complex(0.3, -1.2), complex(2.5, 0.7)
	combined := make([]complex128, nx*ny)
	for i := range combined {
		combined[i] = a*x[i] + b*y[i]
	}
	p := NewPlan2D(nx, ny)
	p.Forward(x, x)
	p.Forward(y, y)
	p.Forward(combined, combined)
	want := make([]complex128, nx*ny)
	for i := range want {
		want[i] = a*x[i] + b*y[i]
	}
	if e := relErr(combined, want); e > tol {
		t.Errorf("F(a·x + b·y) differs from a·F(x) + b·F(y) by %.3g relative, want ≤ %g", e, tol)
	}
}

func TestPlan2DParseval(t *testing.T) {
	// Σ|x|² = Σ|X|² / (nx·ny) for the unnormalised transform.
	for _, sz := range []size2D{{360, 360}, {127, 64}} {
		rng := rand.New(rand.NewPCG(21, 22))
		x := randomComplex(rng, sz.nx*sz.ny)
		y := make([]complex128, len(x))
		NewPlan2D(sz.nx, sz.ny).Forward(y, x)
		var ex, ey float64
		for i := range x {
			ex += real(x[i])*real(x[i]) + imag(x[i])*imag(x[i])
			ey += real(y[i])*real(y[i]) + imag(y[i])*imag(y[i])
		}
		ey /= float64(len(x))
		if d := (ey - ex) / ex; d > tol || d < -tol {
			t.Errorf("%dx%d: Σ|X|²/N = %.17g, Σ|x|² = %.17g, relative difference %.3g", sz.nx, sz.ny, ey, ex, d)
		}
	}
}

// TestPlan2DAgainstGonum compares with rows and then columns transformed by
// gonum's dsp/fourier, which uses the same sign and is also unnormalised.
func TestPlan2DAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, sz := range []size2D{{360, 360}, {256, 100}} {
		x := randomComplex(rng, sz.nx*sz.ny)
		want := gonumForward2D(x, sz.nx, sz.ny)
		got := make([]complex128, len(x))
		NewPlan2D(sz.nx, sz.ny).Forward(got, x)
		if e := relErr(got, want); e > tol {
			t.Errorf("%dx%d: Forward differs from gonum by %.3g relative, want ≤ %g", sz.nx, sz.ny, e, tol)
		}
	}
}

func gonumForward2D(x []complex128, nx, ny int) []complex128 {
	y := append([]complex128(nil), x...)
	rows, cols := fourier.NewCmplxFFT(nx), fourier.NewCmplxFFT(ny)
	for r := range ny {
		rows.Coefficients(y[r*nx:(r+1)*nx], y[r*nx:(r+1)*nx])
	}
	col := make([]complex128, ny)
	for c := range nx {
		for r := range ny {
			col[r] = y[r*nx+c]
		}
		cols.Coefficients(col, col)
		for r := range ny {
			y[r*nx+c] = col[r]
		}
	}
	return y
}

func TestPlan2DNoAllocations(t *testing.T) {
	for _, sz := range []size2D{{8, 8}, {360, 360}, {97, 127}} {
		for _, workers := range []int{1, 2} {
			p := NewPlan2D(sz.nx, sz.ny)
			p.SetWorkers(workers)
			x := make([]complex128, sz.nx*sz.ny)
			x[1] = 1
			allocs := testing.AllocsPerRun(5, func() {
				p.Forward(x, x)
				p.Inverse(x, x)
			})
			if allocs != 0 {
				t.Errorf("%dx%d, %d workers: %v allocations per Forward+Inverse, want 0", sz.nx, sz.ny, workers, allocs)
			}
		}
	}
}

func TestPlan2DSize(t *testing.T) {
	nx, ny := NewPlan2D(7, 3).Size()
	if nx != 7 || ny != 3 {
		t.Errorf("Size() = %d, %d, want 7, 3", nx, ny)
	}
}

func TestNewPlan2DInvalidSize(t *testing.T) {
	for _, sz := range []size2D{{0, 1}, {1, 0}, {-3, 4}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewPlan2D(%d, %d) did not panic", sz.nx, sz.ny)
				}
			}()
			NewPlan2D(sz.nx, sz.ny)
		}()
	}
}

func TestPlan2DWrongLength(t *testing.T) {
	p := NewPlan2D(4, 4)
	for _, c := range []struct {
		name     string
		dst, src []complex128
	}{
		{"short src", make([]complex128, 16), make([]complex128, 15)},
		{"long dst", make([]complex128, 17), make([]complex128, 16)},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Forward did not panic", c.name)
				}
			}()
			p.Forward(c.dst, c.src)
		}()
	}
}

func TestPlan2DDefaultWorkers(t *testing.T) {
	p := NewPlan2D(8, 8)
	if got, want := p.Workers(), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("Workers() = %d after NewPlan2D, want GOMAXPROCS = %d", got, want)
	}
	p.SetWorkers(3)
	if got := p.Workers(); got != 3 {
		t.Errorf("Workers() = %d after SetWorkers(3), want 3", got)
	}
	p.SetWorkers(0)
	if got, want := p.Workers(), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("Workers() = %d after SetWorkers(0), want GOMAXPROCS = %d", got, want)
	}
}

// TestPlan2DConcurrentPlans runs several plans at once from different
// goroutines; they share the worker pool.
func TestPlan2DConcurrentPlans(t *testing.T) {
	const nx, ny = 120, 90
	rng := rand.New(rand.NewPCG(25, 26))
	x := randomComplex(rng, nx*ny)
	want := separableDFT2(x, nx, ny, -1)
	errs := make(chan float64, 4)
	for range 4 {
		go func() {
			p := NewPlan2D(nx, ny)
			p.SetWorkers(2)
			got := make([]complex128, len(x))
			for range 10 {
				p.Forward(got, x)
			}
			errs <- relErr(got, want)
		}()
	}
	for range 4 {
		if e := <-errs; e > tol {
			t.Errorf("Forward error %.3g with plans running concurrently, want ≤ %g", e, tol)
		}
	}
}
