package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/skyinv/skyinv/fits"
)

// image is a 2-D image read from one HDU of a FITS file.
type image struct {
	path   string
	hdu    int // 0 for the primary HDU
	nx, ny int
	data   []float64
	bitpix int
	cards  []fits.Card
}

// where returns the file and HDU, for messages.
func (im *image) where() string { return fmt.Sprintf("%s HDU %d", im.path, im.hdu) }

// readImage reads the 2-D image that sel selects in the FITS file at path:
// "" for the first HDU with image data, a decimal HDU index, or an EXTNAME.
// role ("image" or "PSF") and the flag that selects the HDU go into the
// messages.
func readImage(role, path, sel, hduFlag string) (*image, error) {
	infos, err := fits.List(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	index := selectHDU(infos, sel)
	if index < 0 {
		// Let the FITS reader describe what is missing.
		_, err := fits.ReadImage(path, sel)
		if err == nil {
			err = fmt.Errorf("%s: HDU %q not found", path, sel)
		}
		return nil, fmt.Errorf("%s: %w", role, err)
	}

	info := infos[index]
	switch {
	case info.Kind != fits.KindImage:
		return nil, fmt.Errorf("%s %s HDU %d is a %s, not an image: select an image HDU with %s", role, path, index, info.Kind, hduFlag)
	case pixelCount(info.Axes) == 0:
		return nil, fmt.Errorf("%s %s HDU %d has no pixels (%s): select an HDU with image data with %s", role, path, index, axesText(info.Axes), hduFlag)
	case len(info.Axes) != 2:
		return nil, fmt.Errorf("%s %s HDU %d has %d axes (%s): deconv needs a 2-D image, so select a 2-D HDU with %s or extract a plane of the cube first", role, path, index, len(info.Axes), axesText(info.Axes), hduFlag)
	}

	hdu, err := fits.ReadImage(path, strconv.Itoa(index))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	im := &image{path: path, hdu: index, nx: hdu.Axes[0], ny: hdu.Axes[1], data: hdu.Data, bitpix: hdu.Bitpix, cards: hdu.Cards}
	if n, x, y := firstNonFinite(im); n > 0 {
		return nil, fmt.Errorf("%s %s: %d pixels are NaN or Inf, the first at (x, y) = (%d, %d) counted from 0: deconvolution needs every pixel, so fill them (or, for an image, crop it)", role, im.where(), n, x, y)
	}
	return im, nil
}

// selectHDU returns the index of the HDU that sel selects, as
// fits.ReadImage does, or −1 when there is none.
func selectHDU(infos []fits.HDUInfo, sel string) int {
	if sel == "" {
		for _, h := range infos {
			if h.Kind == fits.KindImage && pixelCount(h.Axes) > 0 {
				return h.Index
			}
		}
		return -1
	}
	if i, err := strconv.Atoi(sel); err == nil {
		if i >= 0 && i < len(infos) {
			return i
		}
		return -1
	}
	for _, h := range infos {
		if strings.EqualFold(h.Name, sel) {
			return h.Index
		}
	}
	return -1
}

func pixelCount(axes []int) int {
	if len(axes) == 0 {
		return 0
	}
	n := 1
	for _, a := range axes {
		n *= a
	}
	return n
}

func axesText(axes []int) string {
	if len(axes) == 0 {
		return "no data"
	}
	parts := make([]string, len(axes))
	for i, a := range axes {
		parts[i] = strconv.Itoa(a)
	}
	return strings.Join(parts, " x ")
}

// firstNonFinite returns the number of NaN and Inf pixels and the position
// of the first.
func firstNonFinite(im *image) (n, x, y int) {
	x, y = -1, -1
	for i, v := range im.data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if n == 0 {
				x, y = i%im.nx, i/im.nx
			}
			n++
		}
	}
	return n, x, y
}

// psfModel is a PSF normalised to unit sum, with the facts the summary
// reports.
type psfModel struct {
	*image
	sum       float64 // the sum before normalisation
	peakX     int     // position of the brightest pixel
	peakY     int
	centroidX float64 // flux-weighted centre, after normalisation
	centroidY float64
	negative  int // pixels below zero
	minimum   float64
}

// readPSF reads and checks the PSF for the image and normalises it to unit
// sum. nonNegative rejects a PSF with negative pixels.
func readPSF(path, sel string, img *image, nonNegative bool) (*psfModel, error) {
	im, err := readImage("PSF", path, sel, "--psf-hdu")
	if err != nil {
		return nil, err
	}
	if im.nx > img.nx || im.ny > img.ny {
		return nil, fmt.Errorf("PSF %s is %d x %d pixels, larger than the %d x %d image %s: crop the PSF to at most the image size", im.where(), im.nx, im.ny, img.nx, img.ny, img.where())
	}

	p := &psfModel{image: im, minimum: math.Inf(1)}
	peak := math.Inf(-1)
	for i, v := range im.data {
		p.sum += v
		if v > peak {
			peak, p.peakX, p.peakY = v, i%im.nx, i/im.nx
		}
		if v < 0 {
			p.negative++
		}
		p.minimum = math.Min(p.minimum, v)
	}
	if !(p.sum > 0) || math.IsInf(p.sum, 0) {
		return nil, fmt.Errorf("PSF %s sums to %g: a PSF needs a positive, finite sum to be normalised", im.where(), p.sum)
	}
	if nonNegative && p.negative > 0 {
		return nil, fmt.Errorf("PSF %s has %d negative pixels (minimum %g): Richardson-Lucy needs a non-negative PSF, so set them to 0 or use wiener or tikhonov", im.where(), p.negative, p.minimum)
	}

	var sx, sy float64
	for i := range im.data {
		im.data[i] /= p.sum
		sx += im.data[i] * float64(i%im.nx)
		sy += im.data[i] * float64(i/im.nx)
	}
	p.centroidX, p.centroidY = sx, sy
	return p, nil
}

// inputs are the checked inputs of a run.
type inputs struct {
	img         *image
	psf         *psfModel
	noiseVar    float64 // 0 when it could not be estimated
	noiseSource string  // "given" or how it was estimated
}

// loadInputs reads the image and the PSF, sets the noise variance and
// reports them on log.
func loadInputs(in inputFlags, nonNegativePSF bool, log io.Writer) (*inputs, error) {
	img, err := readImage("image", in.image, in.imageHDU, "--image-hdu")
	if err != nil {
		return nil, err
	}
	psf, err := readPSF(in.psf, in.psfHDU, img, nonNegativePSF)
	if err != nil {
		return nil, err
	}
	r := &inputs{img: img, psf: psf, noiseVar: in.noiseVar, noiseSource: "given"}
	if in.noiseVar == 0 {
		r.noiseVar = estimateNoiseVar(img.data, img.nx, img.ny, noiseLag)
		r.noiseSource = noiseMethod
	}

	fmt.Fprintf(log, "image: %s (%d x %d pixels), sum %.6g\n", img.where(), img.nx, img.ny, sum(img.data))
	fmt.Fprintf(log, "PSF: %s (%d x %d pixels), sum %.6g, normalised to 1; peak at (%d, %d), centroid (%.2f, %.2f), centre pixel (%d, %d)\n",
		psf.where(), psf.nx, psf.ny, psf.sum, psf.peakX, psf.peakY, psf.centroidX, psf.centroidY, psf.nx/2, psf.ny/2)
	if r.noiseVar > 0 {
		fmt.Fprintf(log, "noise: variance %.4g per pixel (sigma %.4g), %s\n", r.noiseVar, math.Sqrt(r.noiseVar), r.noiseSource)
	} else {
		fmt.Fprintf(log, "noise: the %s is 0, so the variance is unknown (give --noise-var)\n", noiseMethod)
	}
	return r, nil
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}
