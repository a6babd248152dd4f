package fft

import (
	"fmt"
	"math/rand/v2"
	"testing"

	godsp "github.com/mjibson/go-dsp/fft"
	"gonum.org/v1/gonum/dsp/fourier"
)

// The benchmarks here other than BenchmarkKSCore time one forward and one
// inverse 2-D transform of an n×n complex128 array, so their figures compare
// directly with each other and with the fwdinv figures of bench/ks_fftw.c
// and bench/ks_numpy.py.

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

// BenchmarkKSCore times the transform core of Kaiser-Squires mass mapping,
// the same steps that bench/ks_fftw.c times with FFTW: pack γ = γ1 + iγ2
// into a complex array, forward transform, multiply by conj(D)/n² with
// D = (k1² − k2² + 2i·k1·k2)/|k|², inverse transform, and unpack κ_E = Re κ
// and κ_B = Im κ. The pointwise loops run on the calling goroutine.
func BenchmarkKSCore(b *testing.B) {
	for _, n := range []int{360, 1024, 4096} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(uint64(n), 2))
			g1, g2 := make([]float64, n*n), make([]float64, n*n)
			for i := range g1 {
				g1[i], g2[i] = 0.1*rng.NormFloat64(), 0.1*rng.NormFloat64()
			}
			kernel := ksKernelConj(n)
			kappaE, kappaB := make([]float64, n*n), make([]float64, n*n)
			x := make([]complex128, n*n)
			p := NewPlan2D(n, n)
			ks := func() {
				for i := range x {
					x[i] = complex(g1[i], g2[i])
				}
				p.Forward(x, x)
				for i, k := range kernel {
					x[i] *= k
				}
				p.Inverse(x, x)
				for i, v := range x {
					kappaE[i], kappaB[i] = real(v), imag(v)
				}
			}

			// One untimed run faults in the pages of x, κ_E and κ_B,
			// which at n = 4096 takes longer than the run itself.
			ks()
			b.ResetTimer()
			for b.Loop() {
				ks()
			}
		})
	}
}

// ksKernelConj returns conj(D)/n² on an n×n grid of FFT frequencies, 0 at
// k = 0.
func ksKernelConj(n int) []complex128 {
	freq := func(i int) float64 {
		if i >= (n+1)/2 {
			i -= n
		}
		return float64(i) / float64(n)
	}
	kernel := make([]complex128, n*n)
	for r := range n {
		k2 := freq(r)
		for c := range n {
			k1 := freq(c)
			kk := k1*k1 + k2*k2
			if kk > 0 {
				kernel[r*n+c] = complex(k1*k1-k2*k2, -2*k1*k2) / complex(kk*float64(n*n), 0)
			}
		}
	}
	return kernel
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
