package skymap

import (
	"math"
	"testing"
)

func TestToWorldInvertsToPixel(t *testing.T) {
	const tol = 1e-9 // pixels
	grids := []Grid{
		{NX: 360, NY: 360, PixelArcmin: 0.29, Projection: Gnomonic, CenterRA: 150.1161025, CenterDec: 2.247490268},
		{NX: 101, NY: 64, PixelArcmin: 3, Projection: Gnomonic, CenterRA: 0.2, CenterDec: -60},
		{NX: 360, NY: 360, PixelArcmin: 0.29, Projection: PlateCarree, CenterRA: 150.1161025, CenterDec: 2.247490268},
		{NX: 33, NY: 20, PixelArcmin: 2, Projection: PlateCarree, CenterRA: 359.9, CenterDec: 30},
	}
	for _, g := range grids {
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		for _, p := range [][2]float64{{0, 0}, {float64(g.NX - 1), float64(g.NY - 1)}, {12.3, 7.7}, {-5, 3}} {
			ra, dec := g.ToWorld(p[0], p[1])
			x, y, ok := g.ToPixel(ra, dec)
			if !ok || math.Abs(x-p[0]) > tol || math.Abs(y-p[1]) > tol {
				t.Errorf("%v grid: pixel (%g, %g) -> (%.9f, %.9f) -> (%.12f, %.12f, %v)", g.Projection, p[0], p[1], ra, dec, x, y, ok)
			}
		}
	}
}

func TestOrientationEastLeftNorthUp(t *testing.T) {
	for _, proj := range []Projection{Gnomonic, PlateCarree} {
		g, err := NewGrid(100, 100, 1, proj, 10, 20)
		if err != nil {
			t.Fatal(err)
		}
		x0, y0, _ := g.ToPixel(10, 20)
		xE, _, _ := g.ToPixel(10.1, 20)
		_, yN, _ := g.ToPixel(10, 20.1)
		if !(xE < x0) {
			t.Errorf("%v: a point East of the centre is at x = %g, right of the centre x = %g", proj, xE, x0)
		}
		if !(yN > y0) {
			t.Errorf("%v: a point North of the centre is at y = %g, below the centre y = %g", proj, yN, y0)
		}
		if w := g.WCS(); !(w.CDelt1 < 0 && w.CDelt2 > 0) {
			t.Errorf("%v: CDELT1 = %g, CDELT2 = %g", proj, w.CDelt1, w.CDelt2)
		}
	}
}

// The WCS keywords must describe the same mapping as ToWorld: apply the FITS
// linear and projection equations to them and compare.
func TestWCSMatchesToWorld(t *testing.T) {
	const tol = 1e-10 // degrees
	for _, proj := range []Projection{Gnomonic, PlateCarree} {
		g, _ := NewGrid(81, 60, 0.5, proj, 150, 2.2)
		w := g.WCS()
		for _, p := range [][2]float64{{0, 0}, {80, 59}, {40, 29.5}, {3, 50}} {
			// Intermediate world coordinates in degrees.
			ix := w.CDelt1 * (p[0] + 1 - w.CRPix1)
			iy := w.CDelt2 * (p[1] + 1 - w.CRPix2)
			var ra, dec float64
			if proj == PlateCarree {
				ra, dec = w.CRVal1+ix, w.CRVal2+iy
			} else {
				xi, eta := ix*math.Pi/180, iy*math.Pi/180
				d0 := w.CRVal2 * math.Pi / 180
				ra = w.CRVal1 + math.Atan2(xi, math.Cos(d0)-eta*math.Sin(d0))*180/math.Pi
				dec = math.Atan2(math.Sin(d0)+eta*math.Cos(d0), math.Hypot(xi, math.Cos(d0)-eta*math.Sin(d0))) * 180 / math.Pi
			}
			gra, gdec := g.ToWorld(p[0], p[1])
			if math.Abs(wrap180(gra-ra)) > tol || math.Abs(gdec-dec) > tol {
				t.Errorf("%v pixel %v: WCS gives (%.12f, %.12f), ToWorld (%.12f, %.12f)", proj, p, ra, dec, gra, gdec)
			}
		}
	}
}

func TestLocatorIndex(t *testing.T) {
	g, _ := NewGrid(10, 8, 6, PlateCarree, 0.05, 0) // 0.1 deg pixels across RA = 0
	loc := NewLocator(g)
	cases := []struct {
		ra, dec float64
		x, y    int // -1 for outside
	}{
		{0.06, 0.01, 4, 4},  // just East of the centre: left of the middle
		{0.04, -0.01, 5, 3}, // just West, just South
		{359.6, 0.0, 9, 4},  // across RA = 0: the westmost column
		{0.54, 0.39, 0, 7},  // the eastmost column, top row
		{0.56, 0.0, -1, -1}, // beyond the East edge
		{0.05, 0.41, -1, -1},
	}
	for _, c := range cases {
		idx, far := loc.Index(c.ra, c.dec)
		want := -1
		if c.x >= 0 {
			want = c.y*g.NX + c.x
		}
		if far || idx != want {
			t.Errorf("Index(%g, %g) = %d (far %v), want %d (x %d, y %d)", c.ra, c.dec, idx, far, want, c.x, c.y)
		}
	}

	gt, _ := NewGrid(10, 10, 1, Gnomonic, 100, 0)
	if idx, far := NewLocator(gt).Index(280, 0); !far || idx != -1 {
		t.Errorf("antipode: Index = %d, far = %v; want -1, true", idx, far)
	}
	if idx, far := NewLocator(gt).Index(190, 0); !far || idx != -1 {
		t.Errorf("90 degrees away: Index = %d, far = %v; want -1, true", idx, far)
	}
}

func TestValidateRejects(t *testing.T) {
	bad := []Grid{
		{NX: 0, NY: 10, PixelArcmin: 1},
		{NX: 10, NY: 10, PixelArcmin: 0},
		{NX: 10, NY: 10, PixelArcmin: -1},
		{NX: 10, NY: 10, PixelArcmin: math.NaN()},
		{NX: 10, NY: 10, PixelArcmin: 1, CenterDec: 91},
		{NX: 10, NY: 100, PixelArcmin: 60, CenterDec: 80, Projection: PlateCarree},
	}
	for _, g := range bad {
		if err := g.Validate(); err == nil {
			t.Errorf("Validate(%+v) returned no error", g)
		}
	}
}
