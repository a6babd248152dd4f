package solvers

import (
	"errors"
	"fmt"
	"math"
)

// Settings controls an iterative solver. The zero value means a relative
// tolerance of 1e-6 and at most 1000 iterations.
type Settings struct {
	// Tol is the relative residual at which the solver stops; each solver
	// defines its residual in its documentation.
	Tol float64
	// MaxIter caps the number of iterations.
	MaxIter int
	// Progress, when set, is called after every iteration with the
	// iteration number (from 1) and the current relative residual.
	Progress func(iter int, residual float64)
}

func (s Settings) withDefaults() Settings {
	if s.Tol == 0 {
		s.Tol = 1e-6
	}
	if s.MaxIter == 0 {
		s.MaxIter = 1000
	}
	return s
}

func (s Settings) validate(method string) error {
	if !(s.Tol > 0 && s.Tol < 1) {
		return fmt.Errorf("solvers: %s: invalid tolerance %g: a relative tolerance must lie between 0 and 1", method, s.Tol)
	}
	if s.MaxIter < 1 {
		return fmt.Errorf("solvers: %s: invalid iteration cap %d: it must be at least 1", method, s.MaxIter)
	}
	return nil
}

// Result reports how an iterative solver ended.
type Result struct {
	Iterations int     // iterations run
	Residual   float64 // final relative residual
}

// NotConvergedError is returned, with the last iterate, when a solver
// reaches its iteration cap before its tolerance.
type NotConvergedError struct {
	Method     string
	Iterations int
	Residual   float64
	Tol        float64
}

func (e *NotConvergedError) Error() string {
	return fmt.Sprintf("%s did not converge: relative residual %.3g after %d iterations, tolerance %.3g (raise the iteration cap or the tolerance)", e.Method, e.Residual, e.Iterations, e.Tol)
}

// ErrBreakdown is wrapped by the error of a conjugate-gradient solve whose
// matrix turned out not to be positive definite.
var ErrBreakdown = errors.New("the system matrix is not positive definite")

// CG solves A x = b for a symmetric positive-definite A given as a function
// that writes A v into dst, by the conjugate-gradient method (Hestenes &
// Stiefel 1952, J. Res. Natl. Bur. Stand. 49, 409). x holds the starting
// point on entry and the solution on return; nil starts from zero and
// allocates. The residual is ‖b − A x‖ / ‖b‖. precond, when not nil,
// applies an approximation of A⁻¹ (a symmetric positive-definite
// preconditioner). Besides x, CG allocates four vectors per call.
func CG(x []float64, apply func(dst, v []float64), b []float64, precond func(dst, r []float64), s Settings) ([]float64, Result, error) {
	s = s.withDefaults()
	if err := s.validate("conjugate gradient"); err != nil {
		return x, Result{}, err
	}
	n := len(b)
	if x == nil {
		x = make([]float64, n)
	} else if len(x) != n {
		panic(fmt.Sprintf("solvers: CG: starting point of %d values for a right-hand side of %d", len(x), n))
	}

	r := make([]float64, n)
	z := make([]float64, n)
	p := make([]float64, n)
	ap := make([]float64, n)

	normB := math.Sqrt(dot(b, b))
	if normB == 0 {
		clear(x)
		return x, Result{}, nil
	}

	// r = b − A x
	apply(ap, x)
	for i := range r {
		r[i] = b[i] - ap[i]
	}
	res := math.Sqrt(dot(r, r)) / normB
	if res <= s.Tol {
		return x, Result{Residual: res}, nil
	}
	applyPrecond(z, r, precond)
	copy(p, z)
	rz := dot(r, z)

	for it := 1; it <= s.MaxIter; it++ {
		apply(ap, p)
		pap := dot(p, ap)
		if !(pap > 0) {
			return x, Result{Iterations: it, Residual: res}, fmt.Errorf("solvers: conjugate gradient at iteration %d: p·Ap = %g: %w", it, pap, ErrBreakdown)
		}
		alpha := rz / pap
		for i := range x {
			x[i] += alpha * p[i]
			r[i] -= alpha * ap[i]
		}
		res = math.Sqrt(dot(r, r)) / normB
		if s.Progress != nil {
			s.Progress(it, res)
		}
		if res <= s.Tol {
			return x, Result{Iterations: it, Residual: res}, nil
		}
		applyPrecond(z, r, precond)
		rzNew := dot(r, z)
		beta := rzNew / rz
		rz = rzNew
		for i := range p {
			p[i] = z[i] + beta*p[i]
		}
	}
	return x, Result{Iterations: s.MaxIter, Residual: res}, &NotConvergedError{Method: "conjugate gradient", Iterations: s.MaxIter, Residual: res, Tol: s.Tol}
}

func applyPrecond(z, r []float64, precond func(dst, r []float64)) {
	if precond == nil {
		copy(z, r)
		return
	}
	precond(z, r)
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
