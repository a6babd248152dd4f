// Package sampling draws posterior samples of a map x from data
// y = A x + n with a score-based prior, by annealed Langevin dynamics
// (Song and Ermon, NeurIPS 2019; Remy, Lanusse, Jeffrey, Liu, Starck,
// Osato and Schrabback, "Probabilistic mass-mapping with neural score
// estimation", A&A 672, A51, 2023).
//
// A Prior gives the score ∇ log p_σ(x) of the prior smoothed at noise
// level σ, for all chains at once: GaussianPrior is the analytic score of
// a power-spectrum prior, and a neural prior adds a network's residual to
// it. A Likelihood holds any linear operator of package operators, the
// data and their noise variance, with +Inf for data that carry no
// information, such as the shear of an empty pixel. Sample runs the chains
// over a geometric ladder of noise levels and returns the states of the
// last level, their mean, their standard deviation and split R̂.
//
// # Exactness
//
// With a Gaussian prior the posterior is Gaussian and known.
// TestGaussianPosteriorExact builds it densely for a 64 × 64 shear field
// with a mask and uneven noise (a 4096 × 4096 precision matrix) and
// checks the sampler against it, once with the prior's preconditioner
// (ε = 0.01, 600 steps at the last level) and once with the data's
// (Config.DataPower, ε = 0.1, 400 steps). In both, the mean of 64 chains
// lies within 3 standard errors of the Wiener filter in every pixel, the
// variance is within 3% of the posterior variance averaged over the map,
// and within 7% in each of 8 rings of |k|.
package sampling
