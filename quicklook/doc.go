// Package quicklook draws a sky map as a PNG figure for a first look at the
// output of a run, as in
//
//	massmap ks --png k.png
//
// Encode writes one figure: the title on top, the map inside a black frame
// with outward ticks on all four sides and numbers on the left and bottom
// axes, and a colour bar on the right with its own ticks, numbers and label.
// The package is pure Go. Text is set in the Go fonts that ship with
// golang.org/x/image, so no system fonts are needed.
//
// # Orientation
//
// Data are row-major with index y*nx + x. Pixel (0, 0) is drawn at the
// bottom left, which is how SAOImage DS9 shows a FITS image: a map with
// North along +y and East along −x (CDELT1 < 0) appears North up and East
// left. With Options.PixelArcmin > 0 the axes show Δx and Δy in arcmin from
// the centre of the map, that is from the corner shared by the four middle
// pixels when nx and ny are even. Otherwise they show pixel indices at pixel
// centres. Each map pixel becomes a block of Scale × Scale image pixels,
// with no interpolation.
//
// # Colour range
//
// Values map linearly onto the colour map between a low and a high limit,
// in 256 equal bins. By default the limits are the 0.5th and 99.5th
// percentiles of the valid pixels, so a few hot pixels do not wash out the
// map; with Options.Symmetric they become ±max(|low|, |high|). Values
// beyond a limit take the end colour, and a triangle at that end of the
// colour bar shows that some pixels were clipped. When all valid pixels are
// equal, the range is widened by 5 % of the value (or to [−1, 1] around
// zero), so the map is drawn in the middle colour.
//
// Masked pixels (Options.Mask false) and NaN or ±Inf pixels are drawn in
// neutral grey, RGB (128, 128, 128), and do not count towards the range. A
// map with no valid pixel is drawn all grey with the note "no valid pixels".
//
// # Colour maps
//
//   - "viridis" and "magma" are the 256-entry tables of matplotlib by
//     Nathaniel J. Smith, Stefan van der Walt and Eric Firing, released
//     under CC0. Their lightness rises steadily from the low end to the
//     high end, so they suit maps of one sign such as counts.
//   - "rdbu" and "rdbu_r" interpolate, in CIELAB, the 11-class RdBu scheme
//     of ColorBrewer 2.0 by Cynthia A. Brewer (Apache License 2.0). They
//     are lightest in the middle. "rdbu" runs from dark red at the low end
//     to dark blue at the high end, as in matplotlib; "rdbu_r" is reversed,
//     so positive convergence is red. Use them with Options.Symmetric.
package quicklook
