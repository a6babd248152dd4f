// Package solvers will hold the reconstructions that combine an operator
// with a prior: the Wiener filter, Tikhonov regularisation, sparse recovery
// and Richardson-Lucy deconvolution.
//
// TODO: nothing is implemented yet.
package solvers
