// Package priors holds prior models of convergence maps and images for the
// toolkit's solvers and samplers: the Gaussian prior of an angular power
// spectrum, with its log-density, gradient and noise-conditional score.
//
// The sparsity prior's parts (the starlet transform, noise levels per scale,
// thresholding and the weighted l1 norm) live in package starlet, and the
// reconstruction that uses them in solvers.Sparse.
package priors
