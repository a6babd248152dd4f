package fft

import (
	"fmt"
	"math/rand/v2"
	"testing"

	godsp "github.com/mjibson/go-dsp/fft"
	"gonum.org/v1/gonum/dsp/fourier"
)

// Every benchmark here times one forward and one inverse 2-D transform of
// an n×n complex128 array, so the figures compare directly with each other
// and with bench/ks_fftw.c and bench/ks_numpy.py.

func benchInput(n int) []complex128 {
	return randomComplex(rand.New(rand.NewPCG(uint64(n), 1)), n*n)
}

// BenchmarkPlan2D times this package with the default worker count
// (GOMAXPROCS) and with one worker.
func BenchmarkPlan2D(b *testing.B) {
	for _, n := range []int{360, 1024, 4096} {
		for _, workers := range []int{0, 1} {
			name := fmt.Sprintf("n=%d", n)
			if workers == 1 {
				name += "/workers=1"
			}
			b.Run(name, func(b *testing.B) {
				x := benchInput(n)
				p := NewPlan2D(n, n)
				p.SetWorkers(workers)
				b.SetBytes(int64(16 * n * n))
				b.ResetTimer()
				for b.Loop() {
					p.Forward(x, x)
					p.Inverse(x, x)
				}
			})
		}
	}
}

// BenchmarkKSCore times the transform part of Kaiser-Squires inversion: the
// forward transform of γ = γ1 + iγ2, a pointwise product with a kernel, and
// the inverse transform, all in place.
func BenchmarkKSCore(b *testing.B) {
	for _, n := range []int{360, 1024, 4096} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			x := benchInput(n)
			kernel := benchInput(n)
			p := NewPlan2D(n, n)
			b.ResetTimer()
			for b.Loop() {
				p.Forward(x, x)
				for i, k := range kernel {
					x[i] *= k
				}
				p.Inverse(x, x)
			}
		})
	}
}

// BenchmarkGonum times gonum's dsp/fourier.CmplxFFT (FFTPACK) with plans
// reused, on the calling goroutine: each row in place, then each column
// copied out, transformed and copied back.
func BenchmarkGonum(b *testing.B) {
	for _, n := range []int{360, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			x := benchInput(n)
			t := fourier.NewCmplxFFT(n)
			col := make([]complex128, n)
			pass := func(transform func(dst, src []complex128) []complex128) {
				for r := range n {
					transform(x[r*n:(r+1)*n], x[r*n:(r+1)*n])
				}
				for c := range n {
					for r := range n {
						col[r] = x[r*n+c]
					}
					transform(col, col)
					for r := range n {
						x[r*n+c] = col[r]
					}
				}
			}
			b.SetBytes(int64(16 * n * n))
			b.ResetTimer()
			for b.Loop() {
				pass(t.Coefficients)
				pass(t.Sequence)
			}
		})
	}
}

// BenchmarkGoDSP times github.com/mjibson/go-dsp/fft.FFT2 and IFFT2, which
// allocate their results (and much more) on every call and spread rows over
// GOMAXPROCS goroutines. Its IFFT2 divides by n², unlike the others.
func BenchmarkGoDSP(b *testing.B) {
	for _, n := range []int{360, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			flat := benchInput(n)
			x := make([][]complex128, n)
			for r := range x {
				x[r] = flat[r*n : (r+1)*n]
			}
			b.SetBytes(int64(16 * n * n))
			b.ResetTimer()
			for b.Loop() {
				godsp.IFFT2(godsp.FFT2(x))
			}
		})
	}
}
