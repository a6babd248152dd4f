package solvers

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/fft"
	"github.com/skyinv/skyinv/operators"
)

// WienerDeconvPrior is the Gaussian model behind WienerDeconvolve: a zero-mean
// stationary signal with power spectrum P(k) and white noise of variance
// σ² per pixel.
//
// P(k) is normalised per pixel: with X(k) the unnormalised DFT of an
// nx × ny signal, P(k) = E|X(k)|² / (nx·ny), so a white signal of
// variance s² per pixel has P(k) = s² for every k.
type WienerDeconvPrior struct {
	// NoiseVar is σ², the noise variance per pixel in squared image units.
	// It must be positive.
	NoiseVar float64

	// SignalVar is the flat power P(k) = SignalVar used when SignalPower is
	// nil: the prior of a white signal with this variance per pixel. It
	// must then be positive.
	SignalVar float64

	// SignalPower, when not nil, holds P(k) on the nx × ny DFT grid of the
	// image, index v*nx + u in FFT order (u ≥ nx/2 stands for u − nx, as
	// in package fft). Every value must be finite and at least 0, and a
	// zero removes that mode from the estimate.
	SignalPower []float64
}

// WienerDeconvolve returns the posterior mean of the nx × ny image x
// given the data y = h ⊛ x + n, for a periodic (circular) convolution with
// the kx × ky PSF h and the Gaussian prior p (Wiener 1949, Extrapolation,
// Interpolation, and Smoothing of Stationary Time Series, MIT Press):
//
//	X̂(k) = H*(k) P(k) Y(k) / (|H(k)|² P(k) + σ²),
//
// with H the DFT of the PSF placed as operators.Convolution places it
// (centre pixel (kx/2, ky/2) at the origin), so H(0) is the PSF sum. It is
// a closed form, computed with two FFTs and no iteration. A flat prior
// P = S gives the Tikhonov solution with λ = σ²/S.
//
// The estimate shrinks every mode, the mean included: the zero-frequency
// mode is multiplied by H(0)² P(0) / (H(0)² P(0) + σ²) relative to the
// exact inverse, so the flux is lowered by that factor.
//
// dst receives the estimate; nil allocates, and dst may be y. psf is
// row-major (index j*kx + i). The error reports a PSF that does not fit the
// image, has the wrong length, holds NaN or Inf or sums to zero, and an
// invalid prior. len(y) or a non-nil len(dst) other than nx*ny panics.
func WienerDeconvolve(dst, y []float64, nx, ny int, psf []float64, kx, ky int, p WienerDeconvPrior) ([]float64, error) {
	if nx < 1 || ny < 1 || len(y) != nx*ny {
		panic(fmt.Sprintf("solvers: WienerDeconvolve: %d data values for a %d x %d image", len(y), nx, ny))
	}
	if dst != nil && len(dst) != nx*ny {
		panic(fmt.Sprintf("solvers: WienerDeconvolve: destination of %d values for a %d x %d image", len(dst), nx, ny))
	}
	if err := p.validate(nx * ny); err != nil {
		return dst, err
	}

	// The PSF as the convolution operator places it: A applied to a unit
	// impulse at the origin. Its DFT is H.
	conv, err := operators.NewConvolution(nx, ny, psf, kx, ky, operators.Periodic)
	if err != nil {
		return dst, fmt.Errorf("solvers: WienerDeconvolve: %w", err)
	}
	impulse := make([]float64, nx*ny)
	impulse[0] = 1
	kernel := make([]float64, nx*ny)
	conv.Apply(kernel, impulse)

	plan := fft.NewPlan2D(nx, ny)
	h := make([]complex128, nx*ny)
	for i, v := range kernel {
		h[i] = complex(v, 0)
	}
	plan.Forward(h, h)
	buf := make([]complex128, nx*ny)
	for i, v := range y {
		buf[i] = complex(v, 0)
	}
	plan.Forward(buf, buf)

	// The filter per mode; the inverse transform's 1/N is applied here.
	sigma2 := p.NoiseVar
	scale := 1 / float64(nx*ny)
	for i, hk := range h {
		pk := p.SignalVar
		if p.SignalPower != nil {
			pk = p.SignalPower[i]
		}
		h2 := real(hk)*real(hk) + imag(hk)*imag(hk)
		g := complex(real(hk), -imag(hk)) * complex(pk*scale/(h2*pk+sigma2), 0)
		buf[i] *= g
	}
	plan.Inverse(buf, buf)

	if dst == nil {
		dst = make([]float64, nx*ny)
	}
	for i, v := range buf {
		dst[i] = real(v)
	}
	return dst, nil
}

func (p WienerDeconvPrior) validate(n int) error {
	if !(p.NoiseVar > 0) || math.IsInf(p.NoiseVar, 0) {
		return fmt.Errorf("solvers: WienerDeconvolve: invalid noise variance %g: it must be positive and finite", p.NoiseVar)
	}
	if p.SignalPower == nil {
		if !(p.SignalVar > 0) || math.IsInf(p.SignalVar, 0) {
			return fmt.Errorf("solvers: WienerDeconvolve: invalid flat signal power %g: it must be positive and finite (or give SignalPower)", p.SignalVar)
		}
		return nil
	}
	if len(p.SignalPower) != n {
		return fmt.Errorf("solvers: WienerDeconvolve: signal power spectrum of %d values for an image of %d pixels", len(p.SignalPower), n)
	}
	for i, v := range p.SignalPower {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("solvers: WienerDeconvolve: signal power at index %d is %g: it must be finite and at least 0", i, v)
		}
	}
	return nil
}
