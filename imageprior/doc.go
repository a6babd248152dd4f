// Package imageprior is a learned prior for astronomical images, for
// posterior sampling in deconvolution. A noise-conditional U-Net (package
// score) learns the score of the images smoothed by Gaussian noise,
//
//	∇ log p_σ(x) = U(c_σ x, ln(s σ)) / σ,   c_σ = s / √(1 + s²σ²),
//
// by denoising score matching (Vincent 2011, Neural Computation 23, 1661;
// Song and Ermon, NeurIPS 2019): for a clean image x and white noise n of
// unit variance, the network's target at x + σn is −n. The scale s is one
// over the root mean square pixel value of the training images, so the
// network's input is of order one at every noise level.
//
// Unlike the convergence prior of package scoreprior, the score has no
// Gaussian part, because galaxies on an empty sky are far from a Gaussian
// field, and a power spectrum in the form of scoreprior would also leave
// out the mean flux. The score is used without a filter. The Wiener denoiser of the training images'
// power spectrum is the baseline that training must beat.
//
// Scenes makes the training images from package galaxies, Pairs turns
// them into training batches, Train fits the network, and a Model's Prior
// is a sampling.Prior. Models are weights files of package score with the
// prior's settings in their notes, so a model file is all the sampler
// needs. Default returns the model embedded in the toolkit.
package imageprior
