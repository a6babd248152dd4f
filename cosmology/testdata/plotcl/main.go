// Command plotcl draws the Halofit convergence power spectrum of the
// kappaTNG cosmology (Osato et al. 2021, MNRAS 502, 5593) against the
// theory table shipped with the kappaTNG maps, as a PNG:
//
//	go run ./cosmology/testdata/plotcl -out cl_vs_ktng.png
//
// The upper panel shows ℓ(ℓ+1)C_ℓ/2π against ℓ on log-log axes for the
// table and for single source redshifts; the lower panel shows the ratio
// model/table. It made cosmology/testdata/cl_vs_ktng.png with the default
// flags. z_s = 1.173 is the least-squares fit in ln C_ℓ over
// 100 < ℓ < 1e4 that the package test TestKTNGTable logs.
package main

import (
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/internal/shareddata"
)

func main() {
	os.Exit(run(os.Stdout, os.Stderr, os.Args[1:]))
}

// kappaTNG is the IllustrisTNG (Planck 2015) cosmology of the kappaTNG
// maps.
func kappaTNG() cosmology.Params {
	const h = 0.6774
	return cosmology.Params{H: h, OmegaCDM: 0.3089 - 0.0486, OmegaB: 0.0486, NS: 0.9667, Sigma8: 0.8159, TCMB: 2.7255}
}

// curveColors are the line colours of the model curves, in the order of
// the -zs flag (Okabe–Ito palette).
var curveColors = []color.RGBA{
	{0xd5, 0x5e, 0x00, 0xff}, // vermillion
	{0x00, 0x72, 0xb2, 0xff}, // blue
	{0x00, 0x9e, 0x73, 0xff}, // bluish green
	{0xcc, 0x79, 0xa7, 0xff}, // reddish purple
}

func run(stdout, stderr io.Writer, args []string) int {
	flags := flag.NewFlagSet("plotcl", flag.ContinueOnError)
	flags.SetOutput(stderr)
	out := flags.String("out", "cl_vs_ktng.png", "output PNG file")
	tablePath := flags.String("table", "", "C_ell table of two columns, ell and C_ell (default: ktng/ps_theory.txt in the reference data directory)")
	zsList := flags.String("zs", "1.034,1.173", "comma-separated source redshifts of the model curves (at most 4)")
	if err := flags.Parse(args); err != nil {
		return 2
	}

	if *tablePath == "" {
		dir, ok := shareddata.Dir()
		if !ok {
			fmt.Fprintln(stderr, "plotcl: reference data directory not found: set SKYINV_DATA or give -table")
			return 1
		}
		*tablePath = filepath.Join(dir, "ktng", "ps_theory.txt")
	}
	var redshifts []float64
	for _, f := range strings.Split(*zsList, ",") {
		z, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(z > 0) {
			fmt.Fprintf(stderr, "plotcl: invalid source redshift %q in -zs, want numbers > 0\n", f)
			return 2
		}
		redshifts = append(redshifts, z)
	}
	if len(redshifts) > len(curveColors) {
		fmt.Fprintf(stderr, "plotcl: %d source redshifts in -zs, want at most %d\n", len(redshifts), len(curveColors))
		return 2
	}

	if err := drawFigure(*out, *tablePath, redshifts); err != nil {
		fmt.Fprintln(stderr, "plotcl:", err)
		return 1
	}
	fmt.Fprintln(stdout, "wrote", *out)
	return 0
}

// drawFigure computes the curves and writes the two-panel figure to out.
func drawFigure(out, tablePath string, redshifts []float64) error {
	tab, err := cosmology.ReadTable(tablePath)
	if err != nil {
		return err
	}
	ells := make([]float64, tab.Len())
	for i := range ells {
		ells[i], _ = tab.Row(i)
	}
	m, err := cosmology.New(kappaTNG(), cosmology.Settings{})
	if err != nil {
		return err
	}

	top := plot.New()
	top.Title.Text = "Convergence power: Halofit (this package) against the kappaTNG table"
	top.Y.Label.Text = "ℓ(ℓ+1) C_ℓ / 2π"
	top.X.Scale, top.Y.Scale = plot.LogScale{}, plot.LogScale{}
	top.X.Tick.Marker, top.Y.Tick.Marker = decadeTicks{}, decadeTicks{}
	top.Legend.Top, top.Legend.Left = false, false
	top.Legend.XOffs, top.Legend.YOffs = -vg.Points(6), vg.Points(6)
	top.Add(plotter.NewGrid())

	bottom := plot.New()
	bottom.X.Label.Text = "multipole ℓ"
	bottom.Y.Label.Text = "model / table"
	bottom.X.Scale = plot.LogScale{}
	bottom.X.Tick.Marker = decadeTicks{}
	bottom.Add(plotter.NewGrid())
	unitLine, err := plotter.NewLine(plotter.XYs{{X: ells[0], Y: 1}, {X: ells[len(ells)-1], Y: 1}})
	if err != nil {
		return err
	}
	unitLine.Color = color.Gray{Y: 0x60}
	unitLine.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	bottom.Add(unitLine)

	// The table: black points joined by a thin line.
	tableXY := make(plotter.XYs, len(ells))
	for i, l := range ells {
		_, c := tab.Row(i)
		tableXY[i] = plotter.XY{X: l, Y: l * (l + 1) * c / (2 * math.Pi)}
	}
	line, points, err := plotter.NewLinePoints(tableXY)
	if err != nil {
		return err
	}
	points.Radius = vg.Points(2)
	top.Add(line, points)
	top.Legend.Add("kappaTNG table (ps_theory.txt)", line, points)

	// The model curves and their ratios to the table.
	for j, zs := range redshifts {
		cl, err := m.ConvergenceCl(cosmology.SingleSource(zs), ells)
		if err != nil {
			return err
		}
		model := make(plotter.XYs, len(ells))
		ratio := make(plotter.XYs, len(ells))
		for i, l := range ells {
			model[i] = plotter.XY{X: l, Y: l * (l + 1) * cl[i] / (2 * math.Pi)}
			ratio[i] = plotter.XY{X: l, Y: cl[i] / tab.At(l)}
		}
		for _, p := range []struct {
			plot *plot.Plot
			xy   plotter.XYs
		}{{top, model}, {bottom, ratio}} {
			l, err := plotter.NewLine(p.xy)
			if err != nil {
				return err
			}
			l.Color = curveColors[j]
			l.Width = vg.Points(1.5)
			p.plot.Add(l)
			if p.plot == top {
				top.Legend.Add(fmt.Sprintf("Halofit + EH98, z_s = %g", zs), l)
			}
		}
	}

	// Mark the range used for the fit.
	bottom.Y.Min, bottom.Y.Max = 0.5, 1.3
	for _, x := range []float64{100, 1e4} {
		edge, err := plotter.NewLine(plotter.XYs{{X: x, Y: bottom.Y.Min}, {X: x, Y: bottom.Y.Max}})
		if err != nil {
			return err
		}
		edge.Color = color.Gray{Y: 0xa0}
		edge.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		bottom.Add(edge)
	}
	bottom.Title.Text = "grey dashed verticals: 100 < ℓ < 1e4, the range of the z_s fit"
	bottom.Title.TextStyle.Font.Size = vg.Points(10)

	const width, height = 7 * vg.Inch, 8 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(110))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(10), PadY: vg.Points(8)}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	return f.Close()
}

// decadeTicks are the ticks of plot.LogTicks with the labels of the
// decades written as 1e-05, 1e+03 and so on, rounded so that 10⁻⁵ does not
// print as 9.999999999999999e-06.
type decadeTicks struct{}

func (decadeTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label == "" {
			continue
		}
		e := int(math.Round(math.Log10(ticks[i].Value)))
		if e >= 0 && e <= 5 {
			ticks[i].Label = strconv.FormatFloat(math.Pow(10, float64(e)), 'f', 0, 64)
		} else {
			ticks[i].Label = fmt.Sprintf("1e%d", e)
		}
	}
	return ticks
}
