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
// shift invariant. Each wavelet scale is a band-pass filtering of the image
// with a nearly isotropic kernel, the difference of two B3-spline smoothing
// kernels, and c_J is a low-pass filtering. The image is the sum of the
// planes,
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
//     repeated, so x[−i] = x[i] and x[n−1+i] = x[n−1−i] along each axis.
//     This is scipy.ndimage's mode "mirror". Unlike Periodic, it creates no
//     jump, and no large wavelet coefficients, where opposite edges of the
//     map differ.
//   - Periodic: the map wraps around, as in FFT-based mass mapping. This
//     is scipy.ndimage's mode "wrap". Every wavelet scale then sums to zero
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
// standard deviation σ·σ_j away from the edges, with σ_j =
// NoiseLevels(J)[j−1]: σ_j is about 0.8908, 0.2007, 0.0855, 0.0412 and
// 0.0204 for j = 1 … 5, and close to half the previous value for each
// further scale. A k-sigma threshold at scale j is k·σ·σ_j. Where the noise
// varies across the field, as with a weak-lensing shear catalogue, the
// thresholds k·σ(x, y)·σ_j go to SoftThresholdMaps and HardThresholdMaps.
// That is an approximation, good where σ(x, y) changes little over the
// width of the filter of scale j (4·2^j − 3 pixels).
//
// SoftThreshold is the proximal operator of the weighted l1 norm that
// L1Norm computes, the value of the sparsity prior. With one threshold or
// weight per wavelet scale, both leave the coarse scale out; with one more,
// they include it.
//
// # Performance
//
// A Transform is made once per size, number of scales and boundary, and
// holds its scratch space: calls to Forward, Inverse and Adjoint do not
// allocate. Each pass over the rows of a map is split into bands of rows
// among Workers() goroutines, the caller's included. The others come from a
// pool shared by all Transforms in the process and receive their work over
// a channel, so no goroutine is started per call. The results do not depend
// on the number of workers, to the bit. On a 2-core Xeon two workers took
// about half the time of one at 1024×1024, but when another process kept
// one core busy they took about 1.2 times as long: set Options.Workers to 1
// on a machine whose cores are already in use. A Transform is not safe for
// concurrent use, so give each goroutine its own.
package starlet
