// Package galaxies draws simulated images of galaxies: elliptical Sérsic
// bulges and discs with Gaussian star-forming clumps, integrated over
// square pixels. They are the training images of the image prior of
// package imageprior, and the test images of deconvolution.
//
// # Conventions
//
// Images are nx × ny float64 values, row-major, index y*nx + x, with x
// along FITS NAXIS1. Pixel (i, j) covers [i − ½, i + ½] × [j − ½, j + ½],
// so its centre is at (i, j). Position angles count counter-clockwise from
// the +x axis. A pixel value is the flux that falls on the pixel, in the
// image units of a flux (total flux = sum of pixels): no PSF is applied,
// since these are the images a deconvolution should recover.
//
// # Profiles
//
// A Sérsic component (Sérsic 1963, Boletín de la Asociación Argentina de
// Astronomía 6, 41) has the surface brightness
//
//	I(r) = I_e exp(−b_n ((r/r_e)^(1/n) − 1)),   r² = u² + (v/q)²,
//
// with (u, v) the offsets along the major and minor axes, r_e the
// half-light semi-major axis, q the axis ratio and b_n the root of
// P(2n, b_n) = ½ (P the regularised lower incomplete gamma function),
// found by Newton's method from the series of Ciotti and Bertin (1999, A&A
// 352, 447, eq. 18). The total flux is F = 2π q r_e² I_e n e^(b_n) Γ(2n) / b_n^(2n) (Graham and
// Driver 2005, PASA 22, 118, eq. 4, with the factor q of an ellipse), and
// components are drawn by flux. A pixel value is the mean of the profile
// over an S × S grid of sub-pixels, S chosen per pixel so that the
// sub-pixel spacing is at most half the profile's local scale length along
// the minor axis, up to S = 9. The pixel sums are then within about 0.3% of
// the flux that falls on the image. A clump is a circular Gaussian integrated
// over the pixel exactly, with the error function.
//
// # Population
//
// Population draws galaxies and scenes from distributions that this
// package chooses. They are meant to resemble the galaxies of HST/ACS F814W
// postage stamps at 0.03 arcsec per pixel, and they were not fitted to any
// catalogue. Population's doc comment lists each one.
package galaxies
