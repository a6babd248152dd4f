// Package deepmass is the DeepMass estimator of the convergence (Jeffrey,
// Lanusse, Lahav and Starck, "Deep learning dark matter map
// reconstructions from DES SV weak lensing data", MNRAS 492, 5023–5029,
// 2020, doi:10.1093/mnras/staa127). A U-Net, trained with an L2 loss on
// simulated maps, turns the Wiener filter of a shear field into an
// approximation of the posterior mean of κ under the simulations' prior.
//
// Simulate draws training pairs for one survey. It draws convergence
// fields from a power spectrum (Gaussian, or shifted lognormal for the
// skewness of the real field) and their shear with the survey's shape noise
// and mask, then applies the Wiener filter with the same spectrum as prior. Train
// fits a score.UNet to them, and a Model applies it to real data with
// Estimate. Load and Save read and write models in the weights format of
// package score, with the input settings (the prior spectrum, the pixel
// size, the Wiener filter's tolerance) stored in the file, so a model
// needs nothing else to run. Default returns the model shipped for the
// COSMOS survey.
//
// # The network's task
//
// The network takes two channels, the Wiener filter times Scale and the
// mask, and predicts Scale times the difference between the true map and
// the Wiener filter. Its last layer starts at zero, so an untrained model
// returns the Wiener filter, and training can only improve on it in the
// mean squared error. Scale is one over the prior's standard deviation
// of κ per pixel, so the network sees values of order one.
package deepmass
