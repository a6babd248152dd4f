package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/quicklook"
)

// wcsKey matches the header keywords copied from the input, because
// deconvolution keeps the pixel grid and the units: the world coordinate
// system (CTYPEn, CRPIXn, CRVALn, CDELTn, CDi_j, PCi_j, PVi_m and the rest,
// with their alternate-description letters), the SIP distortion terms, the
// IRAF physical-to-image mapping (LTVn, LTMi_j) and BUNIT.
var wcsKey = regexp.MustCompile(`^(WCSAXES[A-Z]?|WCSNAME[A-Z]?|CTYPE\d[A-Z]?|CUNIT\d[A-Z]?|CRPIX\d[A-Z]?|CRVAL\d[A-Z]?|CDELT\d[A-Z]?|CROTA\d|CD\d_\d[A-Z]?|PC\d_\d[A-Z]?|PV\d_\d+[A-Z]?|PS\d_\d+[A-Z]?|LONPOLE[A-Z]?|LATPOLE[A-Z]?|RADESYS[A-Z]?|RADECSYS|EQUINOX[A-Z]?|EPOCH|MJD-OBS|DATE-OBS|A_ORDER|B_ORDER|AP_ORDER|BP_ORDER|A_\d+_\d+|B_\d+_\d+|AP_\d+_\d+|BP_\d+_\d+|LTV\d|LTM\d_\d|BUNIT)$`)

// wcsCards returns the cards of the input header that wcsKey matches.
func wcsCards(cards []fits.Card) []fits.Card {
	var out []fits.Card
	for _, c := range cards {
		if wcsKey.MatchString(c.Key) {
			out = append(out, c)
		}
	}
	return out
}

// finish computes the residual, reports it, and writes the outputs.
func finish(name string, fs *flag.FlagSet, args []string, inp *inputs, res runResult, out outputFlags, start time.Time, log io.Writer) error {
	img := inp.img

	// The residual of the data and the fluxes.
	model := make([]float64, len(img.data))
	res.model.Apply(model, res.x)
	var r2, y2 float64
	for i, v := range model {
		r2 += (v - img.data[i]) * (v - img.data[i])
		y2 += img.data[i] * img.data[i]
	}
	residual := math.Sqrt(r2 / y2)
	if y2 == 0 {
		residual = math.Sqrt(r2) // an all-zero image: the absolute residual
	}
	chi2 := math.NaN()
	if inp.noiseVar > 0 {
		chi2 = r2 / (float64(len(model)) * inp.noiseVar)
	}
	fmt.Fprintf(log, "%s: ", res.method)
	if res.iterations > 0 {
		fmt.Fprintf(log, "%d iterations, ", res.iterations)
	}
	fmt.Fprintf(log, "residual |A x - y|/|y| = %.4g", residual)
	if !math.IsNaN(chi2) {
		fmt.Fprintf(log, ", chi^2 per pixel = %.4g", chi2)
	}
	fmt.Fprintf(log, "\n  flux: sum(y) = %.6g, sum(x) = %.6g, sum(A x) = %.6g\n", sum(img.data), sum(res.x), sum(model))

	// The header: the input's WCS, the provenance and the results.
	cards := wcsCards(img.cards)
	cards = append(cards, provenance(name, fs, args, inp, res)...)
	cards = append(cards,
		fits.Card{Key: "NITER", Value: res.iterations, Comment: "iterations run (0 for a closed form)"},
		fits.Card{Key: "CONVERGE", Value: res.converged, Comment: "tolerance reached before the iteration cap"},
		fits.Card{Key: "RESIDUAL", Value: residual, Comment: "|A x - y| / |y| (|A x - y| when y = 0)"},
	)
	if !math.IsNaN(chi2) {
		cards = append(cards, fits.Card{Key: "CHI2PIX", Value: chi2, Comment: "|A x - y|^2 / (npix noise variance)"})
	}
	cards = append(cards, history(name, fs, args)...)

	bitpix := -64
	if img.bitpix == -32 || img.bitpix == 8 || img.bitpix == 16 {
		bitpix = -32
	}
	hdu := fits.ImageHDU{Axes: []int{img.nx, img.ny}, Data: res.x, Bitpix: bitpix, Cards: cards}
	if err := writeOutputs(out, hdu, res.method, inp, log); err != nil {
		return err
	}
	fmt.Fprintf(log, "done in %s\n", since(start))
	return nil
}

// provenance returns the cards that record how the file was made.
func provenance(name string, fs *flag.FlagSet, args []string, inp *inputs, res runResult) []fits.Card {
	cards := []fits.Card{
		{Key: "ORIGIN", Value: "skyinv", Comment: "toolkit that wrote this file"},
		{Key: "PROGRAM", Value: "deconv " + name, Comment: "command that wrote this file"},
		{Key: "VERSION", Value: skyinv.Version, Comment: "version of the toolkit"},
		{Key: "DATE", Value: time.Now().UTC().Format("2006-01-02T15:04:05"), Comment: "UTC time the file was written"},
		{Key: "METHOD", Value: res.method, Comment: "deconvolution method"},
		{Key: "IMAGE", Value: inp.img.path, Comment: "input image"},
		{Key: "IMAGEHDU", Value: inp.img.hdu, Comment: "HDU of the input image (0 = primary)"},
		{Key: "PSF", Value: inp.psf.path, Comment: "input PSF"},
		{Key: "PSFHDU", Value: inp.psf.hdu, Comment: "HDU of the PSF (0 = primary)"},
		{Key: "PSFSUM", Value: inp.psf.sum, Comment: "sum of the PSF before normalisation to 1"},
		{Key: "PSFCX", Value: float64(inp.psf.nx / 2), Comment: "[pixel] PSF centre x, from 0"},
		{Key: "PSFCY", Value: float64(inp.psf.ny / 2), Comment: "[pixel] PSF centre y, from 0"},
	}
	if inp.noiseVar > 0 {
		source := "given"
		if inp.noiseSource != "given" {
			source = "estimated"
		}
		cards = append(cards,
			fits.Card{Key: "NOISEVAR", Value: inp.noiseVar, Comment: "noise variance per pixel"},
			fits.Card{Key: "NOISESRC", Value: source, Comment: "given, or from differences of pixels 2 apart"},
		)
	}
	return append(cards, res.cards...)
}

// history returns HISTORY cards with every flag value and the command line.
func history(name string, fs *flag.FlagSet, args []string) []fits.Card {
	var cards []fits.Card
	fs.VisitAll(func(f *flag.Flag) {
		cards = append(cards, fits.Card{Key: "HISTORY", Comment: fmt.Sprintf("--%s=%s", f.Name, f.Value)})
	})
	return append(cards, fits.Card{Key: "HISTORY", Comment: "command line: deconv " + name + " " + strings.Join(args, " ")})
}

// writeOutputs writes the FITS file and, when requested, the PNG quick
// look. The PNG is rendered first, so that a rendering failure leaves no
// file behind.
func writeOutputs(out outputFlags, hdu fits.ImageHDU, method string, inp *inputs, log io.Writer) error {
	var pngBytes []byte
	if out.png != "" {
		label := "image units"
		for _, c := range inp.img.cards {
			if c.Key == "BUNIT" {
				if s, ok := c.Value.(string); ok && s != "" {
					label = s
				}
			}
		}
		opt := quicklook.Options{
			Title: fmt.Sprintf("%s deconvolution of %s", method, filepath.Base(inp.img.path)),
			Label: label,
		}
		var buf bytes.Buffer
		if err := quicklook.Encode(&buf, hdu.Data, inp.img.nx, inp.img.ny, opt); err != nil {
			return fmt.Errorf("%s: cannot render the quick look: %w", out.png, err)
		}
		pngBytes = buf.Bytes()
	}

	if err := fits.WriteImages(out.out, out.force, hdu); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %s (%d x %d)\n", out.out, inp.img.nx, inp.img.ny)

	if out.png != "" {
		return writePNG(out, pngBytes, "", log)
	}
	return nil
}

// writePNG writes the rendered PNG to out.png and reports it on log, with
// what it shows unless that is empty.
func writePNG(out outputFlags, png []byte, shows string, log io.Writer) error {
	err := atomicfile.Write(out.png, out.force, func(w io.Writer) error {
		_, err := w.Write(png)
		return err
	})
	if err != nil {
		return err
	}
	if shows != "" {
		shows = " (" + shows + ")"
	}
	fmt.Fprintf(log, "wrote %s%s\n", out.png, shows)
	return nil
}
