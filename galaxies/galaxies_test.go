package galaxies_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mathext"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/galaxies"
	"github.com/skyinv/skyinv/internal/shareddata"
)

// b_n is defined by P(2n, b_n) = ½, P the regularised lower incomplete
// gamma function. For n = ½ (a Gaussian) P(1, b) = 1 − e^(−b), so
// b = ln 2.
func TestSersicBHalvesTheLight(t *testing.T) {
	const tol = 1e-12
	if b := galaxies.SersicB(0.5); math.Abs(b-math.Ln2) > tol {
		t.Errorf("n = 0.5: b_n = %.15f, want ln 2 = %.15f", b, math.Ln2)
	}
	for _, n := range []float64{0.8, 1, 1.5, 2, 4, 8} {
		if p := mathext.GammaIncReg(2*n, galaxies.SersicB(n)); math.Abs(p-0.5) > tol {
			t.Errorf("n = %g: P(2n, b_n) = %.15f, want 0.5", n, p)
		}
	}
}

// enclosed returns the part of an image inside the ellipse of semi-major
// axis a, axis ratio q and angle zero about (x0, y0), counted by pixel
// centre.
func enclosed(img []float64, nx int, x0, y0, a, q float64) float64 {
	var sum float64
	for i, v := range img {
		dx, dy := float64(i%nx)-x0, float64(i/nx)-y0
		if dx*dx+dy*dy/(q*q) < a*a {
			sum += v
		}
	}
	return sum
}

// The flux inside an ellipse of semi-major axis R is that of the profile,
// F P(2n, b_n (R/r_e)^(1/n)): nearly all of it at R = 60 pixels, and half of
// it at R = r_e. Counting pixels by their centres blurs the edge of the
// small ellipse, so that check uses large, round profiles only.
func TestSersicEnclosedFlux(t *testing.T) {
	const nx, outer = 160, 60
	const tolOuter = 3e-3 // sub-pixel sampling and the aperture's edge: 0.27% at most when written
	const tolHalf = 0.02  // the blurred edge of the half-light ellipse
	cases := []struct {
		n, re, q  float64
		checkHalf bool
	}{
		{1, 2, 1, false},
		{1, 8, 0.4, false},
		{1, 8, 0.9, true},
		{4, 3, 0.7, false},
		{4, 10, 1, true},
		{0.5, 3, 0.6, false},
		{0.5, 1.5, 0.3, false},
		{2.5, 6, 0.8, true},
	}
	for _, c := range cases {
		img := make([]float64, nx*nx)
		s := galaxies.Sersic{X: 80.3, Y: 79.6, Flux: 2.5, N: c.n, HalfLight: c.re, Q: c.q}
		if err := s.Add(img, nx, nx); err != nil {
			t.Fatal(err)
		}
		b := galaxies.SersicB(c.n)
		want := s.Flux * mathext.GammaIncReg(2*c.n, b*math.Pow(outer/c.re, 1/c.n))
		got := enclosed(img, nx, s.X, s.Y, outer, c.q)
		t.Logf("n %g, r_e %g, q %g: inside %d pixels %.5f of the profile's flux", c.n, c.re, c.q, outer, got/want)
		if math.Abs(got/want-1) > tolOuter {
			t.Errorf("n %g, r_e %g, q %g: flux %.5f inside %d pixels, want %.5f within %g relative", c.n, c.re, c.q, got, outer, want, tolOuter)
		}
		if !c.checkHalf {
			continue
		}
		if got := enclosed(img, nx, s.X, s.Y, c.re, c.q); math.Abs(got/(s.Flux/2)-1) > tolHalf {
			t.Errorf("n %g, r_e %g, q %g: flux %.5f inside r_e, want half of %g within %g relative", c.n, c.re, c.q, got, s.Flux, tolHalf)
		}
	}
}

// moments returns the second moments of an image about its centroid.
func moments(img []float64, nx int) (xx, yy, xy float64) {
	var s, mx, my float64
	for i, v := range img {
		s += v
		mx += v * float64(i%nx)
		my += v * float64(i/nx)
	}
	mx, my = mx/s, my/s
	for i, v := range img {
		dx, dy := float64(i%nx)-mx, float64(i/nx)-my
		xx += v * dx * dx
		yy += v * dy * dy
		xy += v * dx * dy
	}
	return xx / s, yy / s, xy / s
}

// Position angles count counter-clockwise from +x: 0 is along x, π/2
// along y, and π/4 along the x = y diagonal.
func TestSersicAngleConvention(t *testing.T) {
	const nx = 64
	for _, c := range []struct {
		angle   float64
		want    string
		longest func(xx, yy, xy float64) bool
	}{
		{0, "along x", func(xx, yy, xy float64) bool { return xx > 3*yy && math.Abs(xy) < 1e-9*xx }},
		{math.Pi / 2, "along y", func(xx, yy, xy float64) bool { return yy > 3*xx && math.Abs(xy) < 1e-9*yy }},
		{math.Pi / 4, "along x = y", func(xx, yy, xy float64) bool { return xy > 0.5*xx && math.Abs(xx-yy) < 1e-6*xx }},
	} {
		img := make([]float64, nx*nx)
		s := galaxies.Sersic{X: 32, Y: 32, Flux: 1, N: 1, HalfLight: 5, Q: 0.4, Angle: c.angle}
		if err := s.Add(img, nx, nx); err != nil {
			t.Fatal(err)
		}
		if xx, yy, xy := moments(img, nx); !c.longest(xx, yy, xy) {
			t.Errorf("angle %.3f: moments xx %.4g, yy %.4g, xy %.4g: the major axis should lie %s", c.angle, xx, yy, xy, c.want)
		}
	}
}

// A clump's pixels hold its flux exactly, centred on its position.
func TestClumpIntegratesExactly(t *testing.T) {
	const nx, ny, tol = 40, 30, 1e-12
	img := make([]float64, nx*ny)
	c := galaxies.Clump{X: 17.3, Y: 12.8, Flux: 0.7, Sigma: 1.2}
	if err := c.Add(img, nx, ny); err != nil {
		t.Fatal(err)
	}
	var s, mx, my float64
	for i, v := range img {
		s += v
		mx += v * float64(i%nx)
		my += v * float64(i/nx)
	}
	if math.Abs(s-c.Flux) > tol {
		t.Errorf("pixel sum %.15f, want %g", s, c.Flux)
	}
	// Pixel integration moves the centroid by a periodic error of amplitude
	// about exp(−2π²σ²) (Poisson summation), 5e-13 for σ = 1.2 pixels.
	if math.Abs(mx/s-c.X) > 1e-9 || math.Abs(my/s-c.Y) > 1e-9 {
		t.Errorf("centroid (%.6f, %.6f), want (%g, %g)", mx/s, my/s, c.X, c.Y)
	}
}

func TestInvalidComponentsRejected(t *testing.T) {
	img := make([]float64, 16)
	good := galaxies.Sersic{X: 2, Y: 2, Flux: 1, N: 1, HalfLight: 1, Q: 1}
	cases := []struct {
		name string
		edit func(s *galaxies.Sersic)
		want string
	}{
		{"index below 0.5", func(s *galaxies.Sersic) { s.N = 0.3 }, "Sérsic index 0.3"},
		{"zero radius", func(s *galaxies.Sersic) { s.HalfLight = 0 }, "half-light radius 0"},
		{"axis ratio above 1", func(s *galaxies.Sersic) { s.Q = 1.5 }, "axis ratio 1.5"},
		{"NaN flux", func(s *galaxies.Sersic) { s.Flux = math.NaN() }, "flux NaN"},
	}
	for _, c := range cases {
		s := good
		c.edit(&s)
		err := s.Add(img, 4, 4)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if slices.ContainsFunc(img, func(v float64) bool { return v != 0 }) {
			t.Errorf("%s: the rejected component changed the image", c.name)
		}
	}
	if err := (galaxies.Clump{Flux: 1, Sigma: 0}).Add(img, 4, 4); err == nil {
		t.Error("a clump of zero width was accepted")
	}
	if _, err := (galaxies.Population{MagMin: 25, MagMax: 22}).Scene(img, 4, 4, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("a population with MagMin above MagMax was accepted")
	}
}

// A scene depends only on the random stream: the same stream gives the
// same image, another stream another image.
func TestSceneReproducible(t *testing.T) {
	const n = 48
	draw := func(stream uint64) []float64 {
		img := make([]float64, n*n)
		if _, err := (galaxies.Population{}).Scene(img, n, n, rand.New(rand.NewPCG(3, stream))); err != nil {
			t.Fatal(err)
		}
		return img
	}
	a, b, c := draw(1), draw(1), draw(2)
	if !slices.Equal(a, b) {
		t.Error("one stream gave two different scenes")
	}
	if slices.Equal(a, c) {
		t.Error("two streams gave the same scene")
	}
}

// The main galaxy of a scene has the population's magnitudes and sizes.
// Over many scenes its flux follows the zero point and its magnitude spans
// MagMin to MagMax. Near magnitude 22 its median half-light radius is near
// 0.35 arcsec.
func TestSceneFollowsPopulation(t *testing.T) {
	const n, scenes = 32, 400
	p := galaxies.Population{}
	rng := rand.New(rand.NewPCG(8, 9))
	var near22 []float64
	lo, hi := math.Inf(1), math.Inf(-1)
	img := make([]float64, n*n)
	for range scenes {
		gals, err := p.Scene(img, n, n, rng)
		if err != nil {
			t.Fatal(err)
		}
		g := gals[0]
		if g.IsNeighbour {
			t.Fatal("the first galaxy of a scene is marked as a neighbour")
		}
		want := math.Pow(10, -0.4*(g.Magnitude-26.1))
		if math.Abs(g.Flux()/want-1) > 1e-12 {
			t.Fatalf("magnitude %.3f: flux %.6g, want %.6g for zero point 26.1", g.Magnitude, g.Flux(), want)
		}
		lo, hi = min(lo, g.Magnitude), max(hi, g.Magnitude)
		if math.Abs(g.Magnitude-22) < 0.5 {
			near22 = append(near22, max(g.Disc.HalfLight, g.Bulge.HalfLight)*0.03)
		}
	}
	if lo < 20.5 || hi > 25.5 || lo > 20.7 || hi < 25.3 {
		t.Errorf("main-galaxy magnitudes span %.2f to %.2f, want about 20.5 to 25.5", lo, hi)
	}
	sort.Float64s(near22)
	if med := near22[len(near22)/2]; math.Abs(math.Log10(med/0.35)) > 0.1 {
		t.Errorf("median half-light radius near magnitude 22 is %.3f arcsec (%d galaxies), want 0.35 within 0.1 dex", med, len(near22))
	}
}

// The default zero point is that of the AEGIS F814W stamps: MAG + 2.5
// log10(sum of the stamp) for each, whose median should be 26.1 within
// 0.05. A stamp's sum includes its noise and any neighbour.
func TestZeroPointMatchesAEGISStamps(t *testing.T) {
	cat, err := fits.ReadTable(shareddata.Path(t, "hst/AEGIS_F814w_catalog.fits"), "")
	if err != nil {
		t.Fatal(err)
	}
	files, err := cat.Strings("GAL_FILENAME")
	if err != nil {
		t.Fatal(err)
	}
	hdus, _, err := cat.Float64("GAL_HDU")
	if err != nil {
		t.Fatal(err)
	}
	mags, _, err := cat.Float64("MAG")
	if err != nil {
		t.Fatal(err)
	}

	// The zero point of each stamp, from its sum.
	var zps []float64
	for i, f := range files {
		img, err := fits.ReadImage(shareddata.Path(t, "hst/"+f), strconv.Itoa(int(hdus[i])))
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for _, v := range img.Data {
			s += v
		}
		zp := mags[i] + 2.5*math.Log10(s)
		t.Logf("%s[%d]: MAG %.2f, sum %.4g, zero point %.3f", f, int(hdus[i]), mags[i], s, zp)
		zps = append(zps, zp)
	}

	sort.Float64s(zps)
	if med := zps[len(zps)/2]; math.Abs(med-26.1) > 0.05 {
		t.Errorf("median zero point of the stamps %.3f, the default is 26.1", med)
	}
}
