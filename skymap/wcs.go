package skymap

// WCS is the celestial world coordinate system of a map, as written in the
// FITS header of every image the toolkit produces (Greisen & Calabretta 2002,
// A&A 395, 1061). Pixel numbers in CRPix are 1-based, as in FITS; angles are
// in degrees.
type WCS struct {
	CType1, CType2 string // "RA---TAN"/"DEC--TAN" or "RA---CAR"/"DEC--CAR"
	CRPix1, CRPix2 float64
	CRVal1, CRVal2 float64
	CDelt1, CDelt2 float64
	RADesys        string // "ICRS"
	Equinox        float64
}

// Keyword is one FITS header keyword with its value and comment, in the
// order it belongs in a header.
type Keyword struct {
	Key     string
	Value   any // string, int or float64
	Comment string
}

// Keywords returns the header keywords of w, with CUNITn and LONPOLE/LATPOLE
// spelled out so that no reader has to rely on defaults.
func (w WCS) Keywords() []Keyword {
	lonpole := 180.0 // zenithal projections: the native pole is at φ = 180°
	latpole := 0.0
	if w.CType1 == "RA---CAR" {
		lonpole = 0 // cylindrical with the reference point on the equator
		latpole = 90
	}
	return []Keyword{
		{"WCSAXES", 2, "number of world coordinate axes"},
		{"CTYPE1", w.CType1, "right ascension, " + projName(w.CType1)},
		{"CTYPE2", w.CType2, "declination, " + projName(w.CType1)},
		{"CUNIT1", "deg", "unit of CRVAL1 and CDELT1"},
		{"CUNIT2", "deg", "unit of CRVAL2 and CDELT2"},
		{"CRPIX1", w.CRPix1, "reference pixel on axis 1 (1-based)"},
		{"CRPIX2", w.CRPix2, "reference pixel on axis 2 (1-based)"},
		{"CRVAL1", w.CRVal1, "[deg] RA at the reference pixel"},
		{"CRVAL2", w.CRVal2, "[deg] Dec at the reference pixel"},
		{"CDELT1", w.CDelt1, "[deg] pixel step on axis 1 (East to the left)"},
		{"CDELT2", w.CDelt2, "[deg] pixel step on axis 2 (North up)"},
		{"LONPOLE", lonpole, "[deg] native longitude of the celestial pole"},
		{"LATPOLE", latpole, "[deg] native latitude of the celestial pole"},
		{"RADESYS", w.RADesys, "reference frame of the coordinates"},
		{"EQUINOX", w.Equinox, "[yr] equinox of the coordinates"},
	}
}

func projName(ctype string) string {
	if len(ctype) >= 8 && ctype[5:8] == "CAR" {
		return "plate carree (linear in RA and Dec)"
	}
	return "gnomonic projection"
}
