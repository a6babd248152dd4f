package simulate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/skymap"
)

// MockOptions configures MockCatalog. Positions come either from RA and Dec
// or from DensityArcmin2, and shape noise either from SigmaE or from E1 and
// E2. Setting both of a pair is an error.
type MockOptions struct {
	// RA and Dec are the positions of existing galaxies in degrees. Galaxies
	// outside the grid are left out.
	RA, Dec []float64
	// DensityArcmin2 is the number of galaxies per square arcmin to place
	// uniformly over the grid when RA and Dec are nil.
	DensityArcmin2 float64
	// Weight holds the weights of the galaxies at RA and Dec. Nil gives
	// every galaxy weight 1.
	Weight []float64

	// SigmaE is the standard deviation of Gaussian shape noise in each
	// ellipticity component. With SigmaE = 0 and nil E1 and E2 the
	// ellipticities are the noiseless shear.
	SigmaE float64
	// E1 and E2 are measured ellipticities of the galaxies at RA and Dec.
	// Each is rotated by a random angle, which keeps its modulus and
	// removes its lensing signal, and serves as the intrinsic ellipticity.
	E1, E2 []float64

	// ReducedShear replaces the shear γ by the reduced shear g = γ/(1 − κ).
	ReducedShear bool
	// Pad is the number of pixels of zero convergence added on each side of
	// the map before the shear is computed, as in operators.ShearOptions.
	Pad int
	// Seed selects the random streams: positions are drawn from the PCG
	// stream (Seed, 1) and shape noise from (Seed, 2).
	Seed uint64
}

// Catalog is a mock shear catalogue: positions in degrees, ellipticities in
// the sign convention of package shearmap, and weights.
type Catalog struct {
	RA, Dec, E1, E2, Weight []float64

	// G1 and G2 are the shear, or reduced shear, at each galaxy: the
	// ellipticities without noise.
	G1, G2 []float64

	// Source is the row of MockOptions.RA and Dec of each galaxy, nil for
	// positions drawn uniformly.
	Source []int
	// Outside is the number of galaxies of MockOptions.RA and Dec that fall
	// outside the grid and were left out.
	Outside int
}

// Len returns the number of galaxies.
func (c *Catalog) Len() int { return len(c.RA) }

// MockCatalog returns a mock shear catalogue of the convergence map kappa
// (grid.Len() values, index y*NX + x) on grid. It computes the E-mode shear
// of kappa with operators.Shear and gives each galaxy the shear of the pixel
// that contains it (nearest pixel, no interpolation). With ReducedShear it
// divides that shear by 1 − κ of the pixel. It then adds shape noise (see
// the package documentation). The same options, seed included, give the
// same catalogue.
//
// MockCatalog returns an error for an invalid grid, or a map of the wrong
// length or with NaN or infinite values. It also returns one for options
// that conflict or have the wrong lengths, a negative or non-finite weight,
// density or σ_e, no galaxy on the grid, and κ ≥ 1 at a galaxy when
// ReducedShear is set.
func MockCatalog(grid skymap.Grid, kappa []float64, opt MockOptions) (*Catalog, error) {
	if err := checkMockOptions(grid, kappa, opt); err != nil {
		return nil, err
	}

	// The shear of the whole map.
	n := grid.Len()
	op, err := operators.NewShear(grid.NX, grid.NY, operators.ShearOptions{Pad: opt.Pad, EOnly: true})
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	shear := make([]float64, 2*n)
	op.Apply(shear, kappa)
	gamma1, gamma2 := shear[:n], shear[n:]

	// Galaxy positions and their pixels.
	var c *Catalog
	var pixel []int
	if opt.RA != nil {
		c, pixel, err = existingPositions(grid, opt)
	} else {
		c, pixel, err = uniformPositions(grid, opt)
	}
	if err != nil {
		return nil, err
	}

	// The noiseless shear at each galaxy.
	c.G1, c.G2 = make([]float64, len(pixel)), make([]float64, len(pixel))
	for i, p := range pixel {
		g1, g2 := gamma1[p], gamma2[p]
		if opt.ReducedShear {
			if kappa[p] >= 1 {
				return nil, fmt.Errorf("simulate: κ = %g at pixel (%d, %d), under galaxy %d: the reduced shear γ/(1 − κ) needs κ < 1",
					kappa[p], p%grid.NX, p/grid.NX, i)
			}
			g1, g2 = g1/(1-kappa[p]), g2/(1-kappa[p])
		}
		c.G1[i], c.G2[i] = g1, g2
	}

	// Shape noise, added to the shear: e = e_s + g.
	rng := rand.New(rand.NewPCG(opt.Seed, 2))
	c.E1, c.E2 = make([]float64, len(pixel)), make([]float64, len(pixel))
	for i := range pixel {
		var s1, s2 float64
		switch {
		case opt.E1 != nil:
			// e_s = e·exp(2iθ), θ uniform in [0, π).
			e1, e2 := opt.E1[c.Source[i]], opt.E2[c.Source[i]]
			sin, cos := math.Sincos(2 * math.Pi * rng.Float64())
			s1, s2 = e1*cos-e2*sin, e1*sin+e2*cos
		case opt.SigmaE > 0:
			s1 = opt.SigmaE * rng.NormFloat64()
			s2 = opt.SigmaE * rng.NormFloat64()
		}
		c.E1[i], c.E2[i] = s1+c.G1[i], s2+c.G2[i]
	}
	return c, nil
}

// existingPositions keeps the galaxies of opt.RA and opt.Dec that fall on
// the grid and returns them with their pixels.
func existingPositions(grid skymap.Grid, opt MockOptions) (*Catalog, []int, error) {
	loc := skymap.NewLocator(grid)
	c := &Catalog{}
	var pixel []int
	for i := range opt.RA {
		p, _ := loc.Index(opt.RA[i], opt.Dec[i]) // -1 outside the grid or too far for a gnomonic one
		if p < 0 {
			c.Outside++
			continue
		}
		w := 1.0
		if opt.Weight != nil {
			w = opt.Weight[i]
		}
		c.RA = append(c.RA, opt.RA[i])
		c.Dec = append(c.Dec, opt.Dec[i])
		c.Weight = append(c.Weight, w)
		c.Source = append(c.Source, i)
		pixel = append(pixel, p)
	}
	if len(pixel) == 0 {
		return nil, nil, fmt.Errorf("simulate: none of the %d galaxies falls on the %d x %d grid centred on (%g, %g)",
			len(opt.RA), grid.NX, grid.NY, grid.CenterRA, grid.CenterDec)
	}
	return c, pixel, nil
}

// uniformPositions draws round(DensityArcmin2 · NX·NY·PixelArcmin²)
// galaxies uniformly in pixel coordinates over the grid and returns them
// with their pixels.
func uniformPositions(grid skymap.Grid, opt MockOptions) (*Catalog, []int, error) {
	area := float64(grid.NX) * float64(grid.NY) * grid.PixelArcmin * grid.PixelArcmin
	expected := math.Round(opt.DensityArcmin2 * area)
	if expected < 1 {
		return nil, nil, fmt.Errorf("simulate: %g galaxies per arcmin² over %g arcmin² round to no galaxy", opt.DensityArcmin2, area)
	}
	if expected > math.MaxInt32 {
		return nil, nil, fmt.Errorf("simulate: %g galaxies per arcmin² over %g arcmin² make %.3g galaxies, more than %d", opt.DensityArcmin2, area, expected, math.MaxInt32)
	}
	count := int(expected)

	rng := rand.New(rand.NewPCG(opt.Seed, 1))
	c := &Catalog{
		RA: make([]float64, count), Dec: make([]float64, count), Weight: make([]float64, count),
	}
	pixel := make([]int, count)
	for i := range count {
		// Pixel (x, y) covers [x − 0.5, x + 0.5) × [y − 0.5, y + 0.5).
		x := float64(grid.NX)*rng.Float64() - 0.5
		y := float64(grid.NY)*rng.Float64() - 0.5
		px := min(int(math.Floor(x+0.5)), grid.NX-1)
		py := min(int(math.Floor(y+0.5)), grid.NY-1)
		pixel[i] = py*grid.NX + px
		c.RA[i], c.Dec[i] = grid.ToWorld(x, y)
		c.Weight[i] = 1
	}
	return c, pixel, nil
}

// checkMockOptions reports invalid or conflicting inputs of MockCatalog.
func checkMockOptions(grid skymap.Grid, kappa []float64, opt MockOptions) error {
	if err := grid.Validate(); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if len(kappa) != grid.Len() {
		return fmt.Errorf("simulate: convergence map of %d values for a %d x %d grid", len(kappa), grid.NX, grid.NY)
	}
	if i := firstNonFinite(kappa); i >= 0 {
		return fmt.Errorf("simulate: convergence map value %g at pixel (%d, %d): want a finite value", kappa[i], i%grid.NX, i/grid.NX)
	}
	if opt.Pad < 0 {
		return fmt.Errorf("simulate: invalid padding %d: want 0 or more pixels", opt.Pad)
	}

	// Positions.
	if (opt.RA == nil) != (opt.Dec == nil) || len(opt.RA) != len(opt.Dec) {
		return fmt.Errorf("simulate: %d RA values and %d Dec values: give both, of equal length, or neither", len(opt.RA), len(opt.Dec))
	}
	if opt.RA == nil {
		if !(opt.DensityArcmin2 > 0) || math.IsInf(opt.DensityArcmin2, 1) {
			return fmt.Errorf("simulate: invalid galaxy density %g per arcmin²: want a positive finite value, or RA and Dec", opt.DensityArcmin2)
		}
		if opt.Weight != nil || opt.E1 != nil || opt.E2 != nil {
			return errors.New("simulate: Weight, E1 and E2 belong to the galaxies at RA and Dec, which are missing")
		}
	} else {
		if opt.DensityArcmin2 != 0 {
			return fmt.Errorf("simulate: both RA/Dec (%d galaxies) and a density (%g per arcmin²) given: give one", len(opt.RA), opt.DensityArcmin2)
		}
		if i := firstNonFinite(opt.RA); i >= 0 {
			return fmt.Errorf("simulate: RA of galaxy %d is %g: want a finite value", i, opt.RA[i])
		}
		if i := firstNonFinite(opt.Dec); i >= 0 {
			return fmt.Errorf("simulate: Dec of galaxy %d is %g: want a finite value", i, opt.Dec[i])
		}
	}
	if opt.Weight != nil {
		if len(opt.Weight) != len(opt.RA) {
			return fmt.Errorf("simulate: %d weights for %d galaxies", len(opt.Weight), len(opt.RA))
		}
		for i, w := range opt.Weight {
			if !(w >= 0) || math.IsInf(w, 1) {
				return fmt.Errorf("simulate: weight of galaxy %d is %g: want a finite value ≥ 0", i, w)
			}
		}
	}

	// Shape noise.
	if !(opt.SigmaE >= 0) || math.IsInf(opt.SigmaE, 1) {
		return fmt.Errorf("simulate: invalid σ_e %g: want 0 or a positive finite value", opt.SigmaE)
	}
	if opt.E1 != nil || opt.E2 != nil {
		if len(opt.E1) != len(opt.RA) || len(opt.E2) != len(opt.RA) {
			return fmt.Errorf("simulate: %d e1 and %d e2 values for %d galaxies", len(opt.E1), len(opt.E2), len(opt.RA))
		}
		if opt.SigmaE != 0 {
			return fmt.Errorf("simulate: both ellipticities to rotate and σ_e = %g given: give one", opt.SigmaE)
		}
		if i := firstNonFinite(opt.E1); i >= 0 {
			return fmt.Errorf("simulate: e1 of galaxy %d is %g: want a finite value", i, opt.E1[i])
		}
		if i := firstNonFinite(opt.E2); i >= 0 {
			return fmt.Errorf("simulate: e2 of galaxy %d is %g: want a finite value", i, opt.E2[i])
		}
	}
	return nil
}

// firstNonFinite returns the index of the first NaN or infinite value of v,
// or -1.
func firstNonFinite(v []float64) int {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i
		}
	}
	return -1
}

// WriteFITS writes the catalogue as a FITS binary table named SHEAR with the
// float64 columns ra and dec (deg), e1, e2 and weight, the layout that
// package catalog reads by default. An existing file is replaced only when
// overwrite is set.
func (c *Catalog) WriteFITS(path string, overwrite bool) error {
	err := fits.WriteTable(path, overwrite, "SHEAR",
		fits.Column{Name: "ra", Unit: "deg", Data: c.RA},
		fits.Column{Name: "dec", Unit: "deg", Data: c.Dec},
		fits.Column{Name: "e1", Data: c.E1},
		fits.Column{Name: "e2", Data: c.E2},
		fits.Column{Name: "weight", Data: c.Weight},
	)
	if err != nil {
		return fmt.Errorf("simulate: writing the mock catalogue: %w", err)
	}
	return nil
}
