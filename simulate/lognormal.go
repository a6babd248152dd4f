package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/fft"
)

// Lognormal draws shifted lognormal fields, κ = λ (exp(g − σ_g²/2) − 1)
// with g Gaussian of variance σ_g², whose two-point function matches a given
// power map (see the package documentation). A Lognormal is not safe for
// concurrent use; make one per goroutine.
type Lognormal struct {
	gauss        *Gaussian
	shift        float64 // λ
	varianceG    float64 // σ_g², the pixel variance of g
	clippedModes float64
	clippedPower float64
}

// NewLognormal returns a generator of nx × ny shifted lognormal fields with
// shift λ > 0 whose unnormalised FFT coefficients have the variances power
// (FFT layout, as powerspec.PowerMap returns). The fields have mean 0 and
// values above −λ.
//
// It computes the correlation function ξ_κ of the power map, the Gaussian
// one ξ_g = ln(1 + ξ_κ/λ²), and the power map of g from ξ_g. Negative values
// of that power map, which no Gaussian field can have, are set to 0 (see
// Clipped). NewLognormal returns an error for an invalid size or power map
// (as NewGaussian), a shift that is not positive and finite, or a power map
// with ξ_κ ≤ −λ² somewhere, which no field with this shift can have.
func NewLognormal(power []float64, nx, ny int, shift float64) (*Lognormal, error) {
	if !(shift > 0) || math.IsInf(shift, 1) {
		return nil, fmt.Errorf("simulate: invalid lognormal shift %g: want a positive finite value", shift)
	}
	if err := checkPower(power, nx, ny); err != nil {
		return nil, err
	}
	n := nx * ny
	plan := fft.NewPlan2D(nx, ny)
	buf := make([]complex128, n)

	// ξ_κ(r) = F⁻¹[P](r) / (nx ny)², with F⁻¹ unnormalised.
	for i, p := range power {
		buf[i] = complex(p, 0)
	}
	plan.Inverse(buf, buf)
	norm := 1 / (float64(n) * float64(n))
	lowest, at := math.Inf(1), 0
	for i, c := range buf {
		if xi := real(c) * norm; xi < lowest {
			lowest, at = xi, i
		}
	}
	lambda2 := shift * shift
	if lowest <= -lambda2 {
		return nil, fmt.Errorf("simulate: ξ_κ = %g at separation (%d, %d) pixels is at or below −λ² = %g: use a shift above %g",
			lowest, at%nx, at/nx, -lambda2, math.Sqrt(-lowest))
	}
	for i, c := range buf {
		buf[i] = complex(math.Log1p(real(c)*norm/lambda2), 0)
	}

	// P_g = nx ny F[ξ_g], made exactly symmetric and clipped at 0.
	plan.Forward(buf, buf)
	powerG := make([]float64, n)
	var clipped int
	var negative, total float64
	for i := range powerG {
		kx, ky := i%nx, i/nx
		j := ((ny-ky)%ny)*nx + (nx-kx)%nx
		p := float64(n) * (real(buf[i]) + real(buf[j])) / 2
		total += math.Abs(p)
		if p < 0 {
			clipped++
			negative -= p
			p = 0
		}
		powerG[i] = p
	}

	l := &Lognormal{shift: shift, clippedModes: float64(clipped) / float64(n)}
	if total > 0 {
		l.clippedPower = negative / total
	}
	var err error
	if l.gauss, err = NewGaussian(powerG, nx, ny); err != nil {
		return nil, err
	}
	for _, p := range powerG {
		l.varianceG += p
	}
	l.varianceG *= norm
	return l, nil
}

// Size returns the map size.
func (l *Lognormal) Size() (nx, ny int) { return l.gauss.Size() }

// SetWorkers sets the number of goroutines of the FFT; n < 1 selects
// runtime.GOMAXPROCS(0).
func (l *Lognormal) SetWorkers(n int) { l.gauss.SetWorkers(n) }

// Shift returns λ.
func (l *Lognormal) Shift() float64 { return l.shift }

// GaussianVariance returns σ_g², the pixel variance of the Gaussian field g
// after clipping.
func (l *Lognormal) GaussianVariance() float64 { return l.varianceG }

// Variance returns the pixel variance of the lognormal field, λ² (exp(σ_g²)
// − 1). It equals the variance of the power map when nothing was clipped.
func (l *Lognormal) Variance() float64 { return l.shift * l.shift * math.Expm1(l.varianceG) }

// Clipped returns the fraction of Fourier modes whose Gaussian power was
// negative and set to 0, and the sum of those negative values as a fraction
// of the sum of |P_g|.
func (l *Lognormal) Clipped() (modes, power float64) { return l.clippedModes, l.clippedPower }

// Field writes a lognormal field into dst and returns it; a nil dst
// allocates a new map. It draws a Gaussian field g as Gaussian.Field does and
// writes λ (exp(g − σ_g²/2) − 1), so the same rng state gives the same
// field. Field panics if dst has neither nx·ny values nor is nil, or if rng
// is nil.
func (l *Lognormal) Field(dst []float64, rng *rand.Rand) []float64 {
	dst = l.gauss.Field(dst, rng)
	half := l.varianceG / 2
	for i, g := range dst {
		dst[i] = l.shift * math.Expm1(g-half)
	}
	return dst
}
