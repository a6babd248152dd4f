// Package powerspec turns an angular power spectrum C_ℓ into the Fourier-space
// variance of a map (the Gaussian prior of the Wiener filter and of
// simulations), and measures the binned power spectrum of a map.
//
// # Conventions
//
// Maps are nx × ny float64 values, row-major, index y*nx + x, oriented as in
// package skymap, with square pixels of side p radians, small enough for the
// flat-sky approximation. A C_ℓ is passed as a function of ℓ, in the units of
// the map squared times steradians (dimensionless per steradian for κ).
//
// Fourier transforms are those of package fft: F is the unnormalised forward
// transform with exponent −1. Fourier-space arrays are in FFT layout, index
// ky*nx + kx, and kx and ky stand for the signed frequency indices of numpy's
// fftfreq, so the Nyquist index of an even size counts as negative. The
// angular wavenumber of index (kx, ky) is
//
//	ℓ = 2π √((kx/(nx p))² + (ky/(ny p))²),
//
// and the variance of the coefficient F(m)(k) of a field with spectrum C_ℓ is
//
//	P(k) = E|F(m)(k)|² = C(ℓ_k) nx ny / p²,
//
// the power map that PowerMap returns, with P(0) = 0 so that the mean of
// the map is left out. The pixel variance of such a field is Σ_k P(k) / (nx
// ny)². The grid is periodic, so a power map samples C_ℓ only at the
// wavenumbers of its modes: power between them and below the fundamental
// 2π/(n p) does not enter. PowerMap applies no pixel window: the spectrum
// it gives is that of the field's values at pixel centres. PixelWindow
// multiplies a power map by the window of square pixels, for maps whose
// pixels are averages over their area, as simulated and binned maps are.
//
// # Measurement
//
// An Estimator computes the flat-sky pseudo-spectrum of a map m with window
// w (the mask, optionally with tapered edges; 1 everywhere by default):
//
//	m̄ = Σ w m / Σ w,
//	Ĉ(k) = |F(w (m − m̄))(k)|² p² / (nx ny W2),   W2 = mean of w² over the map,
//
// averaged over the Fourier modes k ≠ 0 of each ℓ band. For a map without
// mask or taper, Ĉ is unbiased: its expectation is the mean of C(ℓ_k) over
// the band's modes (Estimator.BinTheory). The Gaussian standard error is
//
//	ΔC = C √(2 / (N W2²/W4)),   W4 = mean of w⁴,
//
// with N the number of FFT coefficients in the band over the whole Fourier
// plane. Without a window this is exact for a Gaussian field whose C_ℓ is
// constant across the band. Because F(−k) is the conjugate of F(k), half of
// the N coefficients are independent complex numbers, and N is the number
// of independent real degrees of freedom. With a window, W2²/W4 is the
// usual approximation for the fraction of modes that stay independent
// (Hivon et al. 2002, ApJ 567, 2). It holds for bands wider than the Fourier
// width of the window, and it overestimates the error of narrower bands,
// whose modes the window correlates with each other.
//
// Subtracting the weighted mean m̄ keeps the map's mean from leaking
// through the window into the lowest bands; without a window it changes only
// the k = 0 coefficient, which is not used.
//
// # Apodisation
//
// Options.ApodizeArcmin sets the width A of a cosine taper inside the edges
// of the observed region: w = ½ (1 − cos(π d / A)) for d < A and 1 beyond,
// with d the distance from a pixel's centre to the centre of the nearest
// unobserved pixel. With a taper, the pixels just outside the map count as
// unobserved, because a survey map is not periodic and its border is an
// edge like any other. The distance is the exact Euclidean distance
// transform of Felzenszwalb & Huttenlocher (2012, Theory of Computing 8,
// 415–428).
//
// # Limitations
//
// The window is not deconvolved: there is no mode-coupling matrix as in the
// MASTER method of Hivon et al. (2002). With a mask, the expectation of Ĉ is
// the true spectrum convolved with the power spectrum of the window, divided
// by W2. That is exact for white noise and close for spectra that vary
// slowly over the window's Fourier width, but for a steep spectrum power
// leaks from low ℓ into the higher bands. The leakage is much larger for a
// sharp mask than for a tapered one. Neighbouring bands are then
// correlated, and Err, which ignores those correlations, is only an
// approximation. Noise power is not subtracted, and bands above the axes'
// Nyquist wavenumber π/p hold only the corners of the Fourier plane.
package powerspec
