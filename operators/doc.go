// Package operators holds the toolkit's forward models: linear operators on
// vectors of maps, each with its adjoint, so that solvers and samplers can
// use any of them through one interface.
//
// # Layout
//
// A vector of maps is Channels planes of NX × NY pixels stored plane after
// plane, index c*NX*NY + y*NX + x, with the orientation of package skymap
// (x along FITS NAXIS1, row 0 at the bottom). A convergence field with E and
// B modes, or a shear field (γ1, γ2), has two channels.
//
// # Conventions
//
// Apply and Adjoint take the destination first. The destination must not
// share memory with the source unless an operator says otherwise. Lengths
// that do not match the shapes are a programming error and panic with an
// "operators:" prefix. Operators keep their FFT plans and buffers, so they
// are not safe for concurrent use: make one per goroutine.
//
// Each operator's Adjoint is the transpose under the plain dot product
// Σ x_i y_i, and the tests check <A x, y> = <x, Aᵀ y> to 1e-10 relative for
// every operator, on odd and even sizes.
//
// In the formulas, F is the unnormalised DFT with exponent −1 (package
// fft's Forward) and F⁻¹ its exact inverse, exponent +1 with the factor
// 1/N, which the operators apply because package fft's Inverse leaves it
// out. Frequencies follow numpy's fftfreq.
package operators
