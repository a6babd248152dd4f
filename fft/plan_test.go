package fft

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// tol bounds the error of a transform relative to the norm of the exact
// result. Rounding in an FFT grows like ε·log n, so 1e-12 leaves a wide
// margin at every length tested here.
const tol = 1e-12

// naiveDFT returns the O(n²) transform with exponent sign sign. The exponent
// index j·k is reduced modulo n before the angle is formed, so the reference
// itself is accurate to rounding in the sum.
func naiveDFT(x []complex128, sign float64) []complex128 {
	n := len(x)
	y := make([]complex128, n)
	for k := range y {
		var sum complex128
		for j, v := range x {
			sum += v * twiddle(j*k%n, n, sign)
		}
		y[k] = sum
	}
	return y
}

// relErr returns ‖got − want‖₂ / ‖want‖₂, or ‖got‖₂ when want is zero.
func relErr(got, want []complex128) float64 {
	var num, den float64
	for i := range want {
		d := got[i] - want[i]
		num += real(d)*real(d) + imag(d)*imag(d)
		den += real(want[i])*real(want[i]) + imag(want[i])*imag(want[i])
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

func randomComplex(rng *rand.Rand, n int) []complex128 {
	x := make([]complex128, n)
	for i := range x {
		x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	return x
}

// testLengths covers every length up to 64, large primes that go through
// Bluestein's algorithm, a prime that gets a generic radix stage, and
// mixed composites.
func testLengths() []int {
	var ns []int
	for n := 1; n <= 64; n++ {
		ns = append(ns, n)
	}
	return append(ns, 97, 127, 128, 243, 360, 509, 512, 1000, 1024, 2*3*5*7*11, 59*61, 3*67, 4096)
}

func TestPlanAgainstNaiveDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range testLengths() {
		x := randomComplex(rng, n)
		p := NewPlan(n)
		got := make([]complex128, n)

		p.Forward(got, x)
		if e := relErr(got, naiveDFT(x, -1)); e > tol {
			t.Errorf("n=%d: Forward error %.3g relative to the naive DFT, want ≤ %g", n, e, tol)
		}
		p.Inverse(got, x)
		if e := relErr(got, naiveDFT(x, 1)); e > tol {
			t.Errorf("n=%d: Inverse error %.3g relative to the naive DFT, want ≤ %g", n, e, tol)
		}
	}
}

func TestPlanInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range testLengths() {
		x := randomComplex(rng, n)
		want := naiveDFT(x, -1)
		NewPlan(n).Forward(x, x)
		if e := relErr(x, want); e > tol {
			t.Errorf("n=%d: in-place Forward error %.3g, want ≤ %g", n, e, tol)
		}
	}
}

func TestPlanKeepsSource(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 8, 12, 360, 509} {
		x := randomComplex(rng, n)
		keep := append([]complex128(nil), x...)
		NewPlan(n).Forward(make([]complex128, n), x)
		for i := range x {
			if x[i] != keep[i] {
				t.Errorf("n=%d: Forward changed src[%d] from %v to %v", n, i, keep[i], x[i])
				break
			}
		}
	}
}

func TestPlanRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range testLengths() {
		x := randomComplex(rng, n)
		p := NewPlan(n)
		y := make([]complex128, n)
		p.Forward(y, x)
		p.Inverse(y, y)
		for i := range y {
			y[i] /= complex(float64(n), 0)
		}
		if e := relErr(y, x); e > tol {
			t.Errorf("n=%d: Inverse(Forward(x))/n differs from x by %.3g relative, want ≤ %g", n, e, tol)
		}
	}
}

func TestPlanImpulse(t *testing.T) {
	// The transform of δ[j − 1] is exp(−2πi·k/n), which pins the sign.
	const n = 12
	x := make([]complex128, n)
	x[1] = 1
	y := make([]complex128, n)
	NewPlan(n).Forward(y, x)
	for k, v := range y {
		want := cmplx.Exp(complex(0, -2*math.Pi*float64(k)/n))
		if cmplx.Abs(v-want) > 1e-15 {
			t.Errorf("X[%d] = %v, want %v", k, v, want)
		}
	}
}

func TestNewPlanInvalidLength(t *testing.T) {
	for _, n := range []int{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewPlan(%d) did not panic", n)
				}
			}()
			NewPlan(n)
		}()
	}
}

func TestPlanWrongLength(t *testing.T) {
	p := NewPlan(8)
	for _, c := range []struct {
		name     string
		dst, src []complex128
	}{
		{"short src", make([]complex128, 8), make([]complex128, 7)},
		{"long dst", make([]complex128, 9), make([]complex128, 8)},
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

func TestPlanNoAllocations(t *testing.T) {
	for _, n := range []int{360, 509} {
		p := NewPlan(n)
		x := make([]complex128, n)
		allocs := testing.AllocsPerRun(5, func() {
			p.Forward(x, x)
			p.Inverse(x, x)
		})
		if allocs != 0 {
			t.Errorf("n=%d: %v allocations per Forward+Inverse, want 0", n, allocs)
		}
	}
}

func TestFactorize(t *testing.T) {
	// Powers of two avoid radix-2 stages except for n = 2 itself.
	for _, c := range []struct {
		n    int
		want []int
	}{
		{2, []int{2}}, {16, []int{4, 4}}, {1024, []int{8, 8, 4, 4}}, {4096, []int{8, 8, 8, 8}},
		{360, []int{8, 3, 3, 5}}, {6, []int{2, 3}}, {61, []int{61}},
	} {
		got, ok := factorize(c.n)
		if !ok || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("factorize(%d) = %v, %v, want %v, true", c.n, got, ok, c.want)
		}
	}
	for _, n := range []int{67, 2 * 67, 97 * 3} {
		if _, ok := factorize(n); ok {
			t.Errorf("factorize(%d) reported Stockham stages for a prime factor above %d", n, maxGenericRadix)
		}
	}
}
