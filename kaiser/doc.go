// Package kaiser reconstructs convergence (κ) maps from binned shear with the
// Kaiser-Squires inversion (Kaiser & Squires 1993, ApJ 404, 441), and maps
// convergence back to shear.
//
// # Conventions
//
// Maps are nx × ny, row-major, index y*nx + x, oriented as in package skymap:
// North up, East to the left. Shear components follow the catalogue
// convention of package shearmap: γ1 > 0 along the East–West axis, γ2 > 0
// along the North-East to South-West diagonal. With those conventions an
// isolated positive mass produces tangential shear around it and a positive
// peak in κ_E. Transforms made with PixelFrame set instead take shear whose
// γ2 > 0 lies along the x = y diagonal of the pixel array, the convention of
// simulations computed on arrays (jax-lensing, lenspack); it is the same as
// negating γ2 and κ_B.
//
// With the discrete Fourier transform F (unnormalised forward, exponent −1)
// and frequencies kx, ky in cycles per pixel from the FFT index as numpy's
// fftfreq gives them (the Nyquist index of an even size counts as negative),
//
//	D(k) = ((kx² − ky²) + 2i kx ky) / (kx² + ky²),   |D| = 1,
//	κ_E + i κ_B = F⁻¹[ D · F(γ1 + i γ2) ]          (Convergence)
//	γ1 + i γ2   = F⁻¹[ D* · F(κ_E + i κ_B) ]        (Shear)
//
// D* replaces D in both lines for PixelFrame. On an even axis the Nyquist
// frequency −n/2 has no sign, so the kx·ky term there follows fftfreq's
// choice. lenspack's ks93 takes the real parts of four separate transforms
// and so drops that term on the Nyquist row and column; the two agree on
// every other mode. The convention here keeps the inversion exact: Shear
// followed by Convergence returns κ minus its mean. The k = 0 mode is set to zero:
// the mean of κ is not constrained by shear, so every convergence map has
// zero mean over the transform grid (over the padded grid when padding is on,
// so the mean over the map itself can then differ slightly from zero).
//
// # Smoothing and padding
//
// Optional Gaussian smoothing multiplies κ by exp(−2π² σ² (kx² + ky²)) in
// Fourier space, σ the standard deviation in pixels (SmoothArcmin divided by
// the pixel size): a periodic convolution with a normalised Gaussian. The
// full width at half maximum is 2.3548 σ.
//
// Kaiser-Squires is a periodic inversion: structures near one edge leak into
// the opposite one. Padding embeds the map in a larger grid of zero shear
// (Pad pixels on each side, rounded up to a size with prime factors 2, 3
// and 5 only for speed) and crops the result.
package kaiser
