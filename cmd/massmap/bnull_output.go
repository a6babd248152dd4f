package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"io"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/quicklook"
	"github.com/skyinv/skyinv/skymap"
)

// writeBnullOutputs renders every output of massmap bnull in memory, then
// writes them: the result table, the per-simulation table, the FITS maps and
// the figure.
func writeBnullOutputs(out outputFlags, bf bnullFlags, fs *flag.FlagSet, args []string, s *nullSetup, res nullResult, dm dataMaps, log io.Writer, start time.Time) error {
	command := "massmap bnull " + strings.Join(args, " ")
	table := resultText(s, res, command)
	var simsTable, pngBytes []byte
	if bf.simsOut != "" {
		simsTable = simsText(s, res, command)
	}
	if out.png != "" {
		var err error
		if pngBytes, err = bnullFigure(s, res, dm); err != nil {
			return fmt.Errorf("%s: cannot draw the figure: %w", out.png, err)
		}
	}

	if bf.mapsOut != "" {
		if err := writeBnullMaps(bf.mapsOut, out.force, fs, args, s, res, dm); err != nil {
			return err
		}
		fmt.Fprintf(log, "wrote %s (KAPPA_E, KAPPA_B, KAPPA_STD, B_SNR, INTERIOR, NGAL, WEIGHT, SHEAR_STD)\n", bf.mapsOut)
	}
	outputs := []struct {
		path, what string
		content    []byte
	}{
		{out.out, "result table", table},
		{bf.simsOut, "statistics of every simulation", simsTable},
		{out.png, "figure", pngBytes},
	}
	for _, o := range outputs {
		if o.path == "" {
			continue
		}
		err := atomicfile.Write(o.path, out.force, func(w io.Writer) error {
			_, err := w.Write(o.content)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "wrote %s (%s)\n", o.path, o.what)
	}
	logDone(log, start)
	return nil
}

// writeBnullMaps writes the data's maps with the provenance of the run and
// the two main results in the header.
func writeBnullMaps(path string, force bool, fs *flag.FlagSet, args []string, s *nullSetup, res nullResult, dm dataMaps) error {
	interior := make([]float64, len(s.interior))
	for i, ok := range s.interior {
		if ok {
			interior[i] = 1
		}
	}
	maps := []skymap.Map{
		{Name: "KAPPA_E", Data: dm.e, Description: fmt.Sprintf("E-mode convergence (Kaiser-Squires, smoothed %g arcmin)", s.flags.smoothArcmin)},
		{Name: "KAPPA_B", Data: dm.b, Description: fmt.Sprintf("B-mode convergence (Kaiser-Squires, smoothed %g arcmin)", s.flags.smoothArcmin)},
		{Name: "KAPPA_STD", Data: s.sigma, Description: fmt.Sprintf("std of KAPPA_E from %d shape-noise realisations", s.flags.realisations)},
		{Name: "B_SNR", Data: dm.snr, Description: "KAPPA_B / KAPPA_STD"},
		{Name: "INTERIOR", Data: interior, Description: fmt.Sprintf("1 for footprint pixels at least %g arcmin from its edge", s.flags.edgeArcmin)},
	}
	maps = append(maps, s.b.dataMaps()...)

	header := provenance("bnull", fs, args, s.b)
	p, c := res.rows[res.primary], res.rows[res.chi2]
	header = append(header,
		fits.Card{Key: "SMOOTH", Value: s.flags.smoothArcmin, Comment: "[arcmin] Gaussian sigma applied to kappa"},
		fits.Card{Key: "NREALIS", Value: s.flags.realisations, Comment: "shape-noise realisations of KAPPA_STD"},
		fits.Card{Key: "NSIMS", Value: s.flags.sims, Comment: "simulations of the null distribution"},
		fits.Card{Key: "SEED", Value: seedValue(s.flags.seed), Comment: "seed of the noise realisations"},
		fits.Card{Key: "BSTD", Value: finiteOrZero(p.data), Comment: "std of B_SNR over the footprint"},
		fits.Card{Key: "BSTDMEAN", Value: finiteOrZero(p.mean), Comment: "mean of BSTD over the simulations"},
		fits.Card{Key: "BSTDSTD", Value: finiteOrZero(p.std), Comment: "std of BSTD over the simulations"},
		fits.Card{Key: "BSTDP", Value: finiteOrZero(p.p), Comment: "upper-tail p-value of BSTD"},
		fits.Card{Key: "BCHI2", Value: finiteOrZero(c.data), Comment: "chi-square of the B band powers"},
		fits.Card{Key: "BCHI2P", Value: finiteOrZero(c.p), Comment: "upper-tail p-value of BCHI2"},
	)
	return skymap.WriteFITS(path, force, s.b.grid, header, maps...)
}

// finiteOrZero returns v, or 0 when v is NaN or infinite, which a FITS
// header cannot hold as a number.
func finiteOrZero(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// bnullFigure draws B_SNR and the null distributions of B_std_footprint
// and B_chi2_bands side by side and returns the PNG.
func bnullFigure(s *nullSetup, res nullResult, dm dataMaps) ([]byte, error) {
	g := s.b.grid
	snr := make([]float64, len(dm.snr))
	for i, v := range dm.snr {
		snr[i] = v
		if !s.footprint[i] {
			snr[i] = math.NaN()
		}
	}
	m, err := quicklook.Render(snr, g.NX, g.NY, quicklook.Options{
		Title:       fmt.Sprintf("B_SNR  (KAPPA_B / sigma, smoothed %g arcmin)", s.flags.smoothArcmin),
		Label:       "B / σ",
		PixelArcmin: g.PixelArcmin,
		Mask:        s.footprint,
		Symmetric:   true,
		East:        "N up, E left",
	})
	if err != nil {
		return nil, err
	}
	figures := []*image.RGBA{m}
	size := m.Bounds().Size()
	for _, k := range []int{res.primary, res.chi2} {
		r := res.rows[k]
		if math.IsNaN(r.data) {
			continue
		}
		h, err := histogramImage(r, size.X, size.Y)
		if err != nil {
			return nil, err
		}
		figures = append(figures, h)
	}
	var buf bytes.Buffer
	if err := quicklook.EncodePanel(&buf, figures, len(figures)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// histogramImage draws the histogram of a statistic over the simulations,
// with the data's value as a vertical line, as a width × height image.
func histogramImage(r nullRow, width, height int) (*image.RGBA, error) {
	const dpi = 96
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: z = %.2f, p = %.3g", r.name, r.z, r.p)
	p.X.Label.Text = r.name
	p.Y.Label.Text = "simulations"

	var values plotter.Values
	for _, v := range r.sims {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			values = append(values, v)
		}
	}
	hist, err := plotter.NewHist(values, max(10, min(40, len(values)/5)))
	if err != nil {
		return nil, err
	}
	hist.FillColor = color.RGBA{R: 120, G: 150, B: 200, A: 255}
	top := 0.0
	for _, b := range hist.Bins {
		top = math.Max(top, b.Weight)
	}
	line, err := plotter.NewLine(plotter.XYs{{X: r.data, Y: 0}, {X: r.data, Y: top * 1.05}})
	if err != nil {
		return nil, err
	}
	line.Color = color.RGBA{R: 200, A: 255}
	line.Width = vg.Points(2)
	p.Add(hist, line)
	p.Legend.Add("simulations", hist)
	p.Legend.Add("data", line)
	p.Legend.Top = true
	p.Legend.Left = r.data > r.mean // away from the data's line

	// Keep the data's line inside the axes when it lies far from the null.
	lo, hi := hist.Bins[0].Min, hist.Bins[len(hist.Bins)-1].Max
	lo, hi = math.Min(lo, r.data), math.Max(hi, r.data)
	pad := 0.05 * (hi - lo)
	p.X.Min, p.X.Max = lo-pad, hi+pad

	w := vg.Length(width) * vg.Inch / dpi
	h := vg.Length(height) * vg.Inch / dpi
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
	p.Draw(draw.New(c))
	img := c.Image()
	if rgba, ok := img.(*image.RGBA); ok {
		return rgba, nil
	}
	rgba := image.NewRGBA(img.Bounds())
	stddraw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, stddraw.Src)
	return rgba, nil
}
