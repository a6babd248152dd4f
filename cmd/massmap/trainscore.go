package main

import (
	"fmt"
	"github.com/skyinv/skyinv/internal/cli"
	"io"
	"math"
	"strings"
	"time"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/score"
	"github.com/skyinv/skyinv/scoreprior"
	"github.com/skyinv/skyinv/skymap"
)

const trainScoreSynopsis = `Usage: massmap train-score --out MODEL [--ps TABLE] [flags]

Trains a hybrid score prior for posterior sampling (Remy et al. 2023, A&A
672, A51): the score of the Gaussian prior of C_ell (--ps, or the theory
spectrum) plus a U-Net's residual, fitted by denoising score matching on
simulated periodic maps of --size pixels, Gaussian and shifted lognormal
(--shifts), at noise levels drawn log-uniformly between --sigma-min and
--sigma-max. The prior does not depend on a catalogue; its pixel size must be
that of the maps it will sample. Progress goes to stderr.`

func runTrainScore(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("train-score", trainScoreSynopsis, args, stdout, stderr)
	var pf priorFlags
	pf.register(fs)
	pf.registerWindow(fs)
	out := fs.String("out", "", "output model file (required)")
	force := fs.Bool("force", false, "overwrite existing output files")
	pixelArcmin := fs.Float64("pixel-arcmin", 1, "pixel size of the maps in arcmin")
	size := fs.Int("size", 128, "side of the training maps in pixels, a multiple of 2^depth")
	shifts := fs.String("shifts", "0,0.02,0.03,0.05", "comma-separated kinds of field, taken in turn: 0 for Gaussian, a positive number for a shifted lognormal field of that shift")
	sigmaMin := fs.Float64("sigma-min", 1e-3, "smallest noise level, in convergence units")
	sigmaMax := fs.Float64("sigma-max", 0.3, "largest noise level, in convergence units")
	depth := fs.Int("depth", 3, "U-Net depth: number of 2x2 poolings")
	channels := fs.Int("channels", 16, "U-Net channels at full resolution (doubling at each level)")
	batch := fs.Int("batch", 8, "maps per training step")
	steps := fs.Int("steps", 20000, "training steps")
	lr := fs.Float64("lr", 1e-3, "peak learning rate of Adam (linear warm-up, then cosine decay to 1% of it)")
	warmup := fs.Int("warmup", 200, "warm-up steps of the learning rate; without this flag, 200 or a tenth of --steps, whichever is fewer")
	validateEvery := fs.Int("validate-every", 1000, "steps between validations")
	valBatches := fs.Int("val-batches", 8, "held-out batches for the validation loss")
	lossPNG := fs.String("loss-png", "", "write the loss curve to this PNG file")
	lossTable := fs.String("loss-table", "", "write the loss of every step to this text file")
	seed := fs.Uint64("seed", 1, "random seed of the maps, the noise and the initial weights")
	initModel := fs.String("init", "", "fine-tune this score model (default for the embedded one, or a file) instead of training a new network; --depth and --channels are then its own")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !setFlags(fs)["warmup"] {
		*warmup = min(*warmup, *steps/10)
	}
	shiftList, err := parseShifts(*shifts)
	if err != nil {
		return err
	}
	switch {
	case *out == "":
		return usagef("missing --out: name the model file")
	case !(*pixelArcmin > 0) || math.IsInf(*pixelArcmin, 0):
		return usagef("invalid --pixel-arcmin %v: it must be positive", *pixelArcmin)
	}
	training := cli.ScoreTraining{Depth: *depth, Size: *size, MinSize: 1, Channels: *channels, Batch: *batch, Steps: *steps,
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

	g, err := skymap.NewGrid(*size, *size, *pixelArcmin, skymap.Gnomonic, 0, 0)
	if err != nil {
		return usageError{Err: err}
	}
	table, desc, err := pf.spectrum(g)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "prior: %s\n", desc)
	ell, cl := make([]float64, table.Len()), make([]float64, table.Len())
	for i := range ell {
		ell[i], cl[i] = table.Row(i)
	}

	adam := score.DefaultAdamConfig()
	adam.LearningRate = *lr
	adam.Schedule = score.Schedule{WarmupSteps: *warmup, DecaySteps: *steps - *warmup, MinRate: *lr / 100}
	pairs := scoreprior.PairsConfig{Size: *size, PixelArcmin: *pixelArcmin, Ell: ell, Cl: cl, PixelWindow: pf.window, Shifts: shiftList,
		SigmaMin: *sigmaMin, SigmaMax: *sigmaMax, Batch: *batch, Seed: *seed}
	probe, err := scoreprior.NewPairs(pairs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "training maps: %d x %d pixels of %g arcmin, prior std of kappa per pixel %.4g; noise levels %g to %g\n",
		*size, *size, *pixelArcmin, 1/probe.Scale(), *sigmaMin, *sigmaMax)
	var init *scoreprior.Model
	switch *initModel {
	case "":
	case "default":
		init, err = scoreprior.Default()
	default:
		init, err = scoreprior.Load(*initModel)
	}
	if err != nil {
		return err
	}
	rep := newTrainReport(stderr, 0, *steps, float64(*batch**size**size), math.NaN(), "Gaussian score alone")
	model, err := scoreprior.Train(scoreprior.TrainConfig{
		Pairs: pairs, Net: score.UNetConfig{Depth: *depth, BaseChannels: *channels},
		Steps: *steps, Adam: adam, Seed: *seed, Init: init,
		ValidationBatches: *valBatches, ValidateEvery: *validateEvery,
		Progress: rep.progress,
		Baseline: func(loss float64) { rep.reference = loss },
	})
	if err != nil {
		return err
	}
	info := model.Info
	change := fmt.Sprintf("%.1f%% lower", 100*(1-info.ValidationLoss/info.GaussianLoss))
	if info.ValidationLoss > info.GaussianLoss {
		change = fmt.Sprintf("%.1f%% higher", 100*(info.ValidationLoss/info.GaussianLoss-1))
	}
	fmt.Fprintf(stderr, "training: %d steps in %s; final validation loss %.4f, Gaussian score alone %.4f (%s)\n",
		*steps, since(rep.start), info.ValidationLoss, info.GaussianLoss, change)

	meta := score.Meta{
		Training: score.TrainingSettings{Adam: adam, Loss: "denoising score matching", Steps: *steps, BatchSize: *batch, Seed: *seed},
		Notes: map[string]string{
			"command": "massmap train-score " + strings.Join(args, " "),
			"prior":   desc,
			"version": skyinv.Version,
			"date":    time.Now().UTC().Format("2006-01-02T15:04:05Z"),
		},
	}
	if err := model.Save(*out, *force, meta); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	title := fmt.Sprintf("Score prior training: %d steps of %d maps of %d x %d", *steps, *batch, *size, *size)
	if err := rep.write(*lossTable, *lossPNG, *force, title); err != nil {
		return err
	}
	logDone(stderr, start)
	return nil
}
