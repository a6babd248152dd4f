package fft

import "math"

// stockham is the mixed-radix Stockham autosort FFT: a list of
// decimation-in-frequency stages that alternate between two buffers and
// leave the result in natural order, so no bit-reversal pass is needed
// (P. N. Swarztrauber, "FFT algorithms for vector computers", Parallel
// Computing 1 (1984) 45–63; C. Van Loan, "Computational Frameworks for the
// Fast Fourier Transform", SIAM 1992).
//
// Stage i with radix p maps a buffer of s interleaved sequences of length
// p·m to s·p interleaved sequences of length m, where s = s0·span:
//
//	y[q + s·(p·j + r)] = w^(r·j) · Σ_k x[q + s·(j + k·m)] · ω_p^(r·k)
//
// for q < s, j < m, r < p, with w = exp(σ·2πi/(p·m)), ω_p = exp(σ·2πi/p)
// and σ = −1 forward, +1 inverse. The inner loop runs over q, which is unit
// stride, so s0 interleaved columns of a row-major array are transformed as
// one vector sequence.
type stockham struct {
	n      int
	stages []stage
}

type stage struct {
	radix int
	m     int // sub-transform length after this stage
	span  int // product of the radices of the earlier stages

	// tw[d][(radix−1)·j + r − 1] = exp(σ·2πi·r·j/(radix·m)) for j < m and
	// 1 ≤ r < radix, with d = 0 forward (σ = −1) and d = 1 inverse.
	tw [2][]complex128

	// Generic odd radices only: cos(2π·r·k/p) and sin(2π·r·k/p) at
	// index (r−1)·h + k − 1 for 1 ≤ r, k ≤ h = (p−1)/2.
	cos, sin []float64
}

func newStockham(n int, radices []int) *stockham {
	st := &stockham{n: n}
	span := 1
	for _, p := range radices {
		m := n / (span * p)
		g := stage{radix: p, m: m, span: span}
		for d, sign := range [2]float64{-1, 1} {
			tw := make([]complex128, (p-1)*m)
			for j := 0; j < m; j++ {
				for r := 1; r < p; r++ {
					tw[(p-1)*j+r-1] = twiddle(r*j, p*m, sign)
				}
			}
			g.tw[d] = tw
		}
		if p != 2 && p != 3 && p != 4 && p != 5 && p != 8 {
			h := (p - 1) / 2
			g.cos = make([]float64, h*h)
			g.sin = make([]float64, h*h)
			for r := 1; r <= h; r++ {
				for k := 1; k <= h; k++ {
					s, c := math.Sincos(2 * math.Pi * float64(r*k%p) / float64(p))
					g.cos[(r-1)*h+k-1] = c
					g.sin[(r-1)*h+k-1] = s
				}
			}
		}
		st.stages = append(st.stages, g)
		span *= p
	}
	return st
}

func (st *stockham) workLen(s0 int) int { return st.n * s0 }

func (st *stockham) transform(dst, src, work []complex128, s0 int, inverse bool) {
	size := st.n * s0
	dst, src, work = dst[:size], src[:size], work[:size]
	switch {
	case len(st.stages) == 0:
		copy(dst, src)
	case len(st.stages)%2 == 0:
		// Stage 0 writes work and the last stage writes dst. src is
		// read only by stage 0, so it may be dst.
		st.run(src, s0, work, dst, s0, inverse)
	case &dst[0] == &src[0]:
		// An odd stage count ends in the buffer that stage 0 writes,
		// which must not be its input.
		copy(work, src)
		st.run(work, s0, dst, work, s0, inverse)
	default:
		st.run(src, s0, dst, work, s0, inverse)
	}
}

func (st *stockham) apply(a, work []complex128, s0 int, inverse bool) []complex128 {
	size := st.n * s0
	if len(st.stages) == 0 {
		return a[:size]
	}
	return st.run(a[:size], s0, work[:size], a[:size], s0, inverse)
}

// run executes the stages: stage 0 reads src and writes first, later stages
// alternate between first and second. It returns the buffer written last.
// src must not be first, but it may be second. Element j of sequence q is read
// from src[q + srcStride·j], with srcStride ≥ s0.
func (st *stockham) run(src []complex128, srcStride int, first, second []complex128, s0 int, inverse bool) []complex128 {
	d, sign := 0, -1.0
	if inverse {
		d, sign = 1, 1.0
	}
	in, out := src, first
	for i := range st.stages {
		g := &st.stages[i]
		s := s0 * g.span
		is := s
		if i == 0 {
			is = srcStride
		}
		switch g.radix {
		case 2:
			pass2(out, in, is, s, g.m, g.tw[d])
		case 3:
			pass3(out, in, is, s, g.m, g.tw[d], sign)
		case 4:
			pass4(out, in, is, s, g.m, g.tw[d], sign)
		case 5:
			pass5(out, in, is, s, g.m, g.tw[d], sign)
		case 8:
			pass8(out, in, is, s, g.m, g.tw[d], sign)
		default:
			passOdd(out, in, is, s, g.m, g.radix, g.tw[d], g.cos, g.sin, sign)
		}
		if i == 0 {
			in, out = first, second
		} else {
			in, out = out, in
		}
	}
	return in
}
