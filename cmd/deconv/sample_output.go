package main

import (
	"bytes"
	"fmt"
	stdimage "image"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/quantiles"
	"github.com/skyinv/skyinv/quicklook"
)

// writeSampleOutputs writes the FITS file of a sampling run and, when
// requested, its PNG panel. Every HDU gets the input's WCS and header.
// The PNG is rendered first, so that a rendering failure leaves no file
// behind.
func writeSampleOutputs(out outputFlags, post *posterior, qs []float64, header []fits.Card, inp *inputs, log io.Writer) error {
	img := inp.img
	var pngBytes []byte
	if out.png != "" {
		var err error
		if pngBytes, err = samplePanel(post, inp); err != nil {
			return fmt.Errorf("%s: cannot render the panel: %w", out.png, err)
		}
	}

	// The HDUs: the summaries, then the cube of samples.
	type plane struct {
		name, description string
		data              []float64
	}
	planes := []plane{
		{"MEAN", "posterior mean over every state after the burn-in", post.mean},
		{"STD", "posterior standard deviation over every state after the burn-in", post.std},
	}
	for _, q := range qs {
		planes = append(planes, plane{quantiles.Name("", q), fmt.Sprintf("posterior quantile %g", q), quantiles.Map(post.samples, q)})
	}
	planes = append(planes, plane{"RHAT", "split R-hat per pixel over every state after the burn-in", post.rhat})

	bitpix := -64
	if img.bitpix == -32 || img.bitpix == 8 || img.bitpix == 16 {
		bitpix = -32
	}
	wcs := wcsCards(img.cards)
	var hdus []fits.ImageHDU
	for _, p := range planes {
		cards := append(append(append([]fits.Card{}, wcs...), fits.Card{Key: "COMMENT", Comment: p.description}), header...)
		hdus = append(hdus, fits.ImageHDU{Name: p.name, Axes: []int{post.nx, post.ny}, Data: p.data, Bitpix: bitpix, Cards: cards})
	}
	cube := make([]float64, 0, len(post.samples)*post.nx*post.ny)
	for _, s := range post.samples {
		cube = append(cube, s...)
	}
	cubeCards := cubeWCS(wcs)
	cubeCards = append(cubeCards, fits.Card{Key: "COMMENT", Comment: "posterior samples, chain by chain"})
	cubeCards = append(cubeCards, header...)
	hdus = append(hdus, fits.ImageHDU{Name: "SAMPLES", Axes: []int{post.nx, post.ny, len(post.samples)}, Data: cube, Bitpix: bitpix, Cards: cubeCards})

	if err := fits.WriteImages(out.out, out.force, hdus...); err != nil {
		return err
	}
	names := make([]string, len(hdus))
	for i, h := range hdus {
		names[i] = h.Name
	}
	fmt.Fprintf(log, "wrote %s (%s)\n", out.out, strings.Join(names, ", "))
	if out.png != "" {
		return writePNG(out, pngBytes, "MEAN, STD, two samples", log)
	}
	return nil
}

// cubeWCS returns the WCS cards of the input, wcs, for the cube of
// samples, with a third, linear axis that counts the samples from 1. An
// input with a CD matrix gets CD3_3, since the FITS standard does not mix
// CDi_j and CDELTi. An input without CTYPE1 and CTYPE2 gets linear pixel
// axes counted from 0, so that each of the three axes has its keywords.
func cubeWCS(wcs []fits.Card) []fits.Card {
	cards := append([]fits.Card{}, wcs...)
	has := map[string]bool{}
	cd := false
	for i, c := range cards {
		has[c.Key] = true
		if strings.HasPrefix(c.Key, "CD") && !strings.HasPrefix(c.Key, "CDELT") {
			cd = true
		}
		if c.Key == "WCSAXES" {
			cards[i].Value = 3
		}
	}
	if !has["CTYPE1"] && !has["CTYPE2"] {
		for axis := 1; axis <= 2; axis++ {
			cards = append(cards,
				fits.Card{Key: fmt.Sprintf("CTYPE%d", axis), Value: "PIXEL", Comment: "pixel index, the input has no WCS"},
				fits.Card{Key: fmt.Sprintf("CRPIX%d", axis), Value: 1.0, Comment: "reference pixel"},
				fits.Card{Key: fmt.Sprintf("CRVAL%d", axis), Value: 0.0, Comment: "index of the first pixel, counted from 0"},
			)
			if !cd {
				cards = append(cards, fits.Card{Key: fmt.Sprintf("CDELT%d", axis), Value: 1.0, Comment: "index step between pixels"})
			}
		}
	}
	cards = append(cards,
		fits.Card{Key: "CTYPE3", Value: "SAMPLE", Comment: "sample index along axis 3 (linear)"},
		fits.Card{Key: "CRPIX3", Value: 1.0, Comment: "reference pixel on axis 3"},
		fits.Card{Key: "CRVAL3", Value: 1.0, Comment: "index of the first sample"},
	)
	step := fits.Card{Key: "CDELT3", Value: 1.0, Comment: "index step between samples"}
	if cd {
		step.Key = "CD3_3"
	}
	return append(cards, step)
}

// samplePanel draws the mean, the standard deviation and the first two
// samples as a 2 × 2 PNG. The mean and the samples share one colour range.
func samplePanel(post *posterior, inp *inputs) ([]byte, error) {
	label := "image units"
	for _, c := range inp.img.cards {
		if s, ok := c.Value.(string); ok && c.Key == "BUNIT" && s != "" {
			label = s
		}
	}
	base := filepath.Base(inp.img.path)
	lo, hi := percentileRange(post.mean)
	panels := []struct {
		title string
		data  []float64
		opt   quicklook.Options
	}{
		{"MEAN  (posterior mean of " + base + ")", post.mean, quicklook.Options{Min: lo, Max: hi}},
		{"STD  (posterior standard deviation)", post.std, quicklook.Options{}},
	}
	for k := range min(2, len(post.samples)) {
		panels = append(panels, struct {
			title string
			data  []float64
			opt   quicklook.Options
		}{fmt.Sprintf("sample %d", k+1), post.samples[k], quicklook.Options{Min: lo, Max: hi}})
	}
	figs := make([]*stdimage.RGBA, len(panels))
	for i, p := range panels {
		p.opt.Title, p.opt.Label = p.title, label
		fig, err := quicklook.Render(p.data, post.nx, post.ny, p.opt)
		if err != nil {
			return nil, err
		}
		figs[i] = fig
	}
	var buf bytes.Buffer
	if err := quicklook.EncodePanel(&buf, figs, 2); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// percentileRange returns the 0.5th and 99.5th percentiles of v, the
// range that quicklook picks by itself, or (0, 0), quicklook's automatic
// range, for a constant image.
func percentileRange(v []float64) (lo, hi float64) {
	sorted := slices.Clone(v)
	slices.Sort(sorted)
	n := len(sorted) - 1
	lo, hi = sorted[n/200], sorted[n-n/200]
	if !(hi > lo) {
		return 0, 0
	}
	return lo, hi
}
