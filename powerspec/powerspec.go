package powerspec

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/internal/spin2"
)

// EllMap returns the angular wavenumber ℓ of every coefficient of the 2-D
// FFT of an nx × ny map with square pixels of side pixelRad radians, in FFT
// layout (index ky*nx + kx):
//
//	ℓ = 2π √((kx/(nx p))² + (ky/(ny p))²),
//
// with kx and ky the signed frequency indices of numpy's fftfreq. It panics
// if nx or ny is below 1 or pixelRad is not a positive finite number.
func EllMap(nx, ny int, pixelRad float64) []float64 {
	checkGrid(nx, ny, pixelRad)
	fx, fy := spin2.Frequencies(nx), spin2.Frequencies(ny)
	ell := make([]float64, nx*ny)
	scale := 2 * math.Pi / pixelRad
	for ky, vy := range fy {
		row := ell[ky*nx : (ky+1)*nx]
		for kx, vx := range fx {
			row[kx] = scale * math.Hypot(vx, vy)
		}
	}
	return ell
}

// EllRange returns the smallest non-zero ℓ of an nx × ny grid, 2π/(max(nx,
// ny) p), and the Nyquist wavenumber π/p of its axes. The FFT also holds
// modes above π/p, up to √2 π/p in the corners, where only part of each ring
// of constant ℓ is sampled.
func EllRange(nx, ny int, pixelRad float64) (lmin, lmax float64) {
	checkGrid(nx, ny, pixelRad)
	return 2 * math.Pi / (float64(max(nx, ny)) * pixelRad), math.Pi / pixelRad
}

// PowerMap returns the variance of every unnormalised FFT coefficient of
// a statistically isotropic field with angular power spectrum cl on an
// nx × ny grid of pixels of side pixelRad radians, in FFT layout (index
// ky*nx + kx):
//
//	P(k) = C(ℓ_k) nx ny / p²,   P(0) = 0,
//
// with ℓ_k from EllMap. The k = 0 mode, the mean of the map, is set to 0:
// a field drawn from P has zero mean over the grid, and P used as the prior
// of a Wiener filter leaves the mean unconstrained. cl is called once per
// coefficient with ℓ > 0.
//
// The convention is that of package fft: with F the unnormalised forward
// transform, E|F(m)(k)|² = P(k) for a Gaussian field m with spectrum C_ℓ,
// and the pixel variance of m is Σ_k P(k) / (nx ny)².
//
// PowerMap panics if nx or ny is below 1, pixelRad is not positive and
// finite, cl is nil, or cl returns a negative, NaN or infinite value.
func PowerMap(cl func(ell float64) float64, nx, ny int, pixelRad float64) []float64 {
	if cl == nil {
		panic("powerspec: PowerMap: nil C_ell function")
	}
	power := EllMap(nx, ny, pixelRad)
	scale := float64(nx) * float64(ny) / (pixelRad * pixelRad)
	for i, ell := range power {
		if i == 0 {
			power[0] = 0
			continue
		}
		c := cl(ell)
		if !(c >= 0) || math.IsInf(c, 1) {
			panic(fmt.Sprintf("powerspec: PowerMap: C_ell(%g) = %g: want a finite value ≥ 0", ell, c))
		}
		power[i] = c * scale
	}
	return power
}

// checkGrid panics with the message of gridError.
func checkGrid(nx, ny int, pixelRad float64) {
	if err := gridError(nx, ny, pixelRad); err != nil {
		panic(err.Error())
	}
}

// gridError reports an invalid map size or pixel size.
func gridError(nx, ny int, pixelRad float64) error {
	if nx < 1 || ny < 1 {
		return fmt.Errorf("powerspec: invalid map size %d x %d", nx, ny)
	}
	if !(pixelRad > 0) || math.IsInf(pixelRad, 1) {
		return fmt.Errorf("powerspec: invalid pixel size %g rad: want a positive finite value", pixelRad)
	}
	return nil
}

// PixelWindow multiplies a power map of an nx × ny grid, in FFT layout, by
// the window of square pixels,
//
//	W(k) = sinc²(kx/nx) sinc²(ky/ny),   sinc(u) = sin(πu)/(πu),
//
// with kx and ky the signed frequency indices. A map whose pixels hold the
// average of a field over each pixel, as simulated and observed maps do,
// has the field's spectrum times W, up to aliasing. C_ℓ from theory is the
// spectrum of the field, so a prior for such maps needs W: without it, the
// prior has too much power at small scales (W = 4/π² ≈ 0.41 at the axes'
// Nyquist wavenumber π/p) and the posterior is too wide. It panics if power does
// not have nx × ny values.
func PixelWindow(power []float64, nx, ny int) {
	if nx < 1 || ny < 1 || len(power) != nx*ny {
		panic(fmt.Sprintf("powerspec: PixelWindow: %d values for a %d x %d grid", len(power), nx, ny))
	}
	fx, fy := spin2.Frequencies(nx), spin2.Frequencies(ny)
	wx := make([]float64, nx)
	for kx, v := range fx {
		wx[kx] = sinc2(v)
	}
	for ky, vy := range fy {
		wy := sinc2(vy)
		row := power[ky*nx : (ky+1)*nx]
		for kx := range row {
			row[kx] *= wx[kx] * wy
		}
	}
}

// sinc2 returns (sin(πu)/(πu))².
func sinc2(u float64) float64 {
	if u == 0 {
		return 1
	}
	s := math.Sin(math.Pi*u) / (math.Pi * u)
	return s * s
}
