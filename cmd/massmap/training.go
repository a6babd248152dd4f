package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/internal/plotloss"
	"github.com/skyinv/skyinv/score"
)

// trainReport prints the progress of a training run and keeps its losses
// for the loss table and curve.
type trainReport struct {
	log          io.Writer
	start        time.Time
	first, total int     // steps done before this run, and in all
	every        int     // steps between progress lines
	pixels       float64 // pixels per step, for the throughput
	reference    float64 // the validation loss of a baseline
	refLabel     string

	steps, valSteps []int
	loss, val       []float64
}

func newTrainReport(log io.Writer, first, total int, pixels, reference float64, refLabel string) *trainReport {
	return &trainReport{log: log, start: time.Now(), first: first, total: total, every: max(1, total/200),
		pixels: pixels, reference: reference, refLabel: refLabel}
}

// progress records a step and prints a line every so often and after each
// validation.
func (r *trainReport) progress(p score.Progress) {
	r.steps = append(r.steps, p.Step)
	r.loss = append(r.loss, p.Loss)
	if !math.IsNaN(p.Validation) {
		r.valSteps = append(r.valSteps, p.Step)
		r.val = append(r.val, p.Validation)
	}
	done, todo := p.Step-r.first, r.total-r.first
	if done%r.every != 0 && done != todo && math.IsNaN(p.Validation) {
		return
	}
	el := time.Since(r.start)
	rate := float64(done) / el.Seconds()
	eta := time.Duration(float64(todo-done) / rate * float64(time.Second))
	n := min(r.every, len(r.loss))
	var mean float64
	for _, v := range r.loss[len(r.loss)-n:] {
		mean += v
	}
	mean /= float64(n)
	loss := fmt.Sprintf("loss %.4f", mean)
	if n > 1 {
		loss += fmt.Sprintf(" (mean of last %d)", n)
	}
	fmt.Fprintf(r.log, "  step %d/%d  %s  lr %.2g  %.2f steps/s, %.2f Mpixel/s  %s, about %s left\n",
		p.Step, r.total, loss, p.LearningRate, rate, rate*r.pixels/1e6, since(r.start), eta.Round(time.Second))
	if !math.IsNaN(p.Validation) {
		fmt.Fprintf(r.log, "  validation loss %.4f (%s: %.4f)\n", p.Validation, r.refLabel, r.reference)
	}
}

// write writes the loss table and the loss curve, each unless its path is
// empty.
func (r *trainReport) write(table, png string, force bool, title string) error {
	if table != "" {
		if err := atomicfile.Write(table, force, r.writeTable); err != nil {
			return err
		}
		fmt.Fprintf(r.log, "wrote %s\n", table)
	}
	if png == "" {
		return nil
	}
	var buf bytes.Buffer
	err := plotloss.Encode(&buf, plotloss.Curve{
		Title: title, Steps: r.steps, Loss: r.loss, ValSteps: r.valSteps, Val: r.val,
		Reference: r.reference, ReferenceLabel: "validation, " + r.refLabel,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", png, err)
	}
	if err := atomicfile.Write(png, force, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
		return err
	}
	fmt.Fprintf(r.log, "wrote %s\n", png)
	return nil
}

func (r *trainReport) writeTable(w io.Writer) error {
	fmt.Fprintln(w, "# step  training_loss  validation_loss (NaN where not measured)")
	j := 0
	for i, s := range r.steps {
		val := math.NaN()
		if j < len(r.valSteps) && r.valSteps[j] == s {
			val = r.val[j]
			j++
		}
		if _, err := fmt.Fprintf(w, "%d %.6g %.6g\n", s, r.loss[i], val); err != nil {
			return err
		}
	}
	return nil
}
