package starlet

// b3 holds the taps of the B3-spline filter h = [1, 4, 6, 4, 1]/16 at the
// offsets −2d, −d, 0, d, 2d. The values are exact in binary.
var b3 = [5]float64{1.0 / 16, 4.0 / 16, 6.0 / 16, 4.0 / 16, 1.0 / 16}

// stencil is one 1-D smoothing step of dilation d on n samples, with the
// boundary folded into the weights: a sparse n×n matrix H, or its
// transpose. Row p of H holds h[k] at column fold(p + k·d) for k = −2…2,
// with the weights of repeated columns added together.
//
// Rows lo ≤ p < hi are the plain filter h (all five taps inside the line,
// and no reflected tap lands on p in the transpose) and are computed
// without the tables. The others, the edge rows, are stored in compressed
// sparse row form: edge row e has the columns index[start[e]:start[e+1]]
// and the matching weights. Edge row e is row e for e < lo and row
// hi + (e − lo) otherwise.
type stencil struct {
	n, d   int
	lo, hi int
	start  []int32
	index  []int32
	weight []float64
}

// fold maps a sample index i that may lie outside [0, n) back into it.
// Mirror reflects about the first and last samples without repeating them
// (x[−i] = x[i], x[n−1+i] = x[n−1−i]), and Periodic wraps around. Callers
// keep |i − p| ≤ n − 1 for some p in [0, n), so one reflection or wrap
// suffices.
func fold(i, n int, boundary Boundary) int {
	switch {
	case i < 0 && boundary == Periodic:
		return i + n
	case i < 0:
		return -i
	case i >= n && boundary == Periodic:
		return i - n
	case i >= n:
		return 2*(n-1) - i
	}
	return i
}

// newStencils returns the smoothing step of dilation d on n samples and
// its transpose. It needs 2d ≤ n − 1 (see fold).
func newStencils(n, d int, boundary Boundary) (forward, transpose stencil) {
	// Build every row of H, merging taps that fold onto the same column.
	rowStart := make([]int, n+1)
	cols := make([]int, 0, 5*n)
	vals := make([]float64, 0, 5*n)
	for p := range n {
		rowStart[p] = len(cols)
		for k := -2; k <= 2; k++ {
			q := fold(p+k*d, n, boundary)
			merged := false
			for t := rowStart[p]; t < len(cols); t++ {
				if cols[t] == q {
					vals[t] += b3[k+2]
					merged = true
					break
				}
			}
			if !merged {
				cols = append(cols, q)
				vals = append(vals, b3[k+2])
			}
		}
	}
	rowStart[n] = len(cols)

	// Transpose it: row q of Hᵀ lists the rows p of H that have column q.
	// Columns within a row of H are distinct, so no merging is needed.
	tStart := make([]int, n+2)
	for _, q := range cols {
		tStart[q+2]++
	}
	for q := 2; q < n+2; q++ {
		tStart[q] += tStart[q-1]
	}
	tCols := make([]int, len(cols))
	tVals := make([]float64, len(cols))
	for p := range n {
		for t := rowStart[p]; t < rowStart[p+1]; t++ {
			q := cols[t]
			tCols[tStart[q+1]] = p
			tVals[tStart[q+1]] = vals[t]
			tStart[q+1]++
		}
	}

	// Rows 2d < p < n−1−2d are plain in both H and Hᵀ: every tap of row p
	// and every row that reaches p lies inside the line. Row 2d of Hᵀ is
	// not plain with Mirror, because the reflected tap −2d of row 0 lands
	// on it.
	lo, hi := 2*d+1, n-1-2*d
	if hi <= lo {
		lo, hi = n, n
	}
	return edgeRows(n, d, lo, hi, rowStart, cols, vals), edgeRows(n, d, lo, hi, tStart[:n+1], tCols, tVals)
}

// edgeRows returns a stencil that keeps the rows outside [lo, hi) of the
// matrix given in compressed sparse row form.
func edgeRows(n, d, lo, hi int, rowStart, cols []int, vals []float64) stencil {
	s := stencil{n: n, d: d, lo: lo, hi: hi, start: []int32{0}}
	add := func(p int) {
		for t := rowStart[p]; t < rowStart[p+1]; t++ {
			s.index = append(s.index, int32(cols[t]))
			s.weight = append(s.weight, vals[t])
		}
		s.start = append(s.start, int32(len(s.index)))
	}
	for p := range lo {
		add(p)
	}
	for p := hi; p < n; p++ {
		add(p)
	}
	return s
}

// edge returns the columns and weights of edge row e.
func (s *stencil) edge(e int) ([]int32, []float64) {
	return s.index[s.start[e]:s.start[e+1]], s.weight[s.start[e]:s.start[e+1]]
}

// line sets out = H·in for one contiguous line of n samples. out and in
// must not overlap.
func (s *stencil) line(out, in []float64) {
	in = in[:s.n]
	out = out[:s.n]

	// The plain filter on the interior, written as five shifted windows so
	// that the loop needs no bounds checks.
	if s.hi > s.lo {
		d := s.d
		o := out[s.lo:s.hi]
		a := in[s.lo-2*d : s.hi-2*d]
		b := in[s.lo-d : s.hi-d]
		c := in[s.lo:s.hi]
		e := in[s.lo+d : s.hi+d]
		f := in[s.lo+2*d : s.hi+2*d]
		a, b, c, e, f = a[:len(o)], b[:len(o)], c[:len(o)], e[:len(o)], f[:len(o)]
		for i := range o {
			o[i] = b3[0]*(a[i]+f[i]) + b3[1]*(b[i]+e[i]) + b3[2]*c[i]
		}
	}

	// The edge rows from the tables.
	for e := 0; e < len(s.start)-1; e++ {
		p := e
		if e >= s.lo {
			p = s.hi + e - s.lo
		}
		index, weight := s.edge(e)
		sum := 0.0
		for t, q := range index {
			sum += weight[t] * in[q]
		}
		out[p] = sum
	}
}

// row sets out to row p of H·in, where in is a row-major plane of n rows
// of width samples each, so that H acts along the columns. out must not
// overlap in.
func (s *stencil) row(out, in []float64, p, width int) {
	out = out[:width]
	if s.lo <= p && p < s.hi {
		d := s.d
		a := in[(p-2*d)*width:][:width]
		b := in[(p-d)*width:][:width]
		c := in[p*width:][:width]
		e := in[(p+d)*width:][:width]
		f := in[(p+2*d)*width:][:width]
		for i := range out {
			out[i] = b3[0]*(a[i]+f[i]) + b3[1]*(b[i]+e[i]) + b3[2]*c[i]
		}
		return
	}

	e := p
	if p >= s.hi {
		e = s.lo + p - s.hi
	}
	index, weight := s.edge(e)
	src := in[int(index[0])*width:][:width]
	w := weight[0]
	for i := range out {
		out[i] = w * src[i]
	}
	for t := 1; t < len(index); t++ {
		src := in[int(index[t])*width:][:width]
		w := weight[t]
		for i := range out {
			out[i] += w * src[i]
		}
	}
}

// rowSplit computes c, row p of H·in as row does, and sets diff = prev − c
// and next = c, where prev is row p of the plane that was smoothed. next may
// be prev, but neither diff nor next may overlap in.
func (s *stencil) rowSplit(diff, next, prev, in []float64, p, width int) {
	diff = diff[:width]
	next = next[:width]
	prev = prev[:width]
	if s.lo <= p && p < s.hi {
		d := s.d
		a := in[(p-2*d)*width:][:width]
		b := in[(p-d)*width:][:width]
		c := in[p*width:][:width]
		e := in[(p+d)*width:][:width]
		f := in[(p+2*d)*width:][:width]
		for i := range diff {
			smooth := b3[0]*(a[i]+f[i]) + b3[1]*(b[i]+e[i]) + b3[2]*c[i]
			diff[i] = prev[i] - smooth
			next[i] = smooth
		}
		return
	}

	s.row(diff, in, p, width)
	for i, smooth := range diff {
		diff[i] = prev[i] - smooth
		next[i] = smooth
	}
}
