package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/galaxies"
	"github.com/skyinv/skyinv/imageprior"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/internal/cli"
	"github.com/skyinv/skyinv/internal/plotloss"
	"github.com/skyinv/skyinv/score"
)

const trainScoreSynopsis = `Usage: deconv train-score --out MODEL [flags]

Trains an image prior for deconv sample: a noise-conditional U-Net fitted by
denoising score matching on simulated galaxy scenes of --size pixels, each a
main galaxy and a Poisson number of neighbours drawn by package galaxies:
Sérsic bulges and discs with clumps, magnitudes uniform between --mag-min and
--mag-max, sizes from a size-magnitude relation, at --pixel-arcsec and in
the flux unit of --zero-point. The noise levels are drawn log-uniformly
between --sigma-min and --sigma-max, in that flux unit. Held-out scenes of
another seed give the validation loss, beside the loss of the Wiener denoiser
of the training scenes' power spectrum. Progress goes to stderr.`

func runTrainScore(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("train-score", trainScoreSynopsis, args, stdout, stderr)
	out := fs.String("out", "", "output model file (required)")
	force := fs.Bool("force", false, "overwrite existing output files")
	pixelArcsec := fs.Float64("pixel-arcsec", 0.03, "pixel size of the scenes in arcsec")
	zeroPoint := fs.Float64("zero-point", 26.1, "AB magnitude of a total flux of one image unit")
	magMin := fs.Float64("mag-min", 20.5, "brightest magnitude of the main galaxy")
	magMax := fs.Float64("mag-max", 25.5, "faintest magnitude of the main galaxy")
	neighbours := fs.Float64("neighbours", 0.6, "mean number of neighbouring galaxies per scene (0 for none)")
	size := fs.Int("size", 64, "side of the training scenes in pixels, a multiple of 2^depth")
	sigmaMin := fs.Float64("sigma-min", 1e-4, "smallest noise level, in image units")
	sigmaMax := fs.Float64("sigma-max", 1, "largest noise level, in image units")
	depth := fs.Int("depth", 3, "U-Net depth: number of 2x2 poolings")
	channels := fs.Int("channels", 16, "U-Net channels at full resolution (doubling at each level)")
	batch := fs.Int("batch", 16, "scenes per training step")
	steps := fs.Int("steps", 4000, "training steps")
	lr := fs.Float64("lr", 1e-3, "peak learning rate of Adam (linear warm-up, then cosine decay to 1% of it)")
	warmup := fs.Int("warmup", 200, "warm-up steps of the learning rate; without this flag, 200 or a tenth of --steps, whichever is fewer")
	validateEvery := fs.Int("validate-every", 500, "steps between validations")
	valBatches := fs.Int("val-batches", 8, "held-out batches for the validation loss")
	lossPNG := fs.String("loss-png", "", "write the loss curve to this PNG file")
	lossTable := fs.String("loss-table", "", "write the loss of every step to this text file")
	seed := fs.Uint64("seed", 1, "random seed of the scenes, the noise and the initial weights; the held-out scenes use seed+1")
	if err := cli.ParseFlags(fs, args, "--out MODEL"); err != nil {
		return err
	}
	if !setFlags(fs)["warmup"] {
		*warmup = min(*warmup, *steps/10)
	}
	switch {
	case *out == "":
		return usagef("missing --out: name the model file")
	case !(*pixelArcsec > 0) || math.IsInf(*pixelArcsec, 0):
		return usagef("invalid --pixel-arcsec %v: it must be positive", *pixelArcsec)
	case math.IsNaN(*zeroPoint) || math.IsInf(*zeroPoint, 0):
		return usagef("invalid --zero-point %v: it must be a finite magnitude", *zeroPoint)
	case !(*magMin <= *magMax) || math.IsInf(*magMin, 0) || math.IsInf(*magMax, 0):
		return usagef("invalid magnitudes --mag-min %v --mag-max %v: need mag-min <= mag-max", *magMin, *magMax)
	case !(*neighbours >= 0) || math.IsInf(*neighbours, 0):
		return usagef("invalid --neighbours %v: it must be 0 or a positive number", *neighbours)
	}
	training := cli.ScoreTraining{Depth: *depth, Size: *size, MinSize: 8, Channels: *channels, Batch: *batch, Steps: *steps,
		ValBatches: *valBatches, ValidateEvery: *validateEvery, Warmup: *warmup, SigmaMin: *sigmaMin, SigmaMax: *sigmaMax, LearningRate: *lr}
	if err := training.Check(); err != nil {
		return err
	}
	for _, p := range []string{*out, *lossPNG, *lossTable} {
		if p != "" {
			if err := atomicfile.CheckWritable(p, *force); err != nil {
				return err
			}
		}
	}

	// The scenes: training from the seed, held out from seed+1.
	pop := galaxies.Population{PixelArcsec: *pixelArcsec, ZeroPoint: *zeroPoint, MagMin: *magMin, MagMax: *magMax, Neighbours: *neighbours}
	if *neighbours == 0 {
		pop.Neighbours = -1 // the Population field's value for none
	}
	train, err := imageprior.NewScenes(pop, *size, *batch, *seed)
	if err != nil {
		return usageError{Err: err}
	}
	validation, err := imageprior.NewScenes(pop, *size, *batch, *seed+1)
	if err != nil {
		return usageError{Err: err}
	}
	description := fmt.Sprintf("simulated galaxies, magnitudes %g to %g, %g neighbours, %d x %d scenes", *magMin, *magMax, *neighbours, *size, *size)
	fmt.Fprintf(stderr, "training scenes: %s, %g-arcsec pixels, zero point %g; noise levels %g to %g\n", description, *pixelArcsec, *zeroPoint, *sigmaMin, *sigmaMax)

	adam := score.DefaultAdamConfig()
	adam.LearningRate = *lr
	adam.Schedule = score.Schedule{WarmupSteps: *warmup, DecaySteps: *steps - *warmup, MinRate: *lr / 100}
	rep := newTrainProgress(stderr, *steps)
	model, err := imageprior.Train(imageprior.TrainConfig{
		Train: train, Validation: validation, SigmaMin: *sigmaMin, SigmaMax: *sigmaMax,
		Net:   score.UNetConfig{Depth: *depth, BaseChannels: *channels},
		Steps: *steps, Adam: adam, Seed: *seed,
		ValidationBatches: *valBatches, ValidateEvery: *validateEvery,
		Info:     imageprior.Info{PixelArcsec: *pixelArcsec, ZeroPoint: *zeroPoint, Training: description, Population: &pop},
		Progress: rep.step,
		Baseline: func(wiener, identity float64) {
			rep.wiener = wiener
			fmt.Fprintf(stderr, "baselines on the held-out batches: Wiener denoiser %.4f, zero score %.4f\n", wiener, identity)
		},
	})
	if err != nil {
		return err
	}
	info := model.Info
	change := fmt.Sprintf("%.1f%% lower", 100*(1-info.ValidationLoss/info.WienerLoss))
	if !(info.ValidationLoss < info.WienerLoss) {
		change = "no lower: train longer or check the settings"
	}
	fmt.Fprintf(stderr, "training: %d steps in %s; final validation loss %.4f, Wiener denoiser %.4f (%s), zero score %.4f\n",
		*steps, since(rep.start), info.ValidationLoss, info.WienerLoss, change, info.IdentityLoss)

	meta := score.Meta{
		Training: score.TrainingSettings{Adam: adam, Loss: "denoising score matching", Steps: *steps, BatchSize: *batch, Seed: *seed},
		Notes: map[string]string{
			"command": "deconv train-score " + strings.Join(args, " "),
			"version": skyinv.Version,
			"date":    time.Now().UTC().Format("2006-01-02T15:04:05Z"),
		},
	}
	if err := model.Save(*out, *force, meta); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	title := fmt.Sprintf("Image prior training: %d steps of %d scenes of %d x %d", *steps, *batch, *size, *size)
	if err := rep.write(*lossTable, *lossPNG, *force, title, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "done in %s\n", since(start))
	return nil
}

// trainProgress prints the progress of a training run and keeps its losses
// for the loss table and curve.
type trainProgress struct {
	log        io.Writer
	start      time.Time
	total      int     // steps in the run
	every      int     // steps between progress lines
	wiener     float64 // the Wiener denoiser's validation loss
	curve      plotloss.Curve
	sinceOut   float64 // sum of the losses since the last line
	sinceCount int     // the number of those losses
}

func newTrainProgress(log io.Writer, total int) *trainProgress {
	return &trainProgress{log: log, start: time.Now(), total: total, every: max(1, total/100), wiener: math.NaN()}
}

// step records a step and prints a line every so often and after each
// validation.
func (r *trainProgress) step(p score.Progress) {
	c := &r.curve
	c.Steps, c.Loss = append(c.Steps, p.Step), append(c.Loss, p.Loss)
	r.sinceOut += p.Loss
	r.sinceCount++
	if !math.IsNaN(p.Validation) {
		c.ValSteps, c.Val = append(c.ValSteps, p.Step), append(c.Val, p.Validation)
	}
	if p.Step%r.every != 0 && p.Step != r.total && math.IsNaN(p.Validation) {
		return
	}
	elapsed := time.Since(r.start)
	left := time.Duration(float64(r.total-p.Step) / float64(p.Step) * float64(elapsed))
	fmt.Fprintf(r.log, "  step %d/%d  loss %.4f (mean of the last %d)  lr %.2g  %.2f steps/s  %s, about %s left\n",
		p.Step, r.total, r.sinceOut/float64(r.sinceCount), r.sinceCount, p.LearningRate, float64(p.Step)/elapsed.Seconds(), since(r.start), left.Round(time.Second))
	r.sinceOut, r.sinceCount = 0, 0
	if !math.IsNaN(p.Validation) {
		fmt.Fprintf(r.log, "  validation loss %.4f (Wiener denoiser %.4f)\n", p.Validation, r.wiener)
	}
}

// write writes the loss table and the loss curve, each unless its path is
// empty.
func (r *trainProgress) write(table, png string, force bool, title string, log io.Writer) error {
	c := r.curve
	if table != "" {
		err := atomicfile.Write(table, force, func(w io.Writer) error {
			fmt.Fprintln(w, "# step  training_loss  validation_loss (NaN where not measured)")
			j := 0
			for i, s := range c.Steps {
				val := math.NaN()
				if j < len(c.ValSteps) && c.ValSteps[j] == s {
					val = c.Val[j]
					j++
				}
				if _, err := fmt.Fprintf(w, "%d %.6g %.6g\n", s, c.Loss[i], val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "wrote %s\n", table)
	}
	if png == "" {
		return nil
	}
	c.Title, c.Reference, c.ReferenceLabel = title, r.wiener, "validation, Wiener denoiser"
	var buf bytes.Buffer
	if err := plotloss.Encode(&buf, c); err != nil {
		return fmt.Errorf("%s: %w", png, err)
	}
	if err := atomicfile.Write(png, force, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %s\n", png)
	return nil
}
