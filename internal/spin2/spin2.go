// Package spin2 applies the Fourier multipliers of the Kaiser-Squires family
// to a pair of real maps held as one complex field:
//
//	out = F⁻¹[ M · F(in) ],   in = re + i im,
//	M(k) = ((kx² − ky²) + 2i s kx ky) / (kx² + ky²) · wx(kx) · wy(ky),   M(0) = 0,
//
// with F the unnormalised 2-D DFT (exponent −1), F⁻¹ its inverse including
// the 1/N factor, frequencies kx, ky in cycles per pixel as numpy's fftfreq
// gives them, s = ±1 selecting D or its conjugate, and optional per-axis
// weights (a separable filter such as a Gaussian). Maps may be embedded in
// a larger zero-padded transform grid and cropped afterwards.
//
// The kaiser package (mass maps) and the operators package (the shear
// forward model) both build on it.
package spin2

import (
	"fmt"
	"runtime"

	"github.com/skyinv/skyinv/fft"
	"github.com/skyinv/skyinv/internal/parallel"
)

// Transform holds the FFT plan and buffer for one map size and padding. It
// is not safe for concurrent use.
type Transform struct {
	nx, ny  int // map size
	px, py  int // transform size
	pad     int
	workers int
	plan    *fft.Plan2D
	buf     []complex128
	fx, fy  []float64 // frequencies of the transform grid, cycles per pixel

	// The row step in progress and its arguments (see rows).
	op     rowOp
	task   rowTask
	group  parallel.Group
	re, im []float64
	s      float64
	wx, wy []float64
}

// New returns a Transform for nx × ny maps with pad pixels of zeros added on
// each side. The padded size is rounded up to a fast FFT length. New panics
// with a "spin2:" message on sizes below 1 or a negative pad.
func New(nx, ny, pad int) *Transform {
	if nx < 1 || ny < 1 || pad < 0 {
		panic(fmt.Sprintf("spin2: invalid size %d x %d with padding %d", nx, ny, pad))
	}
	t := &Transform{nx: nx, ny: ny, pad: pad, workers: runtime.GOMAXPROCS(0)}
	t.task.t = t
	t.px, t.py = nx, ny
	if pad > 0 {
		t.px, t.py = GoodSize(nx+2*pad), GoodSize(ny+2*pad)
	}
	t.plan = fft.NewPlan2D(t.px, t.py)
	t.buf = make([]complex128, t.px*t.py)
	t.fx, t.fy = Frequencies(t.px), Frequencies(t.py)
	return t
}

// Frequencies returns the FFT frequencies of n points in cycles per pixel,
// in numpy's fftfreq order: the Nyquist index of an even n is negative.
func Frequencies(n int) []float64 {
	f := make([]float64, n)
	for i := range n {
		k := i
		if 2*i >= n {
			k = i - n
		}
		f[i] = float64(k) / float64(n)
	}
	return f
}

// GoodSize returns the smallest integer ≥ n whose only prime factors are
// 2, 3 and 5: a length the FFT handles fastest.
func GoodSize(n int) int {
	if n < 1 {
		return 1
	}
	for m := n; ; m++ {
		r := m
		for _, p := range []int{2, 3, 5} {
			for r%p == 0 {
				r /= p
			}
		}
		if r == 1 {
			return m
		}
	}
}

// Size returns the map size.
func (t *Transform) Size() (nx, ny int) { return t.nx, t.ny }

// TransformSize returns the size of the padded transform grid, the length
// of the weights that Apply takes.
func (t *Transform) TransformSize() (px, py int) { return t.px, t.py }

// SetWorkers sets the number of goroutines each call uses; n < 1 selects
// runtime.GOMAXPROCS(0). Calls allocate nothing.
func (t *Transform) SetWorkers(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	t.workers = n
	t.plan.SetWorkers(n)
}

// Apply writes F⁻¹[M F(inRe + i inIm)] into outRe and outIm (see the package
// documentation), with D for s = +1 and D* for s = −1. A nil inIm means a
// zero imaginary part, and a nil outIm discards it. The weights wx and wy
// have the transform size, and nil means weights of 1. The input and output
// slices may be the same.
func (t *Transform) Apply(outRe, outIm, inRe, inIm []float64, s float64, wx, wy []float64) {
	n := t.nx * t.ny
	for _, v := range [][]float64{outRe, outIm, inRe, inIm} {
		if v != nil && len(v) != n {
			panic(fmt.Sprintf("spin2: map of %d values for a %d x %d transform", len(v), t.nx, t.ny))
		}
	}
	if outRe == nil || inRe == nil {
		panic("spin2: nil map")
	}
	if (wx != nil && len(wx) != t.px) || (wy != nil && len(wy) != t.py) {
		panic(fmt.Sprintf("spin2: weights of %d and %d values for a %d x %d transform grid", len(wx), len(wy), t.px, t.py))
	}

	if t.px != t.nx || t.py != t.ny {
		clear(t.buf)
	}
	t.re, t.im = inRe, inIm
	t.parallelRows(opLoad, t.ny)
	t.plan.Forward(t.buf, t.buf)
	t.s, t.wx, t.wy = s, wx, wy
	t.parallelRows(opMultiply, t.py)
	t.plan.Inverse(t.buf, t.buf)
	t.re, t.im = outRe, outIm
	t.parallelRows(opStore, t.ny)
	t.re, t.im, t.wx, t.wy = nil, nil, nil, nil
}

// rowOp names the row-parallel steps of Apply. The steps are selected by
// this value, not passed as closures, so that a call with one worker
// allocates nothing.
type rowOp int

const (
	opLoad rowOp = iota
	opMultiply
	opStore
)

// rows runs one step on rows y0 to y1.
func (t *Transform) rows(op rowOp, y0, y1 int) {
	switch op {
	case opLoad:
		for y := y0; y < y1; y++ {
			row := t.buf[(y+t.pad)*t.px+t.pad : (y+t.pad)*t.px+t.pad+t.nx]
			src := t.re[y*t.nx : (y+1)*t.nx]
			if t.im == nil {
				for x, v := range src {
					row[x] = complex(v, 0)
				}
				continue
			}
			srcIm := t.im[y*t.nx : (y+1)*t.nx]
			for x, v := range src {
				row[x] = complex(v, srcIm[x])
			}
		}
	case opStore:
		for y := y0; y < y1; y++ {
			row := t.buf[(y+t.pad)*t.px+t.pad : (y+t.pad)*t.px+t.pad+t.nx]
			dst := t.re[y*t.nx : (y+1)*t.nx]
			for x, v := range row {
				dst[x] = real(v)
			}
			if t.im != nil {
				dstIm := t.im[y*t.nx : (y+1)*t.nx]
				for x, v := range row {
					dstIm[x] = imag(v)
				}
			}
		}
	case opMultiply:
		t.multiplyRows(y0, y1)
	}
}

func (t *Transform) multiplyRows(y0, y1 int) {
	norm := 1 / float64(t.px*t.py)
	s := t.s
	for y := y0; y < y1; y++ {
		ky := t.fy[y]
		ky2 := ky * ky
		gy := norm
		if t.wy != nil {
			gy *= t.wy[y]
		}
		row := t.buf[y*t.px : (y+1)*t.px]
		for x, v := range row {
			kx := t.fx[x]
			k2 := kx*kx + ky2
			if k2 == 0 {
				row[x] = 0
				continue
			}
			g := gy
			if t.wx != nil {
				g *= t.wx[x]
			}
			inv := g / k2
			a := (kx*kx - ky2) * inv
			b := s * 2 * kx * ky * inv
			re, im := real(v), imag(v)
			row[x] = complex(a*re-b*im, a*im+b*re)
		}
	}
}

// rowTask runs the current step over a range of rows for parallel.Group.
type rowTask struct{ t *Transform }

func (r *rowTask) Run(lo, hi int) { r.t.rows(r.t.op, lo, hi) }

// parallelRows runs a step over row ranges on the Transform's workers when
// the work is large enough to pay for the hand-off.
func (t *Transform) parallelRows(op rowOp, rows int) {
	if t.workers < 2 || t.px*t.py < 1<<15 {
		t.rows(op, 0, rows)
		return
	}
	t.op = op
	t.group.For(rows, t.workers, &t.task)
}
