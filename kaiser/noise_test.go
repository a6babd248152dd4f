package kaiser

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/shearmap"
	"github.com/skyinv/skyinv/skymap"
)

// gridCatalogue puts one galaxy at the centre of every pixel of g.
func gridCatalogue(g skymap.Grid) (ra, dec []float64) {
	for y := range g.NY {
		for x := range g.NX {
			r, d := g.ToWorld(float64(x), float64(y))
			ra = append(ra, r)
			dec = append(dec, d)
		}
	}
	return ra, dec
}

// With one galaxy per pixel and |e| = 0.3 for all, a rotated ellipticity
// has variance 0.3²/2 per component, and an unsmoothed Kaiser-Squires
// inversion (|D| = 1, the k = 0 mode removed) keeps that variance up to a
// factor 1 − 1/N.
func TestNoiseStdMatchesShapeNoise(t *testing.T) {
	g, _ := skymap.NewGrid(32, 32, 1, skymap.Gnomonic, 40, -20)
	ra, dec := gridCatalogue(g)
	a, err := shearmap.Assign(g, ra, dec, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	e1, e2 := make([]float64, len(ra)), make([]float64, len(ra))
	for i := range e1 {
		phi := 2 * math.Pi * rng.Float64()
		e1[i], e2[i] = 0.3*math.Cos(phi), 0.3*math.Sin(phi)
	}
	std, err := NoiseStd(a, e1, e2, Options{}, NoiseOptions{Realisations: 400, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	meanVar := 0.0
	for _, s := range std {
		meanVar += s * s
	}
	meanVar /= float64(len(std))
	want := 0.3 * 0.3 / 2 * (1 - 1/float64(g.Len()))
	if math.Abs(meanVar/want-1) > 0.03 {
		t.Errorf("mean κ_E noise variance %.5g, want %.5g within 3%%", meanVar, want)
	}
}

func TestNoiseStdReproducible(t *testing.T) {
	g, _ := skymap.NewGrid(24, 20, 1, skymap.Gnomonic, 40, -20)
	ra, dec := gridCatalogue(g)
	a, _ := shearmap.Assign(g, ra, dec, nil)
	e1, e2 := make([]float64, len(ra)), make([]float64, len(ra))
	for i := range e1 {
		e1[i], e2[i] = 0.2*math.Sin(float64(i)), 0.2*math.Cos(float64(i)*0.7)
	}
	run := func(seed uint64, workers int) []float64 {
		s, err := NoiseStd(a, e1, e2, Options{SmoothArcmin: 2, PixelArcmin: 1}, NoiseOptions{Realisations: 20, Seed: seed, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first, again := run(7, 2), run(7, 2)
	for i := range first {
		if first[i] != again[i] {
			t.Fatalf("pixel %d: %v then %v with the same seed and workers", i, first[i], again[i])
		}
	}
	if d := maxAbsDiff(first, run(7, 1)); d > 1e-12 {
		t.Errorf("one worker against two: max difference %.3g", d)
	}
	if d := maxAbsDiff(first, run(8, 2)); d == 0 {
		t.Errorf("another seed gave the same map")
	}
	if _, err := NoiseStd(a, e1, e2, Options{}, NoiseOptions{Realisations: 1}); err == nil {
		t.Errorf("one realisation: no error")
	}
}

// End to end: galaxies around a point on the sky with tangential shear in
// the catalogue convention (angles from East towards North) must give a
// positive κ_E peak at that point.
func TestTangentialCatalogueGivesPositivePeak(t *testing.T) {
	const ra0, dec0 = 0.1, -30.0 // a field across RA = 0
	g, _ := skymap.NewGrid(41, 41, 1, skymap.Gnomonic, ra0, dec0)
	rng := rand.New(rand.NewPCG(11, 12))
	var ra, dec, e1, e2 []float64
	cosd := math.Cos(dec0 * math.Pi / 180)
	for range 40000 {
		dE := (rng.Float64() - 0.5) * 40 / 60 // degrees towards East
		dN := (rng.Float64() - 0.5) * 40 / 60
		r := math.Hypot(dE, dN) * 60 // arcmin
		phi := math.Atan2(dN, dE)
		gt := 0.2 / math.Max(r, 0.5)
		ra = append(ra, ra0+dE/cosd)
		dec = append(dec, dec0+dN)
		e1 = append(e1, -gt*math.Cos(2*phi))
		e2 = append(e2, -gt*math.Sin(2*phi))
	}
	f, err := shearmap.Bin(g, ra, dec, e1, e2, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := New(g.NX, g.NY, Options{})
	kE := make([]float64, g.Len())
	tr.Convergence(kE, nil, f.G1, f.G2)

	best := 0
	for i, v := range kE {
		if v > kE[best] {
			best = i
		}
	}
	centre := 20*g.NX + 20
	if best != centre {
		t.Errorf("κ_E peaks at pixel (%d, %d), want the lens at (20, 20)", best%g.NX, best/g.NX)
	}
	if !(kE[centre] > 0) {
		t.Errorf("κ_E at the lens = %g, want > 0", kE[centre])
	}
}

// TestNoiseScaleFindsUnderstatedNoise gives NoiseScale the shear of a
// smooth E-mode field, masked, plus noise 1.3 times the model's, which
// varies from pixel to pixel: the estimate must be 1.3 within 2%, and 1
// within 2% when the model is right.
func TestNoiseScaleFindsUnderstatedNoise(t *testing.T) {
	const nx, ny = 96, 80
	n := nx * ny
	rng := rand.New(rand.NewPCG(5, 6))
	kappa := make([]float64, n)
	for y := range ny {
		for x := range nx {
			kappa[y*nx+x] = 0.03 * math.Sin(2*math.Pi*float64(3*x)/nx) * math.Cos(2*math.Pi*float64(2*y)/ny)
		}
	}

	tr, err := New(nx, ny, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g1, g2 := make([]float64, n), make([]float64, n)
	tr.Shear(g1, g2, kappa, make([]float64, n))

	model := make([]float64, n)
	for y := range ny {
		for x := range nx {
			i := y*nx + x
			model[i] = 0.01 * (1 + 3*rng.Float64())
			if x > 60 && y > 40 {
				model[i] = math.Inf(1) // a masked corner
			}
		}
	}

	for _, want := range []float64{1.3, 1} {
		d1, d2 := make([]float64, n), make([]float64, n)
		for i, v := range model {
			if !math.IsInf(v, 1) {
				s := want * math.Sqrt(v)
				d1[i], d2[i] = g1[i]+s*rng.NormFloat64(), g2[i]+s*rng.NormFloat64()
			}
		}
		got, err := NoiseScale(d1, d2, model, nx, ny, Options{}, 20, 1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got/want-1) > 0.02 {
			t.Errorf("noise %.2f times the model's: NoiseScale = %.4f", want, got)
		}
	}

	if _, err := NoiseScale(g1, g2, model[:10], nx, ny, Options{}, 20, 1); err == nil {
		t.Error("a noise map of the wrong size gave no error")
	}
}
