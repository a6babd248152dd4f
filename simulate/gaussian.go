package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/fft"
)

// Gaussian draws Gaussian random fields with a given power map. It keeps its
// FFT plan and buffer, so Field allocates nothing when given a destination.
// A Gaussian is not safe for concurrent use; make one per goroutine.
type Gaussian struct {
	nx, ny int
	filter []float64 // √(P(k) / (nx ny)), applied to the FFT of white noise
	plan   *fft.Plan2D
	buf    []complex128
}

// NewGaussian returns a generator of nx × ny fields whose unnormalised FFT
// coefficients have the variances power (FFT layout, index ky*nx + kx), such
// as powerspec.PowerMap returns. The power map must be symmetric, P(−k) =
// P(k), as that of any real isotropic field is. NewGaussian returns an error
// for an invalid size, a power map of the wrong length, a negative, NaN or
// infinite value, or an asymmetric map.
func NewGaussian(power []float64, nx, ny int) (*Gaussian, error) {
	if err := checkPower(power, nx, ny); err != nil {
		return nil, err
	}
	n := nx * ny
	g := &Gaussian{
		nx: nx, ny: ny,
		filter: make([]float64, n),
		plan:   fft.NewPlan2D(nx, ny),
		buf:    make([]complex128, n),
	}
	for i, p := range power {
		g.filter[i] = math.Sqrt(p / float64(n))
	}
	return g, nil
}

// checkPower reports an invalid size or power map: one of the wrong length,
// with a negative, NaN or infinite value, or asymmetric.
func checkPower(power []float64, nx, ny int) error {
	if nx < 1 || ny < 1 {
		return fmt.Errorf("simulate: invalid map size %d x %d", nx, ny)
	}
	n := nx * ny
	if len(power) != n {
		return fmt.Errorf("simulate: power map of %d values for a %d x %d map", len(power), nx, ny)
	}
	maxPower := 0.0
	for i, p := range power {
		if !(p >= 0) || math.IsInf(p, 1) {
			return fmt.Errorf("simulate: power map value %g at (kx, ky) = (%d, %d): want a finite value ≥ 0", p, i%nx, i/nx)
		}
		maxPower = max(maxPower, p)
	}

	// A real field has F(−k) = F(k)*, so its power map is symmetric, and no
	// real field matches an asymmetric one.
	const symmetryTol = 1e-9
	for i, p := range power {
		kx, ky := i%nx, i/nx
		q := power[((ny-ky)%ny)*nx+(nx-kx)%nx]
		if math.Abs(p-q) > symmetryTol*maxPower {
			return fmt.Errorf("simulate: power map is not symmetric: P = %g at (kx, ky) = (%d, %d) but %g at (−kx, −ky); a real field needs P(−k) = P(k)", p, kx, ky, q)
		}
	}
	return nil
}

// Size returns the map size.
func (g *Gaussian) Size() (nx, ny int) { return g.nx, g.ny }

// SetWorkers sets the number of goroutines of the FFT; n < 1 selects
// runtime.GOMAXPROCS(0). The fields do not depend on it.
func (g *Gaussian) SetWorkers(n int) { g.plan.SetWorkers(n) }

// Field writes a random field into dst and returns it; a nil dst allocates
// a new map. It draws nx·ny standard normal values from rng, pixel by pixel
// in index order, transforms them, multiplies coefficient k by √(P(k) /
// (nx ny)) and transforms back:
//
//	m = F⁻¹[ √(P / (nx ny)) · F(n) ] / (nx ny),   n white with unit variance,
//
// so E|F(m)(k)|² = P(k), and the same rng state gives the same field. Field
// panics if dst has neither nx·ny values nor is nil, or if rng is nil.
func (g *Gaussian) Field(dst []float64, rng *rand.Rand) []float64 {
	n := g.nx * g.ny
	if dst == nil {
		dst = make([]float64, n)
	}
	if len(dst) != n {
		panic(fmt.Sprintf("simulate: Gaussian.Field: destination of %d values for a %d x %d map", len(dst), g.nx, g.ny))
	}
	if rng == nil {
		panic("simulate: Gaussian.Field: nil random number generator")
	}

	for i := range g.buf {
		g.buf[i] = complex(rng.NormFloat64(), 0)
	}
	g.plan.Forward(g.buf, g.buf)
	for i, f := range g.filter {
		g.buf[i] *= complex(f, 0)
	}
	g.plan.Inverse(g.buf, g.buf)
	scale := 1 / float64(n)
	for i, c := range g.buf {
		dst[i] = real(c) * scale
	}
	return dst
}
