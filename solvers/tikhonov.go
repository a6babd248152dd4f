package solvers

import (
	"errors"
	"fmt"
	"math"

	"github.com/skyinv/skyinv/operators"
)

// Tikhonov returns the minimiser of the Tikhonov-regularised least-squares
// objective (Tikhonov & Arsenin 1977, Solutions of Ill-Posed Problems,
// Winston & Sons)
//
//	‖A x − y‖² + λ ‖x‖²,
//
// found by CG on the normal equations
//
//	(AᵀA + λ I) x = Aᵀ y.
//
// It works for any operator. For a periodic convolution with transfer
// function H (the DFT of the PSF centred as in operators.Convolution) the
// solution is X = H* Y / (|H|² + λ) mode by mode, which the tests check.
//
// x holds the starting point on entry and the solution on return, with
// a.Domain().Len() values; nil starts from zero and allocates. y has
// a.Range().Len() values. The residual of Settings and Result is CG's,
// ‖Aᵀy − (AᵀA + λI) x‖ / ‖Aᵀy‖. λ = 0 gives plain least squares, which
// converges only when AᵀA is non-singular. The error is a
// *NotConvergedError when the cap is reached (x is then the last iterate),
// and an error wrapping ErrBreakdown when AᵀA + λI is not positive
// definite. A negative, NaN or infinite λ or invalid settings return an
// error and leave x unchanged. Wrong lengths panic.
func Tikhonov(x []float64, a operators.Operator, y []float64, lambda float64, s Settings) ([]float64, Result, error) {
	n, m := a.Domain().Len(), a.Range().Len()
	if len(y) != m {
		panic(fmt.Sprintf("solvers: Tikhonov: data of %d values for an operator range of %d", len(y), m))
	}
	if x != nil && len(x) != n {
		panic(fmt.Sprintf("solvers: Tikhonov: starting point of %d values for an operator domain of %d", len(x), n))
	}
	if !(lambda >= 0) || math.IsInf(lambda, 0) {
		return x, Result{}, fmt.Errorf("solvers: Tikhonov: invalid λ %g: it must be finite and at least 0", lambda)
	}

	rhs := make([]float64, n)
	a.Adjoint(rhs, y)
	ax := make([]float64, m)
	normal := func(dst, v []float64) {
		a.Apply(ax, v)
		a.Adjoint(dst, ax)
		for i := range dst {
			dst[i] += lambda * v[i]
		}
	}

	x, res, err := CG(x, normal, rhs, nil, s)
	var nc *NotConvergedError
	if errors.As(err, &nc) {
		nc.Method = "Tikhonov (conjugate gradient)"
	}
	return x, res, err
}
