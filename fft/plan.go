package fft

import (
	"fmt"
	"math"
)

// maxGenericRadix is the largest prime factor that gets its own Stockham
// stage. A generic radix-p stage costs about p/2 complex multiply-adds per
// point, so a length with a larger prime factor goes through Bluestein's
// algorithm instead, which costs two transforms of length at least 2n−1.
// Measured on one transform of length p, the generic stage was 1.5 times
// faster at p = 61, and the two took the same time at p = 79.
const maxGenericRadix = 61

// kernel transforms s0 interleaved sequences of one length: element j of
// sequence q is at index q + s0*j. The two implementations are a Stockham
// stage list and Bluestein's algorithm.
type kernel interface {
	// transform writes the transform of src to dst. dst may be src. work
	// holds at least workLen(s0) elements and is overwritten.
	transform(dst, src, work []complex128, s0 int, inverse bool)

	// apply transforms a in place or into work, and returns the slice that
	// holds the result: a or the first len(a) elements of work. It saves
	// the final copy that transform needs when the stage count is odd.
	apply(a, work []complex128, s0 int, inverse bool) []complex128

	// workLen returns the scratch length that transform and apply need for
	// s0 interleaved sequences.
	workLen(s0 int) int
}

// newKernel returns the Stockham stages for an n whose prime factors are
// all at most maxGenericRadix, and Bluestein's algorithm otherwise.
func newKernel(n int) kernel {
	radices, ok := factorize(n)
	if ok {
		return newStockham(n, radices)
	}
	return newBluestein(n)
}

// factorize splits n into the radices of the Stockham stages, in the order
// the stages run. It reports false when n has a prime factor above
// maxGenericRadix; the radices are then incomplete.
//
// The power of two goes into radix 8 stages, which do the most work per
// load and store, and radix 4 stages for the remainder: 2^(3q+1) becomes
// 8^(q−1)·4·4 rather than 8^q·2, because a radix 2 stage costs a whole pass
// over the data for little arithmetic (at n = 1024, 8·8·4·4 runs about 15%
// faster than 8·8·8·2). The odd factors follow in ascending order; their
// order made no measurable difference at n = 360.
func factorize(n int) ([]int, bool) {
	var radices []int
	k := 0
	for n%2 == 0 {
		n /= 2
		k++
	}
	switch {
	case k == 1:
		radices = append(radices, 2)
	case k%3 == 1:
		for range k/3 - 1 {
			radices = append(radices, 8)
		}
		radices = append(radices, 4, 4)
	default:
		for range k / 3 {
			radices = append(radices, 8)
		}
		if k%3 == 2 {
			radices = append(radices, 4)
		}
	}
	for p := 3; p*p <= n; p += 2 {
		for n%p == 0 {
			if p > maxGenericRadix {
				return radices, false
			}
			radices = append(radices, p)
			n /= p
		}
	}
	if n > 1 {
		if n > maxGenericRadix {
			return radices, false
		}
		radices = append(radices, n)
	}
	return radices, true
}

// twiddle returns exp(sign·2πi·k/n) for an integer k; reducing k modulo n
// first keeps the angle, and so the result, accurate for large k.
func twiddle(k, n int, sign float64) complex128 {
	k %= n
	if k < 0 {
		k += n
	}
	s, c := math.Sincos(2 * math.Pi * float64(k) / float64(n))
	return complex(c, sign*s)
}

// Plan computes one-dimensional discrete Fourier transforms of a fixed
// length on the calling goroutine. A Plan holds scratch space, so it is not
// safe for concurrent use; give each goroutine its own.
type Plan struct {
	n    int
	k    kernel
	work []complex128
}

// NewPlan returns a Plan for sequences of length n. It panics if n < 1.
func NewPlan(n int) *Plan {
	if n < 1 {
		panic(fmt.Sprintf("fft: invalid transform length %d, must be at least 1", n))
	}
	k := newKernel(n)
	return &Plan{n: n, k: k, work: make([]complex128, k.workLen(1))}
}

// Len returns the transform length.
func (p *Plan) Len() int { return p.n }

// Forward writes the unnormalised forward transform of src to dst:
//
//	dst[k] = Σ_j src[j]·exp(−2πi·jk/n)
//
// dst may be the same slice as src. It panics unless both have length n.
func (p *Plan) Forward(dst, src []complex128) {
	p.check(dst, src)
	p.k.transform(dst, src, p.work, 1, false)
}

// Inverse writes the unnormalised inverse transform of src to dst:
//
//	dst[j] = Σ_k src[k]·exp(+2πi·jk/n)
//
// so Inverse after Forward multiplies by n. dst may be the same slice as src.
// It panics unless both have length n.
func (p *Plan) Inverse(dst, src []complex128) {
	p.check(dst, src)
	p.k.transform(dst, src, p.work, 1, true)
}

func (p *Plan) check(dst, src []complex128) {
	if len(src) != p.n {
		panic(fmt.Sprintf("fft: source length %d does not match plan length %d", len(src), p.n))
	}
	if len(dst) != p.n {
		panic(fmt.Sprintf("fft: destination length %d does not match plan length %d", len(dst), p.n))
	}
}
