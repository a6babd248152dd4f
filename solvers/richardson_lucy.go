package solvers

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/operators"
)

// RLResult reports how a Richardson-Lucy run ended.
type RLResult struct {
	// Result holds the iteration count and the data residual
	// ‖A x − y‖ / ‖y‖ of the returned x (‖A x‖ when y is all zero).
	Result

	// Change is the relative change ‖x_k − x_{k−1}‖ / ‖x_k‖ of the last
	// iteration, the quantity compared with Settings.Tol.
	Change float64

	// ZeroModel counts, summed over the iterations, the data pixels where
	// the model was zero to rounding and the ratio was set to 0.
	ZeroModel int

	// Clamped counts, summed over the iterations, the pixels whose update
	// came out below −offset and was set to −offset. The exact update of a
	// non-negative operator never does, so with one this counts FFT
	// rounding on pixels that are already at −offset to rounding.
	Clamped int
}

// NegativeDataError is returned by RichardsonLucy when the data, with the
// offset added, have negative pixels, which the Poisson model of the method
// excludes.
type NegativeDataError struct {
	Count     int     // pixels with y + offset·A1 < 0
	Min       float64 // the minimum of y
	Offset    float64 // the offset given
	MinOffset float64 // the smallest offset that makes every pixel ≥ 0
}

func (e *NegativeDataError) Error() string {
	return fmt.Sprintf("solvers: Richardson-Lucy: %d data pixels are negative with offset %g (minimum %g): the method needs non-negative data, so use an offset of at least %g or subtract a background", e.Count, e.Offset, e.Min, e.MinOffset)
}

// RichardsonLucy deconvolves y by the Richardson-Lucy iteration
// (Richardson 1972, JOSA 62, 55; Lucy 1974, AJ 79, 745), the
// expectation-maximisation algorithm for Poisson data:
//
//	x ← x · Aᵀ(y / A x) / Aᵀ1.
//
// It runs the iteration on the object raised by a constant offset b ≥ 0,
// x' = x + b, whose image is y' = y + b·A1 (b in the units of x; for a
// unit-sum PSF, A1 = 1 away from a ZeroPad border), and returns x' − b.
// With b = 0 this is the classic method.
//
// Negative data are never clipped. The Poisson model needs y' ≥ 0: when
// some pixels of y' are negative, RichardsonLucy returns a
// *NegativeDataError with their count, the minimum of y and the smallest
// offset that would do, and leaves x unchanged. Sky-subtracted images have
// noise below zero and need b > 0. The estimate is then bounded below by −b
// instead of 0. The offset thus gives up part of the positivity constraint,
// which regularises the classic method, so that sky noise averages out
// instead of being rectified into spurious flux.
//
// a must be non-negative (every matrix element ≥ 0), such as an
// operators.Convolution, ZeroPad or Periodic, with a non-negative PSF: the
// multiplicative update has no meaning otherwise. Aᵀ1 must be positive
// everywhere, else RichardsonLucy returns an error.
//
// Flux: every iteration conserves Σ A x = Σ y, up to the pixels that the
// guards below count. For a periodic convolution
// with a unit-sum PSF, Aᵀ1 = 1, so Σ x = Σ y. With ZeroPad, light of x near
// the border falls partly outside the image, so Σ x and Σ y differ by the
// flux that the model places beyond the border.
//
// Guards: where the model A x' is zero to rounding (at most 1e-12 of its
// maximum) the ratio contributes 0, never a NaN or an infinity, and the
// pixel is counted in RLResult.ZeroModel. An update of x' that comes out
// negative is set to 0 and counted in RLResult.Clamped.
//
// Iterations: x holds the starting point on entry and the estimate on
// return. The starting point must be finite and at least −b, and a pixel
// that starts at −b stays there. nil starts from a flat image with the
// Σ A x of the data. The iteration stops when the relative change
// ‖x_k − x_{k−1}‖ / ‖x_k‖ falls to s.Tol, or after s.MaxIter iterations,
// and s.Progress receives that relative change. At the cap the error is a
// *NotConvergedError whose Residual is the last relative change, and x is
// the last iterate. The iteration amplifies noise as it goes, so on noisy
// data a small MaxIter acts as the regularisation, and reaching it is then
// the normal end.
//
// Wrong lengths of x or y panic.
func RichardsonLucy(x []float64, a operators.Operator, y []float64, offset float64, s Settings) ([]float64, RLResult, error) {
	s = s.withDefaults()
	if err := s.validate("Richardson-Lucy"); err != nil {
		return x, RLResult{}, err
	}
	n, m := a.Domain().Len(), a.Range().Len()
	if len(y) != m {
		panic(fmt.Sprintf("solvers: RichardsonLucy: data of %d values for an operator range of %d", len(y), m))
	}
	if x != nil && len(x) != n {
		panic(fmt.Sprintf("solvers: RichardsonLucy: starting point of %d values for an operator domain of %d", len(x), n))
	}
	if !(offset >= 0) || math.IsInf(offset, 0) {
		return x, RLResult{}, fmt.Errorf("solvers: Richardson-Lucy: invalid offset %g: it must be finite and at least 0", offset)
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return x, RLResult{}, fmt.Errorf("solvers: Richardson-Lucy: data pixel %d is %g: replace or mask the NaN and Inf pixels first", i, v)
		}
	}
	norm, raised, err := rlPrepare(a, y, offset)
	if err != nil {
		return x, RLResult{}, err
	}

	// The starting point, raised by the offset.
	if x == nil {
		sumY, sumNorm := 0.0, 0.0
		for _, v := range y {
			sumY += v
		}
		for _, v := range norm {
			sumNorm += v
		}
		flat := sumY/sumNorm + offset
		if !(flat > 0) {
			return x, RLResult{}, fmt.Errorf("solvers: Richardson-Lucy: the data sum to %g, so a flat starting point with their flux is not above −offset: raise the offset or give a starting point", sumY)
		}
		x = make([]float64, n)
		for j := range x {
			x[j] = flat
		}
	} else {
		for j, v := range x {
			if !(v+offset >= 0) || math.IsInf(v, 0) {
				return x, RLResult{}, fmt.Errorf("solvers: Richardson-Lucy: starting point at pixel %d is %g: it must be finite and at least −offset (%g)", j, v, -offset)
			}
		}
		for j := range x {
			x[j] += offset
		}
	}

	model := make([]float64, m)
	corr := make([]float64, n)
	var res RLResult
	converged := false
	for it := 1; it <= s.MaxIter && !converged; it++ {
		// The ratio y' / A x', with 0 where the model vanishes.
		a.Apply(model, x)
		maxModel := 0.0
		for _, v := range model {
			maxModel = math.Max(maxModel, v)
		}
		floor := 1e-12 * maxModel
		for i, v := range model {
			if v > floor {
				model[i] = raised[i] / v
			} else {
				model[i] = 0
				res.ZeroModel++
			}
		}

		// The multiplicative update, and its change relative to the
		// object without the offset.
		a.Adjoint(corr, model)
		var dx2, x2 float64
		for j, c := range corr {
			v := x[j] * c / norm[j]
			if v < 0 {
				v = 0
				res.Clamped++
			}
			d := v - x[j]
			dx2 += d * d
			x2 += (v - offset) * (v - offset)
			x[j] = v
		}
		res.Iterations = it
		res.Change = 0
		if x2 > 0 {
			res.Change = math.Sqrt(dx2 / x2)
		}
		if s.Progress != nil {
			s.Progress(it, res.Change)
		}
		converged = res.Change <= s.Tol
	}

	for j := range x {
		x[j] -= offset
	}
	res.Residual = dataResidual(a, x, y, model)
	if !converged {
		return x, res, &NotConvergedError{Method: "Richardson-Lucy", Iterations: res.Iterations, Residual: res.Change, Tol: s.Tol}
	}
	return x, res, nil
}

// rlPrepare returns Aᵀ1 and the raised data y + offset·A1. It returns an
// error when Aᵀ1 is not positive everywhere, and a *NegativeDataError when
// the raised data have negative pixels.
func rlPrepare(a operators.Operator, y []float64, offset float64) (norm, raised []float64, err error) {
	n, m := a.Domain().Len(), a.Range().Len()
	ones := make([]float64, max(n, m))
	for i := range ones {
		ones[i] = 1
	}

	norm = make([]float64, n)
	a.Adjoint(norm, ones[:m])
	maxNorm := 0.0
	for _, v := range norm {
		maxNorm = math.Max(maxNorm, v)
	}
	for j, v := range norm {
		if !(v > 1e-12*maxNorm) {
			return nil, nil, fmt.Errorf("solvers: Richardson-Lucy: Aᵀ1 = %g at pixel %d is not positive: the operator must be non-negative and reach every pixel", v, j)
		}
	}

	// A1, the image of a unit offset.
	image := make([]float64, m)
	a.Apply(image, ones[:n])
	raised = make([]float64, m)
	bad := NegativeDataError{Min: math.Inf(1), Offset: offset}
	for i, v := range y {
		raised[i] = v + offset*image[i]
		bad.Min = math.Min(bad.Min, v)
		if raised[i] < 0 {
			bad.Count++
		}
		if v < 0 {
			if !(image[i] > 0) {
				return nil, nil, fmt.Errorf("solvers: Richardson-Lucy: data pixel %d is %g where no offset reaches it (A1 = %g)", i, v, image[i])
			}
			bad.MinOffset = math.Max(bad.MinOffset, -v/image[i])
		}
	}
	if bad.Count > 0 {
		return nil, nil, &bad
	}
	return norm, raised, nil
}

// dataResidual returns ‖A x − y‖ / ‖y‖, or ‖A x‖ when y is zero, using buf
// (len(y) values) as scratch.
func dataResidual(a operators.Operator, x, y, buf []float64) float64 {
	a.Apply(buf, x)
	var r2, y2 float64
	for i, v := range buf {
		d := v - y[i]
		r2 += d * d
		y2 += y[i] * y[i]
	}
	if y2 == 0 {
		return math.Sqrt(r2)
	}
	return math.Sqrt(r2 / y2)
}
