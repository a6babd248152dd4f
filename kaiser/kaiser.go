package kaiser

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/skyinv/skyinv/fft"
)

// Options configures a Transform. The zero value means no smoothing, no
// padding and the sky convention for shear.
type Options struct {
	// SmoothArcmin is the standard deviation of the Gaussian that smooths
	// κ, in arcmin; 0 disables smoothing. It needs PixelArcmin.
	SmoothArcmin float64
	// PixelArcmin is the pixel size in arcmin.
	PixelArcmin float64
	// Pad is the number of pixels of zero shear added on each side.
	Pad int
	// PixelFrame selects the array convention for γ2 and κ_B (see the
	// package documentation).
	PixelFrame bool
}

// Transform maps shear to convergence and back on one grid. It keeps its FFT
// plan and buffers, so repeated calls allocate nothing. A Transform is not
// safe for concurrent use; make one per goroutine.
type Transform struct {
	nx, ny  int // map size
	px, py  int // transform size, at least nx+2*Pad by ny+2*Pad
	pad     int
	sign    float64 // +1 sky convention, -1 pixel frame
	workers int
	plan    *fft.Plan2D
	buf     []complex128

	// Arguments of the row step in progress (see rows).
	re, im []float64
	s      float64
	smooth bool

	// Per-axis tables: frequencies in cycles per pixel and the smoothing
	// factors, so that the multiplier is computed on the fly without an
	// array the size of the grid.
	fx, fy []float64
	sx, sy []float64
}

// New returns a Transform for nx × ny maps.
func New(nx, ny int, opt Options) (*Transform, error) {
	if nx < 1 || ny < 1 {
		return nil, fmt.Errorf("kaiser: invalid map size %d x %d", nx, ny)
	}
	if opt.Pad < 0 {
		return nil, fmt.Errorf("kaiser: invalid padding %d: it must be 0 or more pixels", opt.Pad)
	}
	if opt.SmoothArcmin < 0 || math.IsNaN(opt.SmoothArcmin) || math.IsInf(opt.SmoothArcmin, 0) {
		return nil, fmt.Errorf("kaiser: invalid smoothing scale %g arcmin: it must be 0 or positive", opt.SmoothArcmin)
	}
	if opt.SmoothArcmin > 0 && !(opt.PixelArcmin > 0) {
		return nil, fmt.Errorf("kaiser: smoothing by %g arcmin needs a positive pixel size, got %g", opt.SmoothArcmin, opt.PixelArcmin)
	}

	t := &Transform{nx: nx, ny: ny, pad: opt.Pad, sign: 1, workers: runtime.GOMAXPROCS(0)}
	if opt.PixelFrame {
		t.sign = -1
	}
	t.px, t.py = nx, ny
	if opt.Pad > 0 {
		t.px, t.py = Smooth235(nx+2*opt.Pad), Smooth235(ny+2*opt.Pad)
	}
	t.plan = fft.NewPlan2D(t.px, t.py)
	t.buf = make([]complex128, t.px*t.py)

	sigma := 0.0
	if opt.SmoothArcmin > 0 {
		sigma = opt.SmoothArcmin / opt.PixelArcmin
	}
	t.fx, t.sx = axisTables(t.px, sigma)
	t.fy, t.sy = axisTables(t.py, sigma)
	return t, nil
}

// axisTables returns the FFT frequencies of an axis of n points in cycles per
// pixel, and the 1-D Gaussian factors exp(−2π² σ² f²).
func axisTables(n int, sigma float64) (freq, smooth []float64) {
	freq = make([]float64, n)
	smooth = make([]float64, n)
	for i := range n {
		k := i
		if 2*i >= n {
			k = i - n
		}
		f := float64(k) / float64(n)
		freq[i] = f
		smooth[i] = math.Exp(-2 * math.Pi * math.Pi * sigma * sigma * f * f)
	}
	return freq, smooth
}

// SetWorkers sets the number of goroutines that each call uses; n < 1
// selects runtime.GOMAXPROCS(0). Callers that run several Transforms at once
// give each one worker.
func (t *Transform) SetWorkers(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	t.workers = n
	t.plan.SetWorkers(n)
}

// Size returns the map size.
func (t *Transform) Size() (nx, ny int) { return t.nx, t.ny }

// Convergence writes the E- and B-mode convergence of the shear (g1, g2)
// into kappaE and kappaB, smoothed when the Transform was made with
// SmoothArcmin. All slices have nx*ny elements; kappaB may be nil.
func (t *Transform) Convergence(kappaE, kappaB, g1, g2 []float64) {
	t.check("Convergence", kappaE, kappaB, g1, g2)
	t.load(g1, g2)
	t.plan.Forward(t.buf, t.buf)
	t.multiply(t.sign, true)
	t.plan.Inverse(t.buf, t.buf)
	t.store(kappaE, kappaB)
}

// Shear writes the shear (g1, g2) of the convergence (kappaE, kappaB) into g1
// and g2. kappaB may be nil for a pure E-mode field. Shear does not smooth.
func (t *Transform) Shear(g1, g2, kappaE, kappaB []float64) {
	t.check("Shear", g1, g2, kappaE, kappaB)
	t.load(kappaE, kappaB)
	t.plan.Forward(t.buf, t.buf)
	t.multiply(-t.sign, false)
	t.plan.Inverse(t.buf, t.buf)
	t.store(g1, g2)
}

func (t *Transform) check(op string, a, b, c, d []float64) {
	n := t.nx * t.ny
	for _, s := range [][]float64{a, b, c, d} {
		if s != nil && len(s) != n {
			panic(fmt.Sprintf("kaiser: %s: slice of %d values for a %d x %d map", op, len(s), t.nx, t.ny))
		}
	}
	if a == nil || c == nil {
		panic(fmt.Sprintf("kaiser: %s: nil map", op))
	}
}

// rowOp names the row-parallel steps of a transform. The steps are methods
// selected by this value, not closures, so that a call with one worker
// allocates nothing.
type rowOp int

const (
	opLoad rowOp = iota
	opMultiply
	opStore
)

// load embeds re + i im (im may be nil) in the transform buffer, with zeros
// in the padding.
func (t *Transform) load(re, im []float64) {
	if t.px != t.nx || t.py != t.ny {
		clear(t.buf)
	}
	t.re, t.im = re, im
	t.parallelRows(opLoad, t.ny)
	t.re, t.im = nil, nil
}

// store crops the transform buffer into re and im (im may be nil).
func (t *Transform) store(re, im []float64) {
	t.re, t.im = re, im
	t.parallelRows(opStore, t.ny)
	t.re, t.im = nil, nil
}

// multiply applies D (s = +1) or D* (s = −1), the FFT normalisation 1/N and,
// when smooth is set, the Gaussian factors; the k = 0 mode becomes 0.
func (t *Transform) multiply(s float64, smooth bool) {
	t.s, t.smooth = s, smooth
	t.parallelRows(opMultiply, t.py)
}

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
	s, smooth := t.s, t.smooth
	for y := y0; y < y1; y++ {
		ky := t.fy[y]
		ky2 := ky * ky
		gy := norm
		if smooth {
			gy *= t.sy[y]
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
			if smooth {
				g *= t.sx[x]
			}
			inv := g / k2
			a := (kx*kx - ky2) * inv
			b := s * 2 * kx * ky * inv
			re, im := real(v), imag(v)
			row[x] = complex(a*re-b*im, a*im+b*re)
		}
	}
}

// parallelRows runs a step over row ranges on the Transform's workers when
// the work is large enough to pay for the goroutines.
func (t *Transform) parallelRows(op rowOp, rows int) {
	workers := t.workers
	if workers < 2 || t.px*t.py < 1<<15 {
		t.rows(op, 0, rows)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func(y0, y1 int) {
			defer wg.Done()
			t.rows(op, y0, y1)
		}(w*rows/workers, (w+1)*rows/workers)
	}
	t.rows(op, 0, rows/workers)
	wg.Wait()
}

// Smooth235 returns the smallest integer ≥ n whose only prime factors are
// 2, 3 and 5: a size the FFT handles fastest.
func Smooth235(n int) int {
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
