// Package scoreprior is the hybrid score prior of Remy, Lanusse, Jeffrey,
// Liu, Starck, Osato and Schrabback ("Probabilistic mass-mapping with
// neural score estimation", A&A 672, A51, 2023). It adds to the analytic
// score of a Gaussian prior with the survey's power spectrum a neural
// residual. A noise-conditional U-Net (package score) learns that residual
// by denoising score matching on simulated maps, Gaussian and shifted
// lognormal.
//
// Pairs makes the training batches, Train fits the network, and a Model's
// Prior is a sampling.Prior for the posterior sampler. Models are weights
// files of package score with the prior's settings in their notes, so a
// model file is all the sampler needs.
package scoreprior
