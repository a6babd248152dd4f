// Package priors will hold prior models of convergence maps and images: the
// Gaussian prior of an angular power spectrum, the starlet transform and
// sparsity priors.
//
// TODO: nothing is implemented yet.
package priors
