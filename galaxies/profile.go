package galaxies

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Sersic is an elliptical Sérsic component.
type Sersic struct {
	X, Y      float64 // centre in pixels, (0, 0) being the centre of pixel 0
	Flux      float64 // total flux in image units
	N         float64 // Sérsic index, 0.5 to 8
	HalfLight float64 // half-light semi-major axis r_e in pixels
	Q         float64 // axis ratio, minor over major, in (0, 1]
	Angle     float64 // position angle of the major axis in radians, counter-clockwise from +x
}

// SersicB returns b_n, the constant that makes r_e the half-light radius
// of a Sérsic profile of index n > 0: the root of P(2n, b_n) = ½. It
// starts from the series of Ciotti and Bertin (1999, A&A 352, 447, eq. 18)
// and refines it by Newton's method.
func SersicB(n float64) float64 {
	b := 2*n - 1.0/3 + 4/(405*n) + 46/(25515*n*n) + 131/(1148175*n*n*n) - 2194697/(30690717750*n*n*n*n)
	lg, _ := math.Lgamma(2 * n)
	for range 3 {
		// dP(a, b)/db = b^(a−1) e^(−b) / Γ(a).
		slope := math.Exp((2*n-1)*math.Log(b) - b - lg)
		b -= (mathext.GammaIncReg(2*n, b) - 0.5) / slope
	}
	return b
}

// check returns an error for a component that cannot be drawn.
func (s Sersic) check() error {
	switch {
	case !(s.N >= 0.5 && s.N <= 8):
		return fmt.Errorf("galaxies: Sérsic index %v: it must lie between 0.5 and 8", s.N)
	case !(s.HalfLight > 0) || math.IsInf(s.HalfLight, 0):
		return fmt.Errorf("galaxies: half-light radius %v pixels: it must be positive", s.HalfLight)
	case !(s.Q > 0 && s.Q <= 1):
		return fmt.Errorf("galaxies: axis ratio %v: it must lie in (0, 1]", s.Q)
	case math.IsNaN(s.Flux) || math.IsInf(s.Flux, 0):
		return fmt.Errorf("galaxies: flux %v: it must be finite", s.Flux)
	case math.IsNaN(s.X+s.Y+s.Angle) || math.IsInf(s.X+s.Y+s.Angle, 0):
		return fmt.Errorf("galaxies: centre (%v, %v) or angle %v is not finite", s.X, s.Y, s.Angle)
	}
	return nil
}

// maxSubsamples is the largest number of sub-pixels per axis.
const maxSubsamples = 9

// cuspDepth is the number of times cellMean divides the sub-pixel that
// contains a profile's centre, so the centre pixel of a Sérsic cusp is
// sampled down to 1/9³ of a pixel.
const cuspDepth = 3

// faint is the value of b_n((r/r_e)^(1/n) − 1) beyond which a pixel is
// sampled at its centre only: the profile is below e⁻³⁰ of I_e there.
const faint = 30

// Add adds the component, integrated over each pixel, to the nx × ny image
// dst. Flux beyond the image is left out. It returns an error, and leaves
// dst unchanged, for an index, radius, axis ratio, flux, centre or angle
// out of range. It panics if len(dst) is not nx·ny.
func (s Sersic) Add(dst []float64, nx, ny int) error {
	checkImage("Sersic.Add", dst, nx, ny)
	if err := s.check(); err != nil {
		return err
	}
	b := SersicB(s.N)
	ie := s.Flux / (2 * math.Pi * s.Q * s.HalfLight * s.HalfLight * s.N * math.Exp(b) * math.Gamma(2*s.N) / math.Pow(b, 2*s.N))
	cos, sin := math.Cos(s.Angle), math.Sin(s.Angle)
	invN := 1 / s.N
	invRe2 := 1 / (s.HalfLight * s.HalfLight)
	invQ2 := 1 / (s.Q * s.Q)

	// The profile at offset (dx, dy) from the centre.
	profile := func(dx, dy float64) float64 {
		u := dx*cos + dy*sin
		v := -dx*sin + dy*cos
		r2 := (u*u + v*v*invQ2) * invRe2 // (r/r_e)²
		if r2 == 0 {
			return ie * math.Exp(b)
		}
		return ie * math.Exp(-b*(math.Exp(0.5*invN*math.Log(r2))-1))
	}

	// The local scale length along the minor axis sets the sub-pixel grid:
	// at most a quarter of it per sub-pixel. It is q |d ln I/dr|⁻¹ at
	// major-axis radius r, and for n < 1, whose core is flat, at most q
	// times the e-folding radius r_e/b^n.
	core := math.Inf(1)
	if s.N < 1 {
		core = s.HalfLight / math.Pow(b, s.N)
	}
	scale := func(r float64) float64 {
		return s.Q * min(core, s.N*s.HalfLight*math.Pow(r/s.HalfLight, 1-invN)/b)
	}

	for j := range ny {
		for i := range nx {
			dx, dy := float64(i)-s.X, float64(j)-s.Y
			u := dx*cos + dy*sin
			v := -dx*sin + dy*cos
			// The smallest radius inside the pixel, at most √2/2 below its
			// centre's.
			r := max(0, math.Sqrt(u*u+v*v*invQ2)-math.Sqrt2/2/s.Q)
			sub := maxSubsamples
			switch {
			case b*(math.Pow(r/s.HalfLight, invN)-1) > faint:
				sub = 1
			case r > 0 || s.N < 1:
				sub = min(maxSubsamples, max(1, int(math.Ceil(4/scale(r)))))
			}
			dst[j*nx+i] += cellMean(profile, dx, dy, 1, sub, cuspDepth)
		}
	}
	return nil
}

// cellMean returns the mean of f over the square cell of side size centred
// on (dx, dy), sampled at the centres of sub × sub sub-cells. A sub-cell
// that contains the origin, the centre of a profile that may have a cusp
// there, is itself divided into maxSubsamples² cells, depth times.
func cellMean(f func(dx, dy float64) float64, dx, dy, size float64, sub, depth int) float64 {
	if sub == 1 && (depth == 0 || math.Abs(dx) > size/2 || math.Abs(dy) > size/2) {
		return f(dx, dy)
	}
	step := size / float64(sub)
	start := -size/2 + step/2
	var sum float64
	for a := range sub {
		y := dy + start + float64(a)*step
		for c := range sub {
			x := dx + start + float64(c)*step
			if depth > 0 && math.Abs(x) <= step/2 && math.Abs(y) <= step/2 {
				sum += cellMean(f, x, y, step, maxSubsamples, depth-1)
				continue
			}
			sum += f(x, y)
		}
	}
	return sum / float64(sub*sub)
}

// Clump is a circular Gaussian knot, such as a star-forming region.
type Clump struct {
	X, Y  float64 // centre in pixels
	Flux  float64 // total flux in image units
	Sigma float64 // standard deviation in pixels
}

// Add adds the clump, integrated exactly over each pixel, to the nx × ny
// image dst. It returns an error, and leaves dst unchanged, for a width
// that is not positive or a flux or centre that is not finite. It panics
// if len(dst) is not nx·ny.
func (c Clump) Add(dst []float64, nx, ny int) error {
	checkImage("Clump.Add", dst, nx, ny)
	switch {
	case !(c.Sigma > 0) || math.IsInf(c.Sigma, 0):
		return fmt.Errorf("galaxies: clump width %v pixels: it must be positive", c.Sigma)
	case math.IsNaN(c.Flux+c.X+c.Y) || math.IsInf(c.Flux+c.X+c.Y, 0):
		return fmt.Errorf("galaxies: clump flux %v or centre (%v, %v) is not finite", c.Flux, c.X, c.Y)
	}
	fx := gaussianPixels(nx, c.X, c.Sigma)
	fy := gaussianPixels(ny, c.Y, c.Sigma)
	for j, wy := range fy {
		if wy == 0 {
			continue
		}
		for i, wx := range fx {
			dst[j*nx+i] += c.Flux * wx * wy
		}
	}
	return nil
}

// gaussianPixels returns the fraction of a 1-D Gaussian of centre x0 and
// width sigma that falls on each of n pixels.
func gaussianPixels(n int, x0, sigma float64) []float64 {
	w := make([]float64, n)
	k := 1 / (sigma * math.Sqrt2)
	for i := range w {
		w[i] = 0.5 * (math.Erf((float64(i)+0.5-x0)*k) - math.Erf((float64(i)-0.5-x0)*k))
	}
	return w
}

func checkImage(caller string, dst []float64, nx, ny int) {
	if nx < 1 || ny < 1 || len(dst) != nx*ny {
		panic(fmt.Sprintf("galaxies: %s: image of %d values for %d x %d pixels", caller, len(dst), nx, ny))
	}
}
