// Package plotloss draws the loss curve of a training run as a PNG: the
// training loss, smoothed, the validation loss and an optional reference
// level, against the step. The loss axis is linear, because a training run
// that improves on a baseline spans much less than a decade.
package plotloss

import (
	"errors"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Curve is a training run's history.
type Curve struct {
	Title string

	// Steps and Loss are the training loss of each step.
	Steps []int
	Loss  []float64

	// ValSteps and Val are the validation losses.
	ValSteps []int
	Val      []float64

	// Reference, unless NaN or zero, is drawn as a dashed level labelled
	// ReferenceLabel, such as the loss of a baseline method.
	Reference      float64
	ReferenceLabel string
}

// Encode draws c and writes it to w as a 770 × 550 PNG. The training loss
// is shown as a running mean over 2% of the steps (at least 1). It
// returns an error if no loss is positive and finite.
func Encode(w io.Writer, c Curve) error {
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = "step"
	p.Y.Label.Text = "loss (mean squared error)"
	p.Legend.Top = true
	p.Legend.YOffs = -vg.Points(4)
	p.Add(plotter.NewGrid())

	window := max(1, len(c.Loss)/50)
	train := make(plotter.XYs, 0, len(c.Loss))
	var sum float64
	for i, v := range c.Loss {
		sum += v
		if i >= window {
			sum -= c.Loss[i-window]
		}
		m := sum / float64(min(i+1, window))
		if m > 0 && !math.IsInf(m, 0) {
			train = append(train, plotter.XY{X: float64(c.Steps[i]), Y: m})
		}
	}
	val := make(plotter.XYs, 0, len(c.Val))
	for i, v := range c.Val {
		if v > 0 && !math.IsInf(v, 0) {
			val = append(val, plotter.XY{X: float64(c.ValSteps[i]), Y: v})
		}
	}
	if len(train) == 0 && len(val) == 0 {
		return errors.New("plotloss: no positive, finite loss to draw")
	}

	blue := color.RGBA{0x00, 0x72, 0xb2, 0xff}
	vermillion := color.RGBA{0xd5, 0x5e, 0x00, 0xff}
	if len(train) > 0 {
		l, err := plotter.NewLine(train)
		if err != nil {
			return err
		}
		l.Color = blue
		p.Add(l)
		p.Legend.Add("training (running mean)", l)
	}
	if len(val) > 0 {
		l, s, err := plotter.NewLinePoints(val)
		if err != nil {
			return err
		}
		l.Color, s.Color = vermillion, vermillion
		s.Shape = draw.CircleGlyph{}
		p.Add(l, s)
		p.Legend.Add("validation", l, s)
	}
	if r := c.Reference; r > 0 && !math.IsInf(r, 0) {
		x0, x1 := 0.0, 1.0
		if len(c.Steps) > 0 {
			x0, x1 = float64(c.Steps[0]), float64(c.Steps[len(c.Steps)-1])
		}
		if len(c.ValSteps) > 0 {
			x1 = math.Max(x1, float64(c.ValSteps[len(c.ValSteps)-1]))
		}
		l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: r}, {X: x1, Y: r}})
		if err != nil {
			return err
		}
		l.Color = color.Black
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		p.Legend.Add(c.ReferenceLabel, l)
	}

	// Room above the highest line for the legend.
	p.Y.Max += 0.15 * (p.Y.Max - p.Y.Min)

	img := vgimg.NewWith(vgimg.UseWH(7*vg.Inch, 5*vg.Inch), vgimg.UseDPI(110))
	p.Draw(draw.New(img))
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}
