package powerspec

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/fft"
)

// Options configures a measurement. The zero value measures the whole map
// with uniform weight, as for a periodic simulated field.
type Options struct {
	// Mask marks the observed pixels (true), index y*nx + x; nil means that
	// every pixel is observed. Unobserved pixels are ignored, so they may
	// hold NaN.
	Mask []bool

	// ApodizeArcmin is the width in arcmin of the cosine taper applied
	// inside the edges of the observed region; 0 leaves the edges sharp.
	// With a taper, the pixels outside the map count as unobserved, so the
	// map's own border is tapered as well (see the package documentation).
	ApodizeArcmin float64
}

// Band is the power spectrum measured in one ℓ band.
type Band struct {
	EllMin, EllMax float64 // band edges
	EllMean        float64 // mean ℓ of the band's Fourier modes; NaN without modes
	Cl             float64 // estimate of C_ℓ; NaN without modes
	Err            float64 // Gaussian standard error of Cl; NaN without modes

	// Modes is the number of FFT coefficients in the band, counted over the
	// full Fourier plane: for a real map, F(−k) is the conjugate of F(k), so
	// only about half of them are independent.
	Modes int
}

// Spectrum is a binned power spectrum measured from one map.
type Spectrum struct {
	Bands []Band

	// W2 and W4 are the means of w² and w⁴ over all pixels of the map, w
	// the window (mask times taper). Cl is divided by W2, and Err counts
	// Modes·W2²/W4 modes. Both are 1 without a mask or taper.
	W2, W4 float64
}

// Estimator measures binned power spectra of maps of one size, pixel scale,
// binning and window. It keeps its FFT plan and buffers, so Measure allocates
// only the returned bands. An Estimator is not safe for concurrent use; make
// one per goroutine.
type Estimator struct {
	nx, ny   int
	pixelRad float64
	bins     Bins

	ell     []float64 // ℓ of every FFT coefficient
	band    []int32   // band of every FFT coefficient; -1 for k = 0 and outside the bins
	modes   []int
	ellMean []float64

	observed []bool    // nil when every pixel is observed
	window   []float64 // nil for a window of 1 everywhere
	w2, w4   float64

	plan *fft.Plan2D
	buf  []complex128
	sum  []float64 // per-band sums of |F|², reused by Measure
}

// NewEstimator returns an Estimator for nx × ny maps of square pixels of
// side pixelRad radians. It returns an error for an invalid size, pixel size
// or binning, a mask of the wrong length or without observed pixels, or a
// negative or non-finite taper width.
func NewEstimator(nx, ny int, pixelRad float64, bins Bins, opt Options) (*Estimator, error) {
	if err := gridError(nx, ny, pixelRad); err != nil {
		return nil, err
	}
	if err := bins.Validate(); err != nil {
		return nil, err
	}
	n := nx * ny
	if opt.Mask != nil && len(opt.Mask) != n {
		return nil, fmt.Errorf("powerspec: mask of %d pixels for a %d x %d map", len(opt.Mask), nx, ny)
	}
	if !(opt.ApodizeArcmin >= 0) || math.IsInf(opt.ApodizeArcmin, 1) {
		return nil, fmt.Errorf("powerspec: invalid apodisation width %g arcmin: want 0 or a positive finite value", opt.ApodizeArcmin)
	}

	e := &Estimator{
		nx: nx, ny: ny, pixelRad: pixelRad,
		bins:    Bins{Edges: append([]float64(nil), bins.Edges...)},
		ell:     EllMap(nx, ny, pixelRad),
		band:    make([]int32, n),
		modes:   make([]int, bins.Len()),
		ellMean: make([]float64, bins.Len()),
		w2:      1, w4: 1,
		plan: fft.NewPlan2D(nx, ny),
		buf:  make([]complex128, n),
		sum:  make([]float64, bins.Len()),
	}

	// Assign every Fourier mode except k = 0 to its band.
	for i, ell := range e.ell {
		b := -1
		if i != 0 {
			b = e.bins.band(ell)
		}
		e.band[i] = int32(b)
		if b >= 0 {
			e.modes[b]++
			e.ellMean[b] += ell
		}
	}
	for b, m := range e.modes {
		if m == 0 {
			e.ellMean[b] = math.NaN()
		} else {
			e.ellMean[b] /= float64(m)
		}
	}

	// Build the window and its moments.
	if opt.Mask == nil && opt.ApodizeArcmin == 0 {
		return e, nil
	}
	e.observed = make([]bool, n)
	if opt.Mask == nil {
		for i := range e.observed {
			e.observed[i] = true
		}
	} else {
		copy(e.observed, opt.Mask)
	}
	count := 0
	for _, ok := range e.observed {
		if ok {
			count++
		}
	}
	if count == 0 {
		return nil, fmt.Errorf("powerspec: the mask of the %d x %d map has no observed pixel", nx, ny)
	}
	pixelArcmin := pixelRad * 180 / math.Pi * 60
	e.window = window(e.observed, nx, ny, opt.ApodizeArcmin/pixelArcmin)
	var s2, s4 float64
	for _, w := range e.window {
		s2 += w * w
		s4 += w * w * w * w
	}
	e.w2, e.w4 = s2/float64(n), s4/float64(n)
	return e, nil
}

// SetWorkers sets the number of goroutines of the FFT; n < 1 selects
// runtime.GOMAXPROCS(0).
func (e *Estimator) SetWorkers(n int) { e.plan.SetWorkers(n) }

// Bins returns the bins of the estimator.
func (e *Estimator) Bins() Bins { return Bins{Edges: append([]float64(nil), e.bins.Edges...)} }

// Window returns a copy of the window w by which Measure multiplies a map:
// the mask with its tapered edges, 1 everywhere without a mask or taper.
func (e *Estimator) Window() []float64 {
	w := make([]float64, e.nx*e.ny)
	if e.window == nil {
		for i := range w {
			w[i] = 1
		}
		return w
	}
	copy(w, e.window)
	return w
}

// Measure estimates the binned power spectrum of the map m (nx*ny values,
// index y*nx + x): the mean of |F(w (m − m̄))(k)|² p² / (nx ny W2) over the
// Fourier modes of each band, with m̄ the w-weighted mean of m over the
// observed pixels (see the package documentation). It returns an error when
// an observed pixel is NaN or infinite, and panics when m has the wrong
// length.
func (e *Estimator) Measure(m []float64) (Spectrum, error) {
	n := e.nx * e.ny
	if len(m) != n {
		panic(fmt.Sprintf("powerspec: Measure: map of %d values for a %d x %d grid", len(m), e.nx, e.ny))
	}

	// Check the observed pixels and take their weighted mean.
	var sw, swm float64
	bad, first := 0, -1
	for i, v := range m {
		w := 1.0
		if e.window != nil {
			if !e.observed[i] {
				continue
			}
			w = e.window[i]
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if bad == 0 {
				first = i
			}
			bad++
			continue
		}
		sw += w
		swm += w * v
	}
	if bad > 0 {
		return Spectrum{}, fmt.Errorf("powerspec: %d observed pixels are NaN or infinite, the first at (x, y) = (%d, %d)", bad, first%e.nx, first/e.nx)
	}
	mean := swm / sw

	// Transform the windowed map.
	for i, v := range m {
		switch {
		case e.window == nil:
			e.buf[i] = complex(v-mean, 0)
		case e.observed[i]:
			e.buf[i] = complex(e.window[i]*(v-mean), 0)
		default:
			e.buf[i] = 0
		}
	}
	e.plan.Forward(e.buf, e.buf)

	// Average |F|² over the modes of each band.
	for b := range e.sum {
		e.sum[b] = 0
	}
	for i, c := range e.buf {
		if b := e.band[i]; b >= 0 {
			e.sum[b] += real(c)*real(c) + imag(c)*imag(c)
		}
	}
	norm := e.pixelRad * e.pixelRad / (float64(n) * e.w2)
	modeFraction := e.w2 * e.w2 / e.w4
	s := Spectrum{Bands: make([]Band, len(e.sum)), W2: e.w2, W4: e.w4}
	for b := range s.Bands {
		band := Band{
			EllMin: e.bins.Edges[b], EllMax: e.bins.Edges[b+1],
			EllMean: e.ellMean[b], Cl: math.NaN(), Err: math.NaN(),
			Modes: e.modes[b],
		}
		if band.Modes > 0 {
			band.Cl = e.sum[b] / float64(band.Modes) * norm
			band.Err = band.Cl * math.Sqrt(2/(float64(band.Modes)*modeFraction))
		}
		s.Bands[b] = band
	}
	return s, nil
}

// BinTheory returns the mean of cl(ℓ) over the Fourier modes of each band,
// NaN for a band without modes. Without a mask or taper, this is the
// expectation of Band.Cl for a Gaussian field with spectrum cl, so it is the
// model to compare a measurement with.
func (e *Estimator) BinTheory(cl func(ell float64) float64) []float64 {
	return e.bin(func(i int) float64 { return cl(e.ell[i]) })
}

// bin returns the mean of f(i) over the coefficients i of each band.
func (e *Estimator) bin(f func(i int) float64) []float64 {
	out := make([]float64, len(e.modes))
	for i := range e.ell {
		if b := e.band[i]; b >= 0 {
			out[b] += f(i)
		}
	}
	for b, m := range e.modes {
		if m == 0 {
			out[b] = math.NaN()
		} else {
			out[b] /= float64(m)
		}
	}
	return out
}

// BinModes returns the mean over the Fourier modes of each band of v, one
// value per FFT coefficient in FFT layout, NaN for a band without modes.
// With v(k) = C(ℓ_k) it is BinTheory; it also takes spectra that are not
// functions of ℓ alone, such as C_ℓ times the pixel window. It panics if v
// does not have one value per coefficient.
func (e *Estimator) BinModes(v []float64) []float64 {
	if len(v) != len(e.ell) {
		panic(fmt.Sprintf("powerspec: BinModes: %d values for %d Fourier coefficients", len(v), len(e.ell)))
	}
	return e.bin(func(i int) float64 { return v[i] })
}

// Measure estimates the binned power spectrum of the nx × ny map m, pixels
// of side pixelRad radians. It makes an Estimator for one call; use
// NewEstimator to measure many maps.
func Measure(m []float64, nx, ny int, pixelRad float64, bins Bins, opt Options) (Spectrum, error) {
	e, err := NewEstimator(nx, ny, pixelRad, bins, opt)
	if err != nil {
		return Spectrum{}, err
	}
	return e.Measure(m)
}
