// Package starlet computes the starlet transform, the isotropic undecimated
// wavelet transform of astronomical images, with its inverse and adjoint.
// It also provides the parts of a sparsity prior on the coefficients: noise
// levels per scale, soft and hard thresholding, and the weighted l1 norm.
//
// # Algorithm
//
// The transform is the first-generation starlet computed with the à trous
// ("with holes") algorithm (J.-L. Starck, J. Fadili and F. Murtagh, "The
// Undecimated Wavelet Decomposition and its Reconstruction", IEEE
// Transactions on Image Processing 16(2) (2007) 297–309; J.-L. Starck,
// F. Murtagh and J. Fadili, "Sparse Image and Signal Processing", Cambridge
// University Press, 2010, 2nd edition 2015). With the B3-spline filter
//
//	h = [1, 4, 6, 4, 1] / 16,
//
// h_j the same filter with 2^j − 1 zeros between taps, c_0 the image and
// H_j the convolution with h_j along x and then along y,
//
//	c_{j+1} = H_j c_j,   w_{j+1} = c_j − c_{j+1},   j = 0 … J−1.
//
// The J wavelet scales w_1 … w_J and the coarse scale c_J are J + 1 planes
// of the image's size, so the transform is redundant by a factor J + 1 and
// shift invariant. Each plane is a band-pass (or, for c_J, low-pass)
// filtering of the image with an isotropic, nearly Gaussian-shaped kernel.
// The image is the sum of the planes,
//
//	image = c_J + Σ_{j=1…J} w_j,
//
// which is what Inverse computes. Each 2-D filtering is two 1-D passes of
// five taps, so a transform costs about 15·J floating-point operations per
// pixel.
//
// # Conventions
//
// A map of nx columns and ny rows is a []float64 of nx·ny values with pixel
// (x, y) at index y·nx + x. Coefficients are a [][]float64 of J + 1 such
// planes: coeffs[j−1] is w_j, finest first, and coeffs[J] is c_J.
//
// The filter reads beyond the edges of the map in one of two ways, chosen
// with Options.Boundary:
//
//   - Mirror (the default): reflection about the edge pixels, which are not
//     repeated, so x[−i] = x[i] and x[n−1+i] = x[n−1−i] along each axis;
//     scipy.ndimage's mode "mirror". A smooth map stays smooth across the
//     edges, so there are no artificial wavelet coefficients there.
//   - Periodic: the map wraps around, as in FFT-based mass mapping;
//     scipy.ndimage's mode "wrap". Every wavelet scale then sums to zero
//     and the coarse scale keeps the sum of the image.
//
// The last filter reaches 2^J pixels from its centre, and New accepts J
// only while that reach is at most min(nx, ny) − 1 (see MaxScales), so one
// reflection or wrap always finds the sample. Both boundaries keep constant
// maps constant.
//
// # Adjoint and inverse
//
// Forward is a linear map W from images to J + 1 planes. Solvers of
// analysis-sparsity problems, min_x ½‖A x − y‖² + ‖Λ ∘ W x‖₁ solved with
// primal–dual or ADMM iterations for instance, need its transpose Wᵀ,
// which Adjoint computes: the unique map with ⟨W x, c⟩ = ⟨x, Wᵀ c⟩ for all
// x and c. Inverse computes a different map R, the sum of the planes. R is
// a left inverse (R W = I), but the starlet is a redundant frame that is
// not tight, so WᵀW ≠ I and R ≠ Wᵀ, for either boundary. Written out,
//
//	R c  = c_J + Σ_j w_j,
//	Wᵀ c = Σ_j (H_{j−2} ⋯ H_0)ᵀ (I − H_{j−1})ᵀ w_j + (H_{J−1} ⋯ H_0)ᵀ c_J,
//
// and Adjoint evaluates the second line backwards from c_J with J
// transposed filterings, the same cost as Forward. With Periodic boundaries
// each H_j is symmetric, because h is. With Mirror it is not: in the 1-D
// filter matrix with dilation d, row 0 holds 2·h(d) in column d, because
// the tap at −d reflects onto +d, while row d holds h(d) in column 0. The
// transposed matrices are built when the Transform is made. The convergence
// proofs of proximal algorithms assume the true adjoint, so using Inverse
// in its place voids them.
//
// # Noise and thresholds
//
// For white noise of standard deviation σ, the coefficients of scale j have
// standard deviation σ·NoiseLevels(J)[j−1] away from the edges: about
// 0.8908σ, 0.2007σ, 0.0855σ, 0.0412σ and 0.0204σ for j = 1 … 5, and close
// to half the previous value for each further scale. A k-sigma threshold at scale j is k·σ·σ_j, and a
// map σ(x, y) of varying noise gives per-pixel thresholds through
// SoftThresholdMaps and HardThresholdMaps. SoftThreshold is the proximal
// operator of the weighted l1 norm that L1Norm computes, the value of the
// sparsity prior. By default, with one threshold or weight per wavelet
// scale, the coarse scale is left out of both.
//
// # Performance
//
// A Transform is made once per size, number of scales and boundary, and
// holds its scratch space: calls to Forward, Inverse and Adjoint do not
// allocate. Each pass over the rows of a map is split into bands of rows
// among Workers() goroutines, the caller's included; the others come from a
// pool shared by all Transforms in the process and receive their work over
// a channel, so no goroutine is started per call. The results do not depend
// on the number of workers, to the bit. A Transform is not safe for
// concurrent use; give each goroutine its own.
package starlet
