package operators

import (
	"fmt"

	"github.com/skyinv/skyinv/internal/spin2"
)

// ShearOptions configures a Shear operator. The zero value gives an E- and
// B-mode domain, no padding and the sky convention of package kaiser.
type ShearOptions struct {
	// Pad is the number of pixels of zeros added on each side before the
	// transform, so that the operator is a non-periodic convolution over
	// at least Pad pixels.
	Pad int
	// PixelFrame takes γ2 > 0 along the x = y diagonal of the array, the
	// convention of simulations on arrays, instead of the sky convention.
	PixelFrame bool
	// EOnly makes the domain the E-mode convergence alone (one channel).
	EOnly bool
}

// Shear is the flat-sky shear operator of weak lensing: it maps the
// convergence (κ_E, κ_B) to the shear (γ1, γ2),
//
//	γ1 + i γ2 = F⁻¹[ D* F(κ_E + i κ_B) ],   D = ((kx² − ky²) + 2i kx ky)/k²,
//
// with D(0) = 0 and D replacing D* in the pixel frame (see package kaiser
// for the conventions). Its adjoint is the Kaiser-Squires inversion without
// smoothing, F⁻¹[D F(·)], because |D| = 1 and F⁻¹ = F^H/N.
type Shear struct {
	nx, ny  int
	sign    float64
	eOnly   bool
	core    *spin2.Transform
	zero    []float64 // a zero B mode for EOnly
	discard []float64
}

var _ Operator = (*Shear)(nil)

// NewShear returns the shear operator for nx × ny maps.
func NewShear(nx, ny int, opt ShearOptions) (*Shear, error) {
	if nx < 1 || ny < 1 {
		return nil, fmt.Errorf("operators: invalid map size %d x %d", nx, ny)
	}
	if opt.Pad < 0 {
		return nil, fmt.Errorf("operators: invalid padding %d: it must be 0 or more pixels", opt.Pad)
	}
	s := &Shear{nx: nx, ny: ny, sign: 1, eOnly: opt.EOnly, core: spin2.New(nx, ny, opt.Pad)}
	if opt.PixelFrame {
		s.sign = -1
	}
	if opt.EOnly {
		s.discard = make([]float64, nx*ny)
	}
	return s, nil
}

// Domain returns (κ_E, κ_B), or κ_E alone with EOnly.
func (s *Shear) Domain() Shape {
	if s.eOnly {
		return Shape{s.nx, s.ny, 1}
	}
	return Shape{s.nx, s.ny, 2}
}

// Range returns (γ1, γ2).
func (s *Shear) Range() Shape { return Shape{s.nx, s.ny, 2} }

// SetWorkers sets the number of goroutines each call uses (see
// kaiser.Transform.SetWorkers).
func (s *Shear) SetWorkers(n int) { s.core.SetWorkers(n) }

// Apply writes the shear of the convergence src into dst.
func (s *Shear) Apply(dst, src []float64) {
	checkLengths("Shear.Apply", dst, src, s.Range(), s.Domain())
	n := s.nx * s.ny
	var kB []float64
	if !s.eOnly {
		kB = src[n:]
	}
	s.core.Apply(dst[:n], dst[n:], src[:n], kB, -s.sign, nil, nil)
}

// Adjoint writes the Kaiser-Squires inversion of the shear src into dst.
func (s *Shear) Adjoint(dst, src []float64) {
	checkLengths("Shear.Adjoint", dst, src, s.Domain(), s.Range())
	n := s.nx * s.ny
	kB := s.discard
	if !s.eOnly {
		kB = dst[n:]
	}
	s.core.Apply(dst[:n], kB, src[:n], src[n:], s.sign, nil, nil)
}
