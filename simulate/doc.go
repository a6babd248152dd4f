// Package simulate draws random convergence fields with a given power
// spectrum, Gaussian or lognormal, and mock shear catalogues of a
// convergence map.
//
// # Conventions
//
// Maps are nx × ny float64 values, row-major, index y*nx + x, oriented as in
// package skymap. A field's statistics are given by a power map in the
// convention of package powerspec: the variance P(k) of every unnormalised
// FFT coefficient, in FFT layout, as powerspec.PowerMap returns it for a
// C_ℓ. Fields are periodic on the grid. Every random draw comes from a
// caller's *rand.Rand or from PCG streams of a seed (math/rand/v2), so a
// seed reproduces a result exactly.
//
// # Gaussian fields
//
// Gaussian filters white noise n of unit variance in Fourier space,
//
//	m = F⁻¹[ √(P / (nx ny)) · F(n) ] / (nx ny),
//
// with F the unnormalised forward transform of package fft. The coefficients
// then have E|F(m)(k)|² = P(k), and m is real because P is symmetric. The
// pixel variance is Σ_k P(k) / (nx ny)².
//
// # Lognormal fields
//
// Lognormal draws the shifted lognormal field
//
//	κ = λ (exp(g − σ_g²/2) − 1),
//
// with g a Gaussian field of pixel variance σ_g² and λ > 0 the shift. Then
// κ > −λ, E[κ] = 0 and the correlation functions are related by
//
//	ξ_κ(r) = λ² (exp(ξ_g(r)) − 1),   ξ_g(r) = ln(1 + ξ_κ(r)/λ²)
//
// (Hilbert, Hartlap & Schneider 2011, A&A 536, A85; Xavier,
// Abdalla & Joachimi 2016, MNRAS 459, 3693). NewLognormal takes ξ_κ from the
// power map by an inverse FFT, ξ_κ = F⁻¹[P] / (nx ny)², with F⁻¹
// unnormalised, maps it to ξ_g, and takes the power map of g as
// P_g = nx ny F[ξ_g]. A valid ξ_κ can map to a P_g with negative values,
// which no Gaussian field has. Those are set to 0 and their share is
// reported by Lognormal.Clipped, and the field's spectrum then departs from
// the target. σ_g² is the pixel variance of the
// clipped P_g, which keeps the mean at 0 exactly. The pixel variance is
// λ² (exp(σ_g²) − 1) and the skewness (e^{σ_g²} + 2) √(e^{σ_g²} − 1), larger
// for a smaller shift. A power map with P(0) = 0 makes ξ_κ sum to zero over
// the grid, so ξ_κ has negative values. They must stay above −λ² for ξ_g to
// exist, and NewLognormal returns an error otherwise.
//
// # Mock shear catalogues
//
// MockCatalog computes the shear γ of a convergence map with
// operators.Shear: E mode only, in the sky convention of package kaiser,
// with optional zero padding. Each galaxy gets the shear of the pixel that
// contains it, with no interpolation. Positions come from
// an existing catalogue or are drawn uniformly in pixel coordinates, which
// is uniform on the tangent plane for a gnomonic grid and in RA and Dec for
// a plate carrée one. The number of drawn galaxies is the density times the
// grid's area NX·NY·PixelArcmin², rounded.
//
// Each ellipticity is the intrinsic ellipticity e_s plus the shear,
//
//	e = e_s + g,
//
// the weak-shear approximation of e = (e_s + g) / (1 + g* e_s), good to
// first order in g. Here g is γ or, with ReducedShear, γ/(1 − κ). e_s is
// either Gaussian with standard deviation σ_e per component, or a measured
// ellipticity rotated by a random angle θ uniform in [0, π), e_s = e·exp(2iθ),
// which keeps the measured ellipticity distribution and destroys its
// lensing signal.
//
// Catalog.WriteFITS writes the table that package catalog, and so the
// massmap command, reads by default.
package simulate
