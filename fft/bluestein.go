package fft

// bluestein computes a DFT of any length n as a cyclic convolution of
// length m ≥ 2n−1, where m has only the factors 2, 3 and 5 and so runs on
// Stockham stages (L. I. Bluestein, "A linear filtering approach to the
// computation of discrete Fourier transform", IEEE Transactions on Audio and
// Electroacoustics 18(4) (1970) 451–455).
//
// With jk = (j² + k² − (k−j)²)/2 and the chirp c_j = exp(σ·πi·j²/n),
//
//	X_k = Σ_j x_j·exp(σ·2πi·jk/n) = c_k · Σ_j (x_j·c_j)·conj(c_{k−j})
//
// and the sum is a convolution with the even sequence conj(c), done with a
// forward and an inverse transform of length m.
type bluestein struct {
	n, m  int
	inner *stockham

	// chirp[d][j] = c_j for j < n, with d = 0 forward (σ = −1) and d = 1
	// inverse.
	chirp [2][]complex128

	// filter[d] is the forward transform of conj(c) wrapped to length m,
	// divided by m so the inner inverse transform comes out normalised.
	filter [2][]complex128
}

func newBluestein(n int) *bluestein {
	m := smooth235(2*n - 1)
	radices, _ := factorize(m)
	b := &bluestein{n: n, m: m, inner: newStockham(m, radices)}
	work := make([]complex128, m)
	for d, sign := range [2]float64{-1, 1} {
		chirp := make([]complex128, n)
		for j := range chirp {
			// j² mod 2n keeps the angle exact in the integers.
			chirp[j] = twiddle(j*j%(2*n), 2*n, sign)
		}
		filter := make([]complex128, m)
		for j := range chirp {
			c := chirp[j]
			filter[j] = complex(real(c), -imag(c))
			if j > 0 {
				filter[m-j] = filter[j]
			}
		}
		b.inner.transform(filter, filter, work, 1, false)
		for k := range filter {
			filter[k] = scale(1/float64(m), filter[k])
		}
		b.chirp[d], b.filter[d] = chirp, filter
	}
	return b
}

// smooth235 returns the smallest integer ≥ n with no prime factor above 5.
func smooth235(n int) int {
	best := 1
	for best < n {
		best *= 2
	}
	for p5 := 1; p5 < best; p5 *= 5 {
		for p35 := p5; p35 < best; p35 *= 3 {
			v := p35
			for v < n {
				v *= 2
			}
			if v < best {
				best = v
			}
		}
	}
	return best
}

// workLen covers the zero-padded sequence and the inner transform's buffer.
func (b *bluestein) workLen(s0 int) int { return 2 * b.m * s0 }

func (b *bluestein) transform(dst, src, work []complex128, s0 int, inverse bool) {
	d := 0
	if inverse {
		d = 1
	}
	chirp, filter := b.chirp[d], b.filter[d]
	size := b.n * s0
	src, dst = src[:size], dst[:size]
	u := work[:b.m*s0]
	v := work[b.m*s0 : 2*b.m*s0]

	// Multiply by the chirp and pad with zeros.
	for j, c := range chirp {
		x := src[j*s0:][:s0]
		y := u[j*s0:][:len(x)]
		for q := range x {
			y[q] = x[q] * c
		}
	}
	clear(u[size:])

	// Convolve with conj(c): forward, multiply by the filter, inverse.
	r := b.inner.apply(u, v, s0, false)
	for k, f := range filter {
		y := r[k*s0:][:s0]
		for q := range y {
			y[q] *= f
		}
	}
	spare := v
	if &r[0] == &v[0] {
		spare = u
	}
	r = b.inner.apply(r, spare, s0, true)

	// Multiply by the chirp again and keep the first n outputs.
	for k, c := range chirp {
		x := r[k*s0:][:s0]
		y := dst[k*s0:][:len(x)]
		for q := range x {
			y[q] = x[q] * c
		}
	}
}

func (b *bluestein) apply(a, work []complex128, s0 int, inverse bool) []complex128 {
	b.transform(a, a, work, s0, inverse)
	return a[:b.n*s0]
}
