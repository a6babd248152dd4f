// Package score contains the learned parts of the toolkit. So far this is
// UNet, a noise-conditional U-Net built from the float32 layers of package
// nn, with its forward pass, its backward pass and access to its
// parameters and their gradients for an optimiser. Alongside it are Adam, an
// optimiser with decoupled weight decay and a learning-rate schedule, Train, a
// loop that minimises MeanSquaredError, and a versioned file format for
// weights (SaveWeights, LoadWeights) and resumable checkpoints
// (SaveCheckpoint, LoadCheckpoint).
//
// The network is meant to approximate the denoiser D(x, σ) of images x
// corrupted by Gaussian noise of standard deviation σ, whose residual
// gives the score of the smoothed prior, ∇ log p_σ(x) = (D(x, σ) − x)/σ²
// (Tweedie's formula). Train fits it with an L2 loss and Adam.
// NewSimulatedMaps and NewCubeMaps stream augmented training maps, and
// NewDeepMassPairs turns them into DeepMass training pairs: Kaiser-Squires
// maps of noisy, masked mock shear, with the mask as a second channel.
//
// # Conditioning
//
// σ reaches the network as one extra input channel that contains σ in every
// pixel. This is the simplest form of noise conditioning. The network
// takes σ as given, without a logarithm or other rescaling, so callers
// choose the scale in which they pass it and must use the same one for
// training and inference.
//
// # Image sizes
//
// Depth 2×2 poolings halve the image each time, so heights and widths
// must be positive multiples of 2^Depth. UNet.Check, and Forward before
// any computation, return a *SizeError that names the nearest valid
// sizes. Forward also rejects NaN and infinite inputs and noise levels
// with an error wrapping ErrNonFinite. Shape mismatches between tensors
// are caller mistakes and panic with a "score: " message, as in nn.
//
// # Performance
//
// BenchmarkUNet times a forward pass, and a forward and backward pass, of
// a Depth 3, BaseChannels 32 network with group normalisation and SiLU on
// single-channel images of 128×128 and 360×360, batches of 1 and 8. A
// forward pass at 360×360 is about 42 GFLOP, counting the convolutions
// only. bench/conv_run.sh runs it beside the same network in PyTorch
// (bench/unet_torch.py), and BENCHMARKS.md has the table. On a 2-core
// Intel Xeon with AVX-512 (Go 1.26.8, December 2026) a forward pass took
// 34 ms at 128×128 and 0.27 s at 360×360, about 155 GFLOP/s, with no
// allocations.
//
// # Next steps
//
// Package deepmass trains and applies the DeepMass estimator with this
// network. TODO: training by denoising score matching and score-based
// posterior samplers are planned for this package.
package score
