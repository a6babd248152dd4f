package fft

import "math"

// The passes below implement one Stockham stage each, with the index map
// given in stockham.go. Input element j of interleaved sequence q is
// in[q + is·j]. The stride is equals s, except in a first stage that reads
// straight from a wider array (the columns of a 2-D array, is = nx). out
// holds s·p·m elements and must not overlap in. tw is the stage's twiddle
// table for the direction, and sign is σ. Each pass has a unit-stride inner
// loop over the s interleaved sequences, and a separate loop for s = is = 1
// (the first stage of a single sequence), where the inner loop would have
// one iteration.

// rotate returns σ·i·x.
func rotate(x complex128, sign float64) complex128 {
	return complex(-sign*imag(x), sign*real(x))
}

// scale returns c·x. Writing complex(c, 0)*x instead costs four real
// products, because the compiler may not drop the products with zero.
func scale(c float64, x complex128) complex128 {
	return complex(c*real(x), c*imag(x))
}

func pass2(out, in []complex128, is, s, m int, tw []complex128) {
	stride := is * m
	if s == 1 && is == 1 {
		x0 := in[:m]
		x1 := in[m:][:len(x0)]
		tw = tw[:len(x0)]
		for j := range x0 {
			a, b := x0[j], x1[j]
			o := out[2*j:][:2]
			o[0] = a + b
			o[1] = (a - b) * tw[j]
		}
		return
	}
	for j := 0; j < m; j++ {
		x0 := in[is*j:][:s]
		x1 := in[stride+is*j:][:len(x0)]
		o := out[2*s*j:][:2*s]
		y0 := o[:len(x0)]
		y1 := o[s:][:len(x0)]
		if j == 0 {
			for q := range x0 {
				a, b := x0[q], x1[q]
				y0[q] = a + b
				y1[q] = a - b
			}
			continue
		}
		w := tw[j]
		for q := range x0 {
			a, b := x0[q], x1[q]
			y0[q] = a + b
			y1[q] = (a - b) * w
		}
	}
}

// sqrt3Half is sin(2π/3).
var sqrt3Half = math.Sqrt(3) / 2

func pass3(out, in []complex128, is, s, m int, tw []complex128, sign float64) {
	stride := is * m
	sn := sign * sqrt3Half
	if s == 1 && is == 1 {
		x0 := in[:m]
		x1 := in[m:][:len(x0)]
		x2 := in[2*m:][:len(x0)]
		for j := range x0 {
			a0, a1, a2 := x0[j], x1[j], x2[j]
			t := a1 + a2
			b := a0 - scale(0.5, t)
			d := rotate(a1-a2, sn)
			w := tw[2*j:][:2]
			o := out[3*j:][:3]
			o[0] = a0 + t
			o[1] = (b + d) * w[0]
			o[2] = (b - d) * w[1]
		}
		return
	}
	for j := 0; j < m; j++ {
		x0 := in[is*j:][:s]
		x1 := in[stride+is*j:][:len(x0)]
		x2 := in[2*stride+is*j:][:len(x0)]
		o := out[3*s*j:][:3*s]
		y0 := o[:len(x0)]
		y1 := o[s:][:len(x0)]
		y2 := o[2*s:][:len(x0)]
		if j == 0 {
			for q := range x0 {
				a0, a1, a2 := x0[q], x1[q], x2[q]
				t := a1 + a2
				b := a0 - scale(0.5, t)
				d := rotate(a1-a2, sn)
				y0[q] = a0 + t
				y1[q] = b + d
				y2[q] = b - d
			}
			continue
		}
		w1, w2 := tw[2*j], tw[2*j+1]
		for q := range x0 {
			a0, a1, a2 := x0[q], x1[q], x2[q]
			t := a1 + a2
			b := a0 - scale(0.5, t)
			d := rotate(a1-a2, sn)
			y0[q] = a0 + t
			y1[q] = (b + d) * w1
			y2[q] = (b - d) * w2
		}
	}
}

func pass4(out, in []complex128, is, s, m int, tw []complex128, sign float64) {
	stride := is * m
	if s == 1 && is == 1 {
		x0 := in[:m]
		x1 := in[m:][:len(x0)]
		x2 := in[2*m:][:len(x0)]
		x3 := in[3*m:][:len(x0)]
		for j := range x0 {
			a0, a1, a2, a3 := x0[j], x1[j], x2[j], x3[j]
			t0, t1 := a0+a2, a0-a2
			t2, t3 := a1+a3, rotate(a1-a3, sign)
			w := tw[3*j:][:3]
			o := out[4*j:][:4]
			o[0] = t0 + t2
			o[1] = (t1 + t3) * w[0]
			o[2] = (t0 - t2) * w[1]
			o[3] = (t1 - t3) * w[2]
		}
		return
	}
	for j := 0; j < m; j++ {
		x0 := in[is*j:][:s]
		x1 := in[stride+is*j:][:len(x0)]
		x2 := in[2*stride+is*j:][:len(x0)]
		x3 := in[3*stride+is*j:][:len(x0)]
		o := out[4*s*j:][:4*s]
		y0 := o[:len(x0)]
		y1 := o[s:][:len(x0)]
		y2 := o[2*s:][:len(x0)]
		y3 := o[3*s:][:len(x0)]
		if j == 0 {
			for q := range x0 {
				a0, a1, a2, a3 := x0[q], x1[q], x2[q], x3[q]
				t0, t1 := a0+a2, a0-a2
				t2, t3 := a1+a3, rotate(a1-a3, sign)
				y0[q] = t0 + t2
				y1[q] = t1 + t3
				y2[q] = t0 - t2
				y3[q] = t1 - t3
			}
			continue
		}
		w1, w2, w3 := tw[3*j], tw[3*j+1], tw[3*j+2]
		for q := range x0 {
			a0, a1, a2, a3 := x0[q], x1[q], x2[q], x3[q]
			t0, t1 := a0+a2, a0-a2
			t2, t3 := a1+a3, rotate(a1-a3, sign)
			y0[q] = t0 + t2
			y1[q] = (t1 + t3) * w1
			y2[q] = (t0 - t2) * w2
			y3[q] = (t1 - t3) * w3
		}
	}
}

// Radix-5 constants: cos and sin of 2π/5 and 4π/5.
var (
	cos5a = math.Cos(2 * math.Pi / 5)
	cos5b = math.Cos(4 * math.Pi / 5)
	sin5a = math.Sin(2 * math.Pi / 5)
	sin5b = math.Sin(4 * math.Pi / 5)
)

// pass5 computes each five-point DFT from the sums and differences of the
// inputs k and 5−k: with t1 = a1+a4, t2 = a2+a3, d1 = a1−a4, d2 = a2−a3,
//
//	y0 = a0 + t1 + t2
//	y1, y4 = a0 + c1·t1 + c2·t2 ± σi·(s1·d1 + s2·d2)
//	y2, y3 = a0 + c2·t1 + c1·t2 ± σi·(s2·d1 − s1·d2)
//
// where c1, s1 = cos, sin(2π/5) and c2, s2 = cos, sin(4π/5). The butterfly
// is written out in both loops because the compiler does not inline a
// function of its size.
func pass5(out, in []complex128, is, s, m int, tw []complex128, sign float64) {
	stride := is * m
	if s == 1 && is == 1 {
		x0 := in[:m]
		x1 := in[m:][:len(x0)]
		x2 := in[2*m:][:len(x0)]
		x3 := in[3*m:][:len(x0)]
		x4 := in[4*m:][:len(x0)]
		for j := range x0 {
			a0, a1, a2, a3, a4 := x0[j], x1[j], x2[j], x3[j], x4[j]
			t1, t2 := a1+a4, a2+a3
			d1, d2 := a1-a4, a2-a3
			b1 := a0 + scale(cos5a, t1) + scale(cos5b, t2)
			b2 := a0 + scale(cos5b, t1) + scale(cos5a, t2)
			e1 := rotate(scale(sin5a, d1)+scale(sin5b, d2), sign)
			e2 := rotate(scale(sin5b, d1)-scale(sin5a, d2), sign)
			w := tw[4*j:][:4]
			o := out[5*j:][:5]
			o[0] = a0 + t1 + t2
			o[1] = (b1 + e1) * w[0]
			o[2] = (b2 + e2) * w[1]
			o[3] = (b2 - e2) * w[2]
			o[4] = (b1 - e1) * w[3]
		}
		return
	}
	for j := 0; j < m; j++ {
		x0 := in[is*j:][:s]
		x1 := in[stride+is*j:][:len(x0)]
		x2 := in[2*stride+is*j:][:len(x0)]
		x3 := in[3*stride+is*j:][:len(x0)]
		x4 := in[4*stride+is*j:][:len(x0)]
		o := out[5*s*j:][:5*s]
		o0 := o[:len(x0)]
		o1 := o[s:][:len(x0)]
		o2 := o[2*s:][:len(x0)]
		o3 := o[3*s:][:len(x0)]
		o4 := o[4*s:][:len(x0)]
		if j == 0 {
			// The twiddle factors are 1, which also covers the whole
			// last stage (m = 1).
			for q := range x0 {
				a0, a1, a2, a3, a4 := x0[q], x1[q], x2[q], x3[q], x4[q]
				t1, t2 := a1+a4, a2+a3
				d1, d2 := a1-a4, a2-a3
				b1 := a0 + scale(cos5a, t1) + scale(cos5b, t2)
				b2 := a0 + scale(cos5b, t1) + scale(cos5a, t2)
				e1 := rotate(scale(sin5a, d1)+scale(sin5b, d2), sign)
				e2 := rotate(scale(sin5b, d1)-scale(sin5a, d2), sign)
				o0[q] = a0 + t1 + t2
				o1[q] = b1 + e1
				o2[q] = b2 + e2
				o3[q] = b2 - e2
				o4[q] = b1 - e1
			}
			continue
		}
		w1, w2, w3, w4 := tw[4*j], tw[4*j+1], tw[4*j+2], tw[4*j+3]
		for q := range x0 {
			a0, a1, a2, a3, a4 := x0[q], x1[q], x2[q], x3[q], x4[q]
			t1, t2 := a1+a4, a2+a3
			d1, d2 := a1-a4, a2-a3
			b1 := a0 + scale(cos5a, t1) + scale(cos5b, t2)
			b2 := a0 + scale(cos5b, t1) + scale(cos5a, t2)
			e1 := rotate(scale(sin5a, d1)+scale(sin5b, d2), sign)
			e2 := rotate(scale(sin5b, d1)-scale(sin5a, d2), sign)
			o0[q] = a0 + t1 + t2
			o1[q] = (b1 + e1) * w1
			o2[q] = (b2 + e2) * w2
			o3[q] = (b2 - e2) * w3
			o4[q] = (b1 - e1) * w4
		}
	}
}

// sqrtHalf is 1/√2, the size of the real and imaginary parts of
// exp(±iπ/4) and exp(±3iπ/4).
var sqrtHalf = math.Sqrt(0.5)

// pass8 computes each eight-point DFT as a radix-2 step (b_k = a_k + a_{k+4},
// c_k = (a_k − a_{k+4})·ω8^k) followed by four-point DFTs of b (the even
// outputs) and c (the odd outputs), with ω8 = exp(σ·2πi/8) = (1 + σi)/√2.
// The butterfly is written out in both loops because the compiler does not
// inline a function of this size, and the call costs about a third of the
// stage.
func pass8(out, in []complex128, is, s, m int, tw []complex128, sign float64) {
	stride := is * m
	if s == 1 && is == 1 {
		x0 := in[:m]
		x1 := in[m:][:len(x0)]
		x2 := in[2*m:][:len(x0)]
		x3 := in[3*m:][:len(x0)]
		x4 := in[4*m:][:len(x0)]
		x5 := in[5*m:][:len(x0)]
		x6 := in[6*m:][:len(x0)]
		x7 := in[7*m:][:len(x0)]
		for j := range x0 {
			a0, a1, a2, a3 := x0[j], x1[j], x2[j], x3[j]
			a4, a5, a6, a7 := x4[j], x5[j], x6[j], x7[j]
			b0, b1, b2, b3 := a0+a4, a1+a5, a2+a6, a3+a7
			c0, c1, c2, c3 := a0-a4, a1-a5, a2-a6, a3-a7
			c1 = scale(sqrtHalf, c1+rotate(c1, sign))
			c2 = rotate(c2, sign)
			c3 = scale(sqrtHalf, rotate(c3, sign)-c3)
			w := tw[7*j:][:7]
			o := out[8*j:][:8]

			t0, t1 := b0+b2, b0-b2
			t2, t3 := b1+b3, rotate(b1-b3, sign)
			o[0] = t0 + t2
			o[2] = (t1 + t3) * w[1]
			o[4] = (t0 - t2) * w[3]
			o[6] = (t1 - t3) * w[5]

			t0, t1 = c0+c2, c0-c2
			t2, t3 = c1+c3, rotate(c1-c3, sign)
			o[1] = (t0 + t2) * w[0]
			o[3] = (t1 + t3) * w[2]
			o[5] = (t0 - t2) * w[4]
			o[7] = (t1 - t3) * w[6]
		}
		return
	}
	for j := 0; j < m; j++ {
		x0 := in[is*j:][:s]
		x1 := in[stride+is*j:][:len(x0)]
		x2 := in[2*stride+is*j:][:len(x0)]
		x3 := in[3*stride+is*j:][:len(x0)]
		x4 := in[4*stride+is*j:][:len(x0)]
		x5 := in[5*stride+is*j:][:len(x0)]
		x6 := in[6*stride+is*j:][:len(x0)]
		x7 := in[7*stride+is*j:][:len(x0)]
		o := out[8*s*j:][:8*s]
		o0 := o[:len(x0)]
		o1 := o[s:][:len(x0)]
		o2 := o[2*s:][:len(x0)]
		o3 := o[3*s:][:len(x0)]
		o4 := o[4*s:][:len(x0)]
		o5 := o[5*s:][:len(x0)]
		o6 := o[6*s:][:len(x0)]
		o7 := o[7*s:][:len(x0)]
		if j == 0 {
			// The twiddle factors are 1, which also covers the whole
			// last stage (m = 1).
			for q := range x0 {
				a0, a1, a2, a3 := x0[q], x1[q], x2[q], x3[q]
				a4, a5, a6, a7 := x4[q], x5[q], x6[q], x7[q]
				b0, b1, b2, b3 := a0+a4, a1+a5, a2+a6, a3+a7
				c0, c1, c2, c3 := a0-a4, a1-a5, a2-a6, a3-a7
				c1 = scale(sqrtHalf, c1+rotate(c1, sign))
				c2 = rotate(c2, sign)
				c3 = scale(sqrtHalf, rotate(c3, sign)-c3)

				t0, t1 := b0+b2, b0-b2
				t2, t3 := b1+b3, rotate(b1-b3, sign)
				o0[q] = t0 + t2
				o2[q] = t1 + t3
				o4[q] = t0 - t2
				o6[q] = t1 - t3

				t0, t1 = c0+c2, c0-c2
				t2, t3 = c1+c3, rotate(c1-c3, sign)
				o1[q] = t0 + t2
				o3[q] = t1 + t3
				o5[q] = t0 - t2
				o7[q] = t1 - t3
			}
			continue
		}
		w := tw[7*j:][:7]
		w1, w2, w3, w4, w5, w6, w7 := w[0], w[1], w[2], w[3], w[4], w[5], w[6]
		for q := range x0 {
			a0, a1, a2, a3 := x0[q], x1[q], x2[q], x3[q]
			a4, a5, a6, a7 := x4[q], x5[q], x6[q], x7[q]
			b0, b1, b2, b3 := a0+a4, a1+a5, a2+a6, a3+a7
			c0, c1, c2, c3 := a0-a4, a1-a5, a2-a6, a3-a7
			c1 = scale(sqrtHalf, c1+rotate(c1, sign))
			c2 = rotate(c2, sign)
			c3 = scale(sqrtHalf, rotate(c3, sign)-c3)

			t0, t1 := b0+b2, b0-b2
			t2, t3 := b1+b3, rotate(b1-b3, sign)
			o0[q] = t0 + t2
			o2[q] = (t1 + t3) * w2
			o4[q] = (t0 - t2) * w4
			o6[q] = (t1 - t3) * w6

			t0, t1 = c0+c2, c0-c2
			t2, t3 = c1+c3, rotate(c1-c3, sign)
			o1[q] = (t0 + t2) * w1
			o3[q] = (t1 + t3) * w3
			o5[q] = (t0 - t2) * w5
			o7[q] = (t1 - t3) * w7
		}
	}
}

// maxHalfRadix bounds (p−1)/2 for the generic pass, so its temporaries fit
// in fixed arrays on the stack.
const maxHalfRadix = (maxGenericRadix - 1) / 2

// passOdd is the stage for any odd radix p. It pairs the inputs k and p−k,
// so each output pair r, p−r costs (p−1)/2 real-by-complex products of sums
// and of differences:
//
//	y_r, y_{p−r} = a0 + Σ_k cos(2πrk/p)·(a_k + a_{p−k}) ± σi·Σ_k sin(2πrk/p)·(a_k − a_{p−k})
func passOdd(out, in []complex128, is, s, m, p int, tw []complex128, cos, sin []float64, sign float64) {
	stride := is * m
	h := (p - 1) / 2
	var sum, diff [maxHalfRadix]complex128
	for j := 0; j < m; j++ {
		w := tw[(p-1)*j:][:p-1]
		for q := 0; q < s; q++ {
			base := q + is*j
			a0 := in[base]
			y0 := a0
			for k := 1; k <= h; k++ {
				ak, bk := in[base+k*stride], in[base+(p-k)*stride]
				sum[k-1], diff[k-1] = ak+bk, ak-bk
				y0 += ak + bk
			}
			ob := q + s*p*j
			out[ob] = y0
			for r := 1; r <= h; r++ {
				c := cos[(r-1)*h:][:h]
				sn := sin[(r-1)*h:][:h]
				var re, im complex128
				for k := range c {
					re += scale(c[k], sum[k])
					im += scale(sn[k], diff[k])
				}
				re += a0
				im = rotate(im, sign)
				if j == 0 {
					out[ob+r*s] = re + im
					out[ob+(p-r)*s] = re - im
				} else {
					out[ob+r*s] = (re + im) * w[r-1]
					out[ob+(p-r)*s] = (re - im) * w[p-r-1]
				}
			}
		}
	}
}
