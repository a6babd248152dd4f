package operators

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/fft"
	"github.com/skyinv/skyinv/internal/spin2"
)

// Boundary selects how a convolution treats the image edges.
type Boundary int

const (
	// Periodic wraps the image around its edges: the FFT's own boundary.
	Periodic Boundary = iota
	// ZeroPad surrounds the image with zeros, so that the convolution is
	// the linear one, cropped to the image ("same" size).
	ZeroPad
)

func (b Boundary) String() string {
	switch b {
	case Periodic:
		return "periodic"
	case ZeroPad:
		return "zero"
	}
	return fmt.Sprintf("Boundary(%d)", int(b))
}

// Convolution convolves a one-channel image with a point-spread function
// (PSF) through the FFT:
//
//	(A x)[p] = Σ_q psf[q] x[p − q + c],
//
// with c = (kx/2, ky/2) in integer division the centre of a kx × ky PSF:
// the middle pixel of an odd size, and for an even size the pixel just
// above and to the right of the middle point. A PSF that is a single 1 at
// its centre leaves an image unchanged, and a point source keeps its
// position to the pixel. The adjoint is the correlation with the PSF.
//
// The PSF is used as given: normalise it to unit sum to conserve flux. The
// transform grid is the image itself (Periodic) or the image padded with at
// least kx − 1 and ky − 1 zeros and rounded up to a fast FFT length
// (ZeroPad). The multiplier is F(psf)/N on that grid, N its pixel count.
type Convolution struct {
	nx, ny, px, py int
	plan           *fft.Plan2D
	transfer       []complex128 // F(psf)/N on the transform grid
	buf            []complex128
}

var _ Operator = (*Convolution)(nil)

// NewConvolution returns the convolution of nx × ny images with the kx × ky
// PSF psf (row-major, index j*kx + i). It returns an error when the PSF does
// not fit the image, has the wrong length, holds NaN or Inf, or sums to zero.
func NewConvolution(nx, ny int, psf []float64, kx, ky int, b Boundary) (*Convolution, error) {
	switch {
	case nx < 1 || ny < 1:
		return nil, fmt.Errorf("operators: invalid image size %d x %d", nx, ny)
	case kx < 1 || ky < 1 || len(psf) != kx*ky:
		return nil, fmt.Errorf("operators: PSF of %d values does not match its size %d x %d", len(psf), kx, ky)
	case kx > nx || ky > ny:
		return nil, fmt.Errorf("operators: PSF of %d x %d pixels is larger than the %d x %d image", kx, ky, nx, ny)
	case b != Periodic && b != ZeroPad:
		return nil, fmt.Errorf("operators: unknown boundary %v", b)
	}
	sum := 0.0
	for i, v := range psf {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("operators: PSF pixel (%d, %d) is %v", i%kx, i/kx, v)
		}
		sum += v
	}
	if sum == 0 {
		return nil, fmt.Errorf("operators: the PSF sums to zero")
	}

	c := &Convolution{nx: nx, ny: ny, px: nx, py: ny}
	if b == ZeroPad {
		c.px, c.py = spin2.GoodSize(nx+kx-1), spin2.GoodSize(ny+ky-1)
	}
	c.plan = fft.NewPlan2D(c.px, c.py)
	c.buf = make([]complex128, c.px*c.py)

	// Place the PSF with its centre at the origin, wrapping negative
	// offsets, and take its transform.
	c.transfer = make([]complex128, c.px*c.py)
	cx, cy := kx/2, ky/2
	for j := range ky {
		y := ((j-cy)%c.py + c.py) % c.py
		for i := range kx {
			x := ((i-cx)%c.px + c.px) % c.px
			c.transfer[y*c.px+x] += complex(psf[j*kx+i], 0)
		}
	}
	c.plan.Forward(c.transfer, c.transfer)
	norm := complex(1/float64(c.px*c.py), 0)
	for i := range c.transfer {
		c.transfer[i] *= norm
	}
	return c, nil
}

// Domain returns the image shape.
func (c *Convolution) Domain() Shape { return Shape{c.nx, c.ny, 1} }

// Range returns the image shape.
func (c *Convolution) Range() Shape { return Shape{c.nx, c.ny, 1} }

// SetWorkers sets the number of goroutines of the FFT; n < 1 selects
// runtime.GOMAXPROCS(0).
func (c *Convolution) SetWorkers(n int) { c.plan.SetWorkers(n) }

// Apply writes the convolution of src with the PSF into dst. dst may be
// src.
func (c *Convolution) Apply(dst, src []float64) {
	checkLengths("Convolution.Apply", dst, src, c.Range(), c.Domain())
	c.run(dst, src, false)
}

// Adjoint writes the correlation of src with the PSF into dst. dst may be
// src.
func (c *Convolution) Adjoint(dst, src []float64) {
	checkLengths("Convolution.Adjoint", dst, src, c.Domain(), c.Range())
	c.run(dst, src, true)
}

func (c *Convolution) run(dst, src []float64, adjoint bool) {
	if c.px != c.nx || c.py != c.ny {
		clear(c.buf)
	}
	for y := range c.ny {
		row := c.buf[y*c.px : y*c.px+c.nx]
		for x, v := range src[y*c.nx : (y+1)*c.nx] {
			row[x] = complex(v, 0)
		}
	}
	c.plan.Forward(c.buf, c.buf)
	if adjoint {
		for i, h := range c.transfer {
			c.buf[i] *= complex(real(h), -imag(h))
		}
	} else {
		for i, h := range c.transfer {
			c.buf[i] *= h
		}
	}
	c.plan.Inverse(c.buf, c.buf)
	for y := range c.ny {
		row := c.buf[y*c.px : y*c.px+c.nx]
		out := dst[y*c.nx : (y+1)*c.nx]
		for x, v := range row {
			out[x] = real(v)
		}
	}
}
