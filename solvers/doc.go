// Package solvers holds the reconstructions that combine a forward operator
// (package operators) with a prior: conjugate gradients on normal
// equations, the Wiener filter, Tikhonov regularisation, sparse recovery
// and Richardson-Lucy deconvolution.
//
// # Iterations
//
// Every iterative solver takes Settings (a relative tolerance, an iteration
// cap and an optional progress callback) and returns a Result with the
// iteration count and the final relative residual. When the cap is reached
// before the tolerance, the solver returns its last iterate together with a
// *NotConvergedError, so a caller can still inspect or keep the estimate.
package solvers
