package galaxies

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Galaxy is a bulge, a disc and the clumps of the disc. A component with
// zero flux is left out.
type Galaxy struct {
	Magnitude    float64 // AB magnitude of the total flux
	Bulge, Disc  Sersic
	Clumps       []Clump
	IsNeighbour  bool // a galaxy of the scene other than the main one
	BulgeToTotal float64
}

// Flux returns the total flux of the galaxy.
func (g *Galaxy) Flux() float64 {
	f := g.Bulge.Flux + g.Disc.Flux
	for _, c := range g.Clumps {
		f += c.Flux
	}
	return f
}

// Add adds the galaxy to the nx × ny image dst. It panics if len(dst) is
// not nx·ny, and returns the errors of Sersic.Add and Clump.Add.
func (g *Galaxy) Add(dst []float64, nx, ny int) error {
	for _, s := range []Sersic{g.Bulge, g.Disc} {
		if s.Flux == 0 {
			continue
		}
		if err := s.Add(dst, nx, ny); err != nil {
			return err
		}
	}
	for _, c := range g.Clumps {
		if err := c.Add(dst, nx, ny); err != nil {
			return err
		}
	}
	return nil
}

// Population sets the distributions from which Draw and Scene take
// galaxies. A zero field means the default beside it, chosen to resemble
// faint HST/ACS F814W galaxies such as the AEGIS stamps of GalSim's tests
// (0.03 arcsec pixels, magnitudes about 22 to 25). Population.Draw lists
// the other distributions, which are fixed.
type Population struct {
	// PixelArcsec is the pixel size in arcsec. Zero means 0.03.
	PixelArcsec float64

	// ZeroPoint is the AB magnitude of a total flux of one image unit.
	// Zero means 26.1: the median of MAG + 2.5 log10(stamp sum) over the
	// five AEGIS F814W stamps, whose values lie between 25.9 and 26.4.
	ZeroPoint float64

	// MagMin and MagMax bound the magnitude of the main galaxy, drawn
	// uniformly between them. Zero means 20.5 and 25.5.
	MagMin, MagMax float64

	// Neighbours is the mean number of other galaxies in a scene, a
	// Poisson number. Zero means 0.6, and a negative value means none.
	Neighbours float64
}

// withDefaults returns p with zero fields replaced by their defaults.
func (p Population) withDefaults() Population {
	if p.PixelArcsec == 0 {
		p.PixelArcsec = 0.03
	}
	if p.ZeroPoint == 0 {
		p.ZeroPoint = 26.1
	}
	if p.MagMin == 0 {
		p.MagMin = 20.5
	}
	if p.MagMax == 0 {
		p.MagMax = 25.5
	}
	if p.Neighbours == 0 {
		p.Neighbours = 0.6
	}
	return p
}

// Check returns an error for settings Draw cannot use.
func (p Population) Check() error {
	p = p.withDefaults()
	switch {
	case !(p.PixelArcsec > 0) || math.IsInf(p.PixelArcsec, 0):
		return fmt.Errorf("galaxies: pixel size %v arcsec: it must be positive", p.PixelArcsec)
	case math.IsNaN(p.ZeroPoint) || math.IsInf(p.ZeroPoint, 0):
		return fmt.Errorf("galaxies: zero point %v: it must be finite", p.ZeroPoint)
	case !(p.MagMin <= p.MagMax) || math.IsInf(p.MagMin, 0) || math.IsInf(p.MagMax, 0):
		return fmt.Errorf("galaxies: magnitudes %v to %v: the first must not exceed the second", p.MagMin, p.MagMax)
	case math.IsNaN(p.Neighbours) || math.IsInf(p.Neighbours, 0):
		return fmt.Errorf("galaxies: mean number of neighbours %v: it must be finite", p.Neighbours)
	}
	return nil
}

// Size-magnitude relation and the ranges of the other parameters.
const (
	halfLightAt22    = 0.35 // median half-light semi-major axis at magnitude 22, arcsec
	halfLightSlope   = -0.1 // change of log10 r_e per magnitude
	halfLightScatter = 0.2  // standard deviation of log10 r_e
	halfLightMin     = 0.05 // arcsec
	halfLightMax     = 1.0  // arcsec
	discThickness    = 0.2  // axis ratio of a disc seen edge-on
)

// Draw returns a galaxy of magnitude mag centred on (x, y), in pixels. Its
// parameters are drawn from rng as follows.
//
//   - Half-light semi-major axis r_e: log10(r_e/arcsec) is normal with mean
//     log10(0.35) − 0.1 (mag − 22) and standard deviation 0.2, clipped to
//     0.05 to 1 arcsec.
//   - Type: a pure disc with probability 0.35, a pure bulge (an
//     elliptical) with probability 0.15, and otherwise a bulge and a disc
//     with a bulge-to-total flux ratio uniform in [0.1, 0.7].
//   - Disc: Sérsic index uniform in [0.8, 1.5], half-light radius r_e, axis
//     ratio √(0.2² + (1 − 0.2²) cos² i) with cos i uniform in [0, 1] (a thick
//     disc at a random inclination), position angle uniform.
//   - Bulge: index uniform in [2, 5] and axis ratio uniform in [0.5, 1].
//     Beside a disc its half-light radius is r_e times a factor uniform in
//     [0.2, 0.6], and alone it is r_e. Its position angle is the disc's
//     plus a normal offset of standard deviation 0.1 radian.
//   - Clumps: a galaxy with a bulge-to-total ratio below 0.5 has clumps
//     with probability 0.5: 1 to 6 of them, together a fraction of the
//     disc's flux uniform in [0.05, 0.3], split at random. Each lies at a
//     radius drawn from the disc's own radial distribution (an exponential
//     disc of scale length r_e/1.678), in the disc's plane, and has a width
//     uniform in [0.5, 1.5] pixels.
func (p Population) Draw(mag, x, y float64, rng *rand.Rand) Galaxy {
	p = p.withDefaults()
	g := Galaxy{Magnitude: mag}
	flux := math.Pow(10, -0.4*(mag-p.ZeroPoint))

	logRe := math.Log10(halfLightAt22) + halfLightSlope*(mag-22) + halfLightScatter*rng.NormFloat64()
	re := math.Min(math.Max(math.Pow(10, logRe), halfLightMin), halfLightMax) / p.PixelArcsec

	// The mixture of bulge and disc.
	switch u := rng.Float64(); {
	case u < 0.35:
		g.BulgeToTotal = 0
	case u < 0.5:
		g.BulgeToTotal = 1
	default:
		g.BulgeToTotal = 0.1 + 0.6*rng.Float64()
	}
	angle := math.Pi * rng.Float64()
	cosI := rng.Float64()
	g.Disc = Sersic{
		X: x, Y: y, Flux: flux * (1 - g.BulgeToTotal),
		N: 0.8 + 0.7*rng.Float64(), HalfLight: re,
		Q:     math.Sqrt(discThickness*discThickness + (1-discThickness*discThickness)*cosI*cosI),
		Angle: angle,
	}
	bulgeRe := re
	if g.BulgeToTotal < 1 {
		bulgeRe = re * (0.2 + 0.4*rng.Float64())
	}
	g.Bulge = Sersic{
		X: x, Y: y, Flux: flux * g.BulgeToTotal,
		N: 2 + 3*rng.Float64(), HalfLight: bulgeRe,
		Q: 0.5 + 0.5*rng.Float64(), Angle: angle + 0.1*rng.NormFloat64(),
	}

	// Clumps take part of the disc's flux.
	if g.BulgeToTotal < 0.5 && rng.Float64() < 0.5 {
		count := 1 + rng.IntN(6)
		total := g.Disc.Flux * (0.05 + 0.25*rng.Float64())
		weights := make([]float64, count)
		var sum float64
		for k := range weights {
			weights[k] = rng.ExpFloat64()
			sum += weights[k]
		}
		h := re / SersicB(1)
		cos, sin := math.Cos(angle), math.Sin(angle)
		for _, w := range weights {
			// The radius of an exponential disc, r e^(−r/h), is Gamma(2, h).
			r := h * (rng.ExpFloat64() + rng.ExpFloat64())
			phi := 2 * math.Pi * rng.Float64()
			u, v := r*math.Cos(phi), r*math.Sin(phi)*g.Disc.Q
			g.Clumps = append(g.Clumps, Clump{
				X: x + u*cos - v*sin, Y: y + u*sin + v*cos,
				Flux: total * w / sum, Sigma: 0.5 + rng.Float64(),
			})
		}
		g.Disc.Flux -= total
	}
	return g
}

// Scene adds to the nx × ny image dst a main galaxy and its neighbours. The
// main galaxy has a magnitude uniform between MagMin and MagMax and a centre
// drawn uniformly in the middle nx/2 × ny/2 pixels. The neighbours are a
// Poisson number of mean Neighbours, each of magnitude uniform between
// MagMin + 1 and MagMax. Their centres are drawn anywhere within a margin
// of a quarter of the image around it, so some lie partly outside. Scene
// returns the galaxies, the main one first, or an error from Check. It
// panics if len(dst) is not nx·ny.
func (p Population) Scene(dst []float64, nx, ny int, rng *rand.Rand) ([]Galaxy, error) {
	checkImage("Population.Scene", dst, nx, ny)
	if err := p.Check(); err != nil {
		return nil, err
	}
	p = p.withDefaults()
	fx, fy := float64(nx), float64(ny)
	mag := p.MagMin + (p.MagMax-p.MagMin)*rng.Float64()
	gals := []Galaxy{p.Draw(mag, fx/4+fx/2*rng.Float64()-0.5, fy/4+fy/2*rng.Float64()-0.5, rng)}
	if p.Neighbours > 0 {
		for range poisson(p.Neighbours, rng) {
			lo := min(p.MagMin+1, p.MagMax)
			mag := lo + (p.MagMax-lo)*rng.Float64()
			g := p.Draw(mag, -fx/4+1.5*fx*rng.Float64(), -fy/4+1.5*fy*rng.Float64(), rng)
			g.IsNeighbour = true
			gals = append(gals, g)
		}
	}
	for k := range gals {
		if err := gals[k].Add(dst, nx, ny); err != nil {
			return nil, err
		}
	}
	return gals, nil
}

// poisson draws a Poisson number of mean m by Knuth's product of
// uniforms, fine for the small means here.
func poisson(m float64, rng *rand.Rand) int {
	limit := math.Exp(-m)
	k, prod := 0, rng.Float64()
	for prod > limit {
		k++
		prod *= rng.Float64()
	}
	return k
}
