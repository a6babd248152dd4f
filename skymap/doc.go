// Package skymap describes pixel grids on the sky: their size, pixel scale,
// projection and FITS world coordinate system (WCS).
//
// # Orientation
//
// Maps follow the astronomical convention. A map of nx × ny pixels is stored
// row by row, index y*nx + x, with x the FITS NAXIS1 axis. North is up (Dec
// increases with y) and East is to the left (RA decreases with x, CDELT1 < 0),
// so the map looks like the sky seen from inside the celestial sphere. Row
// y = 0 is the bottom (southern) row, as in FITS and in ds9.
//
// Pixel coordinates are 0-based here, with pixel centres at integers: pixel
// (x, y) covers [x-0.5, x+0.5) × [y-0.5, y+0.5) and is FITS pixel (x+1, y+1).
//
// # Projections
//
// Gnomonic is the TAN projection of Calabretta & Greisen (2002, A&A 395,
// 1077) about the grid centre: the standard coordinates
//
//	ξ = cos δ sin(α−α₀) / cos c
//	η = (cos δ₀ sin δ − sin δ₀ cos δ cos(α−α₀)) / cos c
//	cos c = sin δ₀ sin δ + cos δ₀ cos δ cos(α−α₀)
//
// (ξ towards East, η towards North) are sampled on a square grid with
// CDELT1 = −pixel, CDELT2 = +pixel. Points 90° or more from the centre have
// no gnomonic image.
//
// PlateCarree bins RA and Dec linearly, pixel widths equal in degrees of RA
// and of Dec, RA not scaled by cos δ. It reproduces mass maps published on such
// grids (for example the COSMOS maps of Remy et al. 2023, A&A 672, A51, which
// are shown with RA increasing to the right, the mirror image of this
// package's maps). Its WCS is written as RA---CAR/DEC--CAR with CRVAL2 = 0 and
// the reference pixel shifted accordingly, the one CAR form in which FITS
// readers map pixels to RA and Dec linearly; a TAN header would misplace
// pixels by up to 0.1% of the field at the edges of a 1-degree field.
package skymap
