package skymap

import (
	"errors"
	"fmt"
	"math"
)

// Projection selects how sky positions map to pixels.
type Projection int

const (
	// Gnomonic is the TAN projection about the grid centre.
	Gnomonic Projection = iota
	// PlateCarree bins RA and Dec linearly (RA---CAR/DEC--CAR).
	PlateCarree
)

// String returns the name used on the command line: "tan" or "radec".
func (p Projection) String() string {
	switch p {
	case Gnomonic:
		return "tan"
	case PlateCarree:
		return "radec"
	}
	return fmt.Sprintf("Projection(%d)", int(p))
}

// ParseProjection converts a command-line name ("tan" or "radec") to a
// Projection.
func ParseProjection(name string) (Projection, error) {
	switch name {
	case "tan", "TAN", "gnomonic":
		return Gnomonic, nil
	case "radec", "car", "CAR":
		return PlateCarree, nil
	}
	return 0, fmt.Errorf("unknown projection %q: use tan or radec", name)
}

// Grid is an NX × NY map of square pixels centred on (CenterRA, CenterDec).
// The centre of the grid is the point between the two middle pixels when a
// side is even, and the middle pixel when it is odd.
type Grid struct {
	NX, NY      int
	PixelArcmin float64 // side of a pixel in arcmin (in degrees of RA and of Dec for PlateCarree)
	Projection  Projection
	CenterRA    float64 // degrees, in [0, 360)
	CenterDec   float64 // degrees
}

// ErrTooFar is wrapped by the error that PixelIndex-based binning reports for
// positions 90° or more from the centre of a gnomonic grid.
var ErrTooFar = errors.New("90 degrees or more from the projection centre")

// NewGrid checks the parameters and returns the grid.
func NewGrid(nx, ny int, pixelArcmin float64, proj Projection, centerRA, centerDec float64) (Grid, error) {
	g := Grid{NX: nx, NY: ny, PixelArcmin: pixelArcmin, Projection: proj, CenterRA: wrap360(centerRA), CenterDec: centerDec}
	return g, g.Validate()
}

// Validate reports whether the grid can be used.
func (g Grid) Validate() error {
	switch {
	case g.NX < 1 || g.NY < 1:
		return fmt.Errorf("invalid grid size %d x %d: both sides must be at least 1 pixel", g.NX, g.NY)
	case int64(g.NX)*int64(g.NY) > 1<<31:
		return fmt.Errorf("invalid grid size %d x %d: more than 2^31 pixels", g.NX, g.NY)
	case !(g.PixelArcmin > 0) || math.IsInf(g.PixelArcmin, 0):
		return fmt.Errorf("invalid pixel size %g arcmin: it must be positive and finite", g.PixelArcmin)
	case math.IsNaN(g.CenterRA) || math.IsInf(g.CenterRA, 0):
		return fmt.Errorf("invalid centre RA %g", g.CenterRA)
	case !(g.CenterDec >= -90 && g.CenterDec <= 90):
		return fmt.Errorf("invalid centre Dec %g: it must be within [-90, 90] degrees", g.CenterDec)
	case g.Projection != Gnomonic && g.Projection != PlateCarree:
		return fmt.Errorf("invalid projection %v", g.Projection)
	}
	if g.Projection == PlateCarree {
		halfDec := float64(g.NY) * g.PixelArcmin / 120
		if g.CenterDec-halfDec < -90 || g.CenterDec+halfDec > 90 {
			return fmt.Errorf("grid of %d rows of %g arcmin centred on Dec %g extends beyond a pole; use --projection tan", g.NY, g.PixelArcmin, g.CenterDec)
		}
	}
	return nil
}

// Len returns the number of pixels.
func (g Grid) Len() int { return g.NX * g.NY }

// PixelDeg returns the pixel side in degrees.
func (g Grid) PixelDeg() float64 { return g.PixelArcmin / 60 }

// PixelRad returns the pixel side in radians.
func (g Grid) PixelRad() float64 { return g.PixelArcmin / 60 * math.Pi / 180 }

// WCS returns the FITS world coordinate system of the grid.
func (g Grid) WCS() WCS {
	w := WCS{
		CRPix1:  float64(g.NX+1) / 2,
		CRPix2:  float64(g.NY+1) / 2,
		CDelt1:  -g.PixelDeg(),
		CDelt2:  g.PixelDeg(),
		CRVal1:  g.CenterRA,
		CRVal2:  g.CenterDec,
		RADesys: "ICRS",
		Equinox: 2000,
	}
	switch g.Projection {
	case Gnomonic:
		w.CType1, w.CType2 = "RA---TAN", "DEC--TAN"
	case PlateCarree:
		// The reference point sits on the equator so that CAR is linear in
		// Dec: Dec = CDELT2 * (p2 - CRPIX2) exactly.
		w.CType1, w.CType2 = "RA---CAR", "DEC--CAR"
		w.CRVal2 = 0
		w.CRPix2 = float64(g.NY+1)/2 - g.CenterDec/g.PixelDeg()
	}
	return w
}

// ToPixel returns the 0-based continuous pixel coordinates of a sky position
// in degrees. It returns ok = false for a gnomonic grid when the position is
// 90° or more from the centre.
func (g Grid) ToPixel(ra, dec float64) (x, y float64, ok bool) {
	cx := float64(g.NX-1) / 2
	cy := float64(g.NY-1) / 2
	switch g.Projection {
	case PlateCarree:
		dra := wrap180(ra - g.CenterRA)
		return cx - dra/g.PixelDeg(), cy + (dec-g.CenterDec)/g.PixelDeg(), true
	default:
		xi, eta, ok := g.standard(ra, dec)
		if !ok {
			return 0, 0, false
		}
		scale := 180 / math.Pi / g.PixelDeg()
		return cx - xi*scale, cy + eta*scale, true
	}
}

// ToWorld returns the sky position in degrees, RA in [0, 360), of the
// 0-based pixel coordinates (x, y).
func (g Grid) ToWorld(x, y float64) (ra, dec float64) {
	cx := float64(g.NX-1) / 2
	cy := float64(g.NY-1) / 2
	if g.Projection == PlateCarree {
		return wrap360(g.CenterRA - (x-cx)*g.PixelDeg()), g.CenterDec + (y-cy)*g.PixelDeg()
	}

	// Inverse gnomonic projection of the standard coordinates (ξ, η).
	scale := g.PixelDeg() * math.Pi / 180
	xi := -(x - cx) * scale
	eta := (y - cy) * scale
	sd0, cd0 := math.Sincos(g.CenterDec * math.Pi / 180)
	den := cd0 - eta*sd0
	dra := math.Atan2(xi, den)
	d := math.Atan2(sd0+eta*cd0, math.Hypot(xi, den))
	return wrap360(g.CenterRA + dra*180/math.Pi), d * 180 / math.Pi
}

// standard returns the gnomonic standard coordinates (ξ, η) in radians.
func (g Grid) standard(ra, dec float64) (xi, eta float64, ok bool) {
	sd0, cd0 := math.Sincos(g.CenterDec * math.Pi / 180)
	sd, cd := math.Sincos(dec * math.Pi / 180)
	sa, ca := math.Sincos((ra - g.CenterRA) * math.Pi / 180)
	cosc := sd0*sd + cd0*cd*ca
	if !(cosc > minCosC) {
		return 0, 0, false
	}
	return cd * sa / cosc, (cd0*sd - sd0*cd*ca) / cosc, true
}

// minCosC is the cosine of the largest angle from the centre that the
// gnomonic projection accepts: points at 90° have cos c ≈ 6e-17 after
// rounding, not 0, and must still be rejected.
const minCosC = 1e-12

// Locator assigns sky positions to pixels of one grid. It holds the
// trigonometry of the centre so that locating a position costs two Sincos
// calls, and it is safe for concurrent use.
type Locator struct {
	g        Grid
	sd0, cd0 float64
	cx, cy   float64
	invPix   float64 // pixels per radian (Gnomonic) or per degree (PlateCarree)
	halfX    float64 // half the grid width in pixels (PlateCarree)
	halfY    float64
}

// NewLocator returns a Locator for g.
func NewLocator(g Grid) *Locator {
	l := &Locator{g: g, cx: float64(g.NX-1) / 2, cy: float64(g.NY-1) / 2}
	l.sd0, l.cd0 = math.Sincos(g.CenterDec * math.Pi / 180)
	if g.Projection == PlateCarree {
		l.invPix = 1 / g.PixelDeg()
	} else {
		l.invPix = 1 / g.PixelRad()
	}
	l.halfX = float64(g.NX) / 2
	l.halfY = float64(g.NY) / 2
	return l
}

// Index returns the pixel index y*NX + x that contains the position (ra,
// dec) in degrees, or -1 when the position falls outside the grid. tooFar is
// true, with index -1, when a gnomonic grid cannot project the position.
//
// For PlateCarree the bins are half-open intervals [lo + i w, lo + (i+1) w)
// counted from the low-RA and low-Dec edges, lo = centre − n w / 2, as a 2-D
// histogram of RA and Dec would count them; the RA bins are then mirrored so
// that RA decreases with x.
func (l *Locator) Index(ra, dec float64) (index int, tooFar bool) {
	g := &l.g
	var ix, iy int
	if g.Projection == PlateCarree {
		u := wrap180(ra-g.CenterRA)*l.invPix + l.halfX
		v := (dec-g.CenterDec)*l.invPix + l.halfY
		if !(u >= 0 && v >= 0) {
			return -1, false
		}
		iu, iv := int(u), int(v)
		if iu >= g.NX || iv >= g.NY {
			return -1, false
		}
		ix, iy = g.NX-1-iu, iv
	} else {
		sd, cd := math.Sincos(dec * (math.Pi / 180))
		sa, ca := math.Sincos((ra - g.CenterRA) * (math.Pi / 180))
		cosc := l.sd0*sd + l.cd0*cd*ca
		if !(cosc > minCosC) {
			return -1, true
		}
		s := l.invPix / cosc
		x := l.cx - cd*sa*s + 0.5
		y := l.cy + (l.cd0*sd-l.sd0*cd*ca)*s + 0.5
		if !(x >= 0 && y >= 0) {
			return -1, false
		}
		ix, iy = int(x), int(y)
		if ix >= g.NX || iy >= g.NY {
			return -1, false
		}
	}
	return iy*g.NX + ix, false
}

func wrap360(a float64) float64 {
	a = math.Mod(a, 360)
	if a < 0 {
		a += 360
	}
	if a >= 360 {
		a = 0
	}
	return a
}

// wrap180 returns a in (-180, 180].
func wrap180(a float64) float64 {
	if a > -180 && a <= 180 {
		return a // the common case, without the cost of math.Mod
	}
	a = math.Mod(a, 360)
	switch {
	case a > 180:
		a -= 360
	case a <= -180:
		a += 360
	}
	return a
}
