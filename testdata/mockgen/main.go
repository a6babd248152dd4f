// Command mockgen writes the toolkit's embedded default data: a mock shear
// catalogue of a 1° × 1° field lensed by four NFW halos, and the true
// convergence of that field on a 60 × 60 grid of 1-arcmin pixels.
//
//	go run ./testdata/mockgen -out testdata
//
// The field is centred on (RA, Dec) = (0.2°, −3°), so it crosses RA = 0
// and exercises the wrap of right ascension. Galaxies are uniform on the
// tangent plane at 16.7 per arcmin² outside three masked regions (two star
// masks and a bad strip) and the halo cores (κ ≥ 0.5), the shear is the reduced shear g = γ/(1 − κ) of
// the halos, and each ellipticity is e = g + n, with intrinsic scatter 0.26
// and a measurement error between 0.05 and 0.25 per component, weighted by
// w ∝ 1/(0.26² + σ_m²). The seed is fixed, so the output is reproducible.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/skymap"
)

const (
	centerRA, centerDec = 0.2, -3.0
	fieldDeg            = 1.0
	galaxies            = 60000
	sigmaIntrinsic      = 0.26
	seed                = 20261204

	// maxKappa excludes the halo cores, where the NFW convergence diverges
	// and weak lensing does not apply, as real catalogues lack shapes there.
	maxKappa = 0.5
)

// halo is an NFW profile in the thin-lens approximation: its position on the
// tangent plane in arcmin (towards East and North), scale radius in arcmin,
// and κ_s = ρ_s r_s / Σ_cr.
type halo struct {
	east, north, rs, kappaS float64
}

var halos = []halo{
	{-12, 8, 2.5, 0.35},
	{15, -10, 3.5, 0.25},
	{5, 18, 2.0, 0.20},
	{-18, -15, 1.5, 0.30},
}

// nfwKappa returns the convergence and mean convergence inside x = r/r_s of
// an NFW halo (Bartelmann 1996, A&A 313, 697; Wright & Brainerd 2000, ApJ
// 534, 34).
func nfwKappa(x, kappaS float64) (kappa, mean float64) {
	x = math.Max(x, 1e-3)
	var f float64 // arccosh(1/x)/√(1−x²), or arccos(1/x)/√(x²−1)
	switch {
	case math.Abs(x-1) < 1e-6:
		return 2 * kappaS / 3, 4 * kappaS * (math.Log(0.5) + 1)
	case x < 1:
		f = math.Acosh(1/x) / math.Sqrt(1-x*x)
	default:
		f = math.Acos(1/x) / math.Sqrt(x*x-1)
	}
	kappa = 2 * kappaS * (1 - f) / (x*x - 1)
	mean = 4 * kappaS * (math.Log(x/2) + f) / (x * x)
	return kappa, mean
}

// lens returns κ and the shear (γ1, γ2) at a tangent-plane position in
// arcmin, in the catalogue convention: angles from East towards North.
func lens(east, north float64) (kappa, g1, g2 float64) {
	for _, h := range halos {
		dE, dN := east-h.east, north-h.north
		r := math.Hypot(dE, dN)
		k, mean := nfwKappa(r/h.rs, h.kappaS)
		gt := mean - k
		phi := math.Atan2(dN, dE)
		s, c := math.Sincos(2 * phi)
		kappa += k
		g1 -= gt * c
		g2 -= gt * s
	}
	return kappa, g1, g2
}

// masked reports whether a tangent-plane position in arcmin falls in one of
// the field's masked regions.
func masked(east, north float64) bool {
	switch {
	case math.Hypot(east-20, north-20) < 4: // a bright star
		return true
	case math.Hypot(east+5, north+22) < 2.5:
		return true
	case east > -28 && east < 10 && north > -4 && north < -2.5: // a bad column
		return true
	}
	return false
}

func main() {
	out := flag.String("out", "testdata", "output directory")
	force := flag.Bool("force", false, "overwrite existing files")
	flag.Parse()
	if err := run(*out, *force); err != nil {
		fmt.Fprintln(os.Stderr, "mockgen:", err)
		os.Exit(1)
	}
}

func run(dir string, force bool) error {
	grid, err := skymap.NewGrid(60, 60, 1, skymap.Gnomonic, centerRA, centerDec)
	if err != nil {
		return err
	}

	// Galaxies uniform on the tangent plane, placed through the grid's
	// inverse projection so that positions are exact gnomonic images.
	rng := rand.New(rand.NewPCG(seed, 1))
	ra := make([]float64, 0, galaxies)
	dec := make([]float64, 0, galaxies)
	var e1, e2, w []float32
	half := fieldDeg * 60 / 2
	for len(ra) < galaxies {
		east := (2*rng.Float64() - 1) * half
		north := (2*rng.Float64() - 1) * half
		if masked(east, north) {
			continue
		}
		kappa, g1, g2 := lens(east, north)
		if kappa >= maxKappa {
			continue
		}
		g1, g2 = g1/(1-kappa), g2/(1-kappa)
		sigmaM := 0.05 + 0.2*rng.Float64()
		sigma := math.Hypot(sigmaIntrinsic, sigmaM)
		// Pixel coordinates of the position: East is −x, one pixel per arcmin.
		x := float64(grid.NX-1)/2 - east
		y := float64(grid.NY-1)/2 + north
		r, d := grid.ToWorld(x, y)
		ra = append(ra, r)
		dec = append(dec, d)
		e1 = append(e1, float32(g1+sigma*rng.NormFloat64()))
		e2 = append(e2, float32(g2+sigma*rng.NormFloat64()))
		w = append(w, float32(1/(sigma*sigma)))
	}
	var sum float64
	for _, v := range w {
		sum += float64(v)
	}
	norm := float64(len(w)) / sum
	for i := range w {
		w[i] = float32(float64(w[i]) * norm)
	}

	catPath := filepath.Join(dir, "mock_shear_cat.fits")
	err = fits.WriteTable(catPath, force, "SHEAR",
		fits.Column{Name: "ra", Unit: "deg", Data: ra},
		fits.Column{Name: "dec", Unit: "deg", Data: dec},
		fits.Column{Name: "e1", Data: e1},
		fits.Column{Name: "e2", Data: e2},
		fits.Column{Name: "weight", Data: w},
	)
	if err != nil {
		return err
	}

	// The true convergence at pixel centres.
	truth := make([]float64, grid.Len())
	for y := range grid.NY {
		for x := range grid.NX {
			east := -(float64(x) - float64(grid.NX-1)/2)
			north := float64(y) - float64(grid.NY-1)/2
			truth[y*grid.NX+x], _, _ = lens(east, north)
		}
	}
	header := []fits.Card{
		{Key: "ORIGIN", Value: "skyinv testdata/mockgen", Comment: "program that wrote this file"},
		{Key: "COMMENT", Comment: "true convergence of the four NFW halos of mock_shear_cat.fits"},
	}
	truthPath := filepath.Join(dir, "mock_kappa_truth.fits")
	err = skymap.WriteFITS(truthPath, force, grid, header, skymap.Map{Name: "KAPPA", Data: truth, Description: "true convergence at pixel centres"})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d galaxies) and %s\n", catPath, len(ra), truthPath)
	return nil
}
