package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/deepmass"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/score"
)

const deepmassTrainSynopsis = `Usage: massmap deepmass train [--catalog FILE] --out MODEL [flags]

Trains a DeepMass model for one survey. The catalogue is binned on the grid
(same flags as massmap ks; sides are rounded up to a multiple of 2^depth when
the grid is sized to cover the catalogue) to get its mask and its shape noise
per pixel. Convergence fields are then simulated from the power spectrum C_ell
(--ps, or the theory spectrum): Gaussian fields and shifted lognormal ones
(--shifts), their shear plus noise of that variance, zero shear where the
catalogue has no galaxies, and the Wiener filter of that shear with C_ell as
prior. A U-Net learns to map the Wiener filter and the mask to the true
convergence minus the Wiener filter, with the L2 loss, on random windows
(--crop) in random orientations; the validation loss is measured on whole
held-out maps (their noise depends on --seed and --maps). With --cube the true
maps are the planes of a FITS cube instead: by default each training plane
once, or --maps maps that reuse the planes in new orientations. The model file
contains the network, the spectrum and the settings that massmap deepmass needs.
A checkpoint records every setting, and --resume continues the same run only.
Progress goes to stderr.`

func runDeepmassTrain(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlagSet("deepmass train", deepmassTrainSynopsis, args, stdout, stderr)
	var in inputFlags
	var gf gridFlags
	var pf priorFlags
	in.register(fs)
	gf.register(fs)
	pf.register(fs)
	out := fs.String("out", "", "output model file (required)")
	force := fs.Bool("force", false, "overwrite existing output files")
	maps := fs.Int("maps", 2000, "number of simulated training maps (with --cube, default: one per training plane)")
	valMaps := fs.Int("val-maps", 16, "number of simulated validation maps")
	shifts := fs.String("shifts", "0,0.02,0.03,0.05", "comma-separated kinds of field, taken in turn: 0 for Gaussian, a positive number for a shifted lognormal field of that shift")
	depth := fs.Int("depth", 3, "U-Net depth: number of 2x2 poolings")
	channels := fs.Int("channels", 16, "U-Net channels at full resolution (doubling at each level)")
	crop := fs.Int("crop", 192, "side of the training windows in pixels, a multiple of 2^depth (0 for whole maps)")
	batch := fs.Int("batch", 4, "windows per training step")
	steps := fs.Int("steps", 8000, "training steps in all (with --resume, that of the interrupted run)")
	lr := fs.Float64("lr", 1e-3, "peak learning rate of Adam (linear warm-up, then cosine decay to 1% of it)")
	warmup := fs.Int("warmup", 200, "warm-up steps of the learning rate, at most a tenth of --steps unless given")
	validateEvery := fs.Int("validate-every", 500, "steps between validations")
	checkpoint := fs.String("checkpoint", "", "write a checkpoint to this file at each validation, for --resume")
	resume := fs.String("resume", "", "continue the interrupted run of this checkpoint: every other flag must be as in that run")
	lossPNG := fs.String("loss-png", "", "write the loss curve to this PNG file")
	lossTable := fs.String("loss-table", "", "write the loss of every step to this text file")
	seed := fs.Uint64("seed", 1, "random seed of the simulations, the initial weights and the training windows")
	cube := fs.String("cube", "", "FITS cube of simulated convergence maps (NAXIS3 planes on the grid) to use as true maps instead of drawn fields; its last --val-maps planes are held out for validation")
	cubeHDU := fs.String("cube-hdu", "", "HDU of --cube: a number or an EXTNAME (default: the first HDU with an image)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	gr, err := gf.parse(fs)
	if err != nil {
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
	case *maps < 1 || *valMaps < 1:
		return usagef("invalid --maps %d or --val-maps %d: both must be at least 1", *maps, *valMaps)
	case *depth < 1 || *depth > 6:
		return usagef("invalid --depth %d: use 1 to 6", *depth)
	case *channels < 1:
		return usagef("invalid --channels %d: it must be at least 1", *channels)
	case *crop < 0 || *crop%(1<<*depth) != 0:
		return usagef("invalid --crop %d: use 0 or a positive multiple of 2^depth = %d", *crop, 1<<*depth)
	case *batch < 1 || *steps < 1:
		return usagef("invalid --batch %d or --steps %d: both must be at least 1", *batch, *steps)
	case !(*lr > 0) || math.IsInf(*lr, 0):
		return usagef("invalid --lr %v: it must be positive", *lr)
	case *warmup < 0 || *warmup >= *steps:
		return usagef("invalid --warmup %d: it must lie between 0 and --steps", *warmup)
	case *validateEvery < 1:
		return usagef("invalid --validate-every %d: it must be at least 1", *validateEvery)
	}
	outputs := []string{*out, *checkpoint, *lossPNG, *lossTable}
	for _, p := range outputs {
		if p == "" || p == *checkpoint && p == *resume {
			continue
		}
		if err := atomicfile.CheckWritable(p, *force); err != nil {
			return err
		}
	}

	run := runSettings(fs)
	var ck *deepmass.Checkpoint
	if *resume != "" {
		net, opt, meta, err := score.LoadCheckpoint(*resume)
		if err != nil {
			return err
		}
		if err := sameRun(*resume, meta.Notes["run"], run); err != nil {
			return err
		}
		if opt.Steps() >= *steps {
			return fmt.Errorf("%s: the run is complete (step %d of %d): nothing to resume", *resume, opt.Steps(), *steps)
		}
		ck = &deepmass.Checkpoint{Net: net, Adam: opt}
		fmt.Fprintf(stderr, "resuming from %s at step %d\n", *resume, opt.Steps())
	}

	gr.multiple = 1 << *depth
	b, err := loadAndBin(in, gr, stderr)
	if err != nil {
		return err
	}
	g := b.grid
	table, desc, err := pf.spectrum(g)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "prior: %s\n", desc)
	ell, cl := make([]float64, table.Len()), make([]float64, table.Len())
	for i := range ell {
		ell[i], cl[i] = table.Row(i)
	}

	if *crop > g.NX || *crop > g.NY {
		return usagef("--crop %d is larger than the %d x %d grid: use a smaller crop, or 0 for whole maps", *crop, g.NX, g.NY)
	}

	// True maps from the user's cube, if any.
	var truth func(int, []float64)
	if *cube != "" {
		img, err := readCube(*cube, *cubeHDU, g.NX, g.NY, *valMaps)
		if err != nil {
			return err
		}
		if !setFlags(fs)["maps"] {
			*maps = img.Axes[2] - *valMaps
		}
		truth = cubeTruth(img, *maps, *valMaps)
		shiftList = nil
		fmt.Fprintf(stderr, "true maps: planes of %s\n", *cube)
	}

	// The simulations.
	t0 := time.Now()
	total := *maps + *valMaps
	every := max(1, total/20)
	sim, err := deepmass.Simulate(deepmass.SimConfig{
		NX: g.NX, NY: g.NY, PixelArcmin: g.PixelArcmin, NoiseVar: b.noiseVariance(),
		Ell: ell, Cl: cl, Shifts: shiftList, Truth: truth,
		Maps: *maps, ValidationMaps: *valMaps, Seed: *seed,
		Progress: func(done, total int) {
			if done%every == 0 || done == total {
				el := time.Since(t0)
				eta := time.Duration(float64(el) / float64(done) * float64(total-done))
				fmt.Fprintf(stderr, "  simulations: %d/%d maps (%s, about %s left)\n", done, total, since(t0), eta.Round(time.Second))
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "simulations: %d training and %d validation maps of %d x %d in %s; prior std of kappa per pixel %.4g; Wiener filter at most %d iterations\n",
		*maps, *valMaps, g.NX, g.NY, since(t0), math.Sqrt(sim.PixelVariance), sim.WienerIterationsMax)

	// The training.
	adam := score.DefaultAdamConfig()
	adam.LearningRate = *lr
	adam.Schedule = score.Schedule{WarmupSteps: *warmup, DecaySteps: *steps - *warmup, MinRate: *lr / 100}
	first := 0
	if ck != nil {
		first = ck.Adam.Steps()
	}
	pixels := float64(*batch)
	if *crop > 0 {
		pixels *= float64(*crop * *crop)
	} else {
		pixels *= float64(g.Len())
	}
	rep := newTrainReport(stderr, first, *steps, pixels, sim.WienerLoss(), "Wiener filter alone")
	todo := *steps - first
	cfg := deepmass.TrainConfig{
		Net:           score.UNetConfig{Depth: *depth, BaseChannels: *channels},
		Crop:          *crop,
		Batch:         *batch,
		Steps:         todo,
		Adam:          adam,
		Seed:          *seed,
		ValidateEvery: *validateEvery,
		Resume:        ck,
		Progress:      rep.progress,
	}
	if *checkpoint != "" {
		cfg.Checkpoint = func(c deepmass.Checkpoint) error {
			return score.SaveCheckpoint(*checkpoint, true, c.Net, c.Adam, score.Meta{Notes: map[string]string{"command": "massmap deepmass train " + strings.Join(args, " "), "run": run}})
		}
	}
	model, err := deepmass.Train(sim, cfg)
	if err != nil {
		return err
	}
	ti := model.Info.Training
	fmt.Fprintf(stderr, "training: %d steps in %s; final validation loss %.4f, Wiener filter alone %.4f\n",
		todo, since(rep.start), ti.ValidationLoss, ti.WienerLoss)
	if ti.ValidationLoss < ti.WienerLoss {
		fmt.Fprintf(stderr, "  the model's error is %.1f%% below the Wiener filter's\n", 100*(1-ti.ValidationLoss/ti.WienerLoss))
	} else {
		fmt.Fprintf(stderr, "warning: the model is no better than the Wiener filter on the validation maps; train longer, on more maps, or with another learning rate\n")
	}

	// The model and the loss history.
	meta := score.Meta{
		Training: score.TrainingSettings{Adam: adam, Loss: "L2", Steps: *steps, BatchSize: *batch, Seed: *seed},
		Notes: map[string]string{
			"command": "massmap deepmass train " + strings.Join(args, " "),
			"catalog": b.cat.Path,
			"prior":   desc,
			"version": skyinv.Version,
			"date":    time.Now().UTC().Format("2006-01-02T15:04:05Z"),
		},
	}
	if *cube != "" {
		meta.Notes["cube"] = *cube
	}
	if err := model.Save(*out, *force, meta); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	title := fmt.Sprintf("DeepMass training: %d maps, %d steps of %d windows", *maps, *steps, *batch)
	if err := rep.write(*lossTable, *lossPNG, *force, title); err != nil {
		return err
	}
	logDone(stderr, start)
	return nil
}

// parseShifts reads the --shifts list.
func parseShifts(s string) ([]float64, error) {
	var list []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return nil, usagef("invalid --shifts entry %q: use 0 for a Gaussian field or a positive lognormal shift", f)
		}
		list = append(list, v)
	}
	return list, nil
}

// readCube reads a cube of convergence maps on an nx × ny grid, with more
// than valMaps planes and no NaN or infinite value.
func readCube(path, hdu string, nx, ny, valMaps int) (*fits.ImageHDU, error) {
	img, err := fits.ReadImage(path, hdu)
	if err != nil {
		return nil, err
	}
	if len(img.Axes) != 3 || img.Axes[0] != nx || img.Axes[1] != ny {
		return nil, fmt.Errorf("%s: image of axes %v, want a cube of %d x %d maps (NAXIS1 = %d, NAXIS2 = %d, NAXIS3 = number of maps), the grid of the catalogue", path, img.Axes, nx, ny, nx, ny)
	}
	if planes := img.Axes[2]; planes <= valMaps {
		return nil, fmt.Errorf("%s: %d planes cannot give %d validation maps and training maps: use a smaller --val-maps", path, planes, valMaps)
	}
	n := nx * ny
	for i, v := range img.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: value %v at plane %d, pixel (x=%d, y=%d): the maps must be finite", path, v, i/n+1, i%nx, i%n/nx)
		}
	}
	return img, nil
}

// cubeTruth returns the true map of each simulation from a cube read by
// readCube. Training map i is plane i mod K of the first K = planes −
// valMaps planes, turned and flipped by one of the 8 symmetries of a square
// grid chosen by i (identity on other grids); validation map j is plane
// K + j mod valMaps as it is.
func cubeTruth(img *fits.ImageHDU, maps, valMaps int) func(int, []float64) {
	nx, ny := img.Axes[0], img.Axes[1]
	train := img.Axes[2] - valMaps
	n := nx * ny
	return func(i int, dst []float64) {
		if i >= maps {
			copy(dst, img.Data[(train+(i-maps)%valMaps)*n:][:n])
			return
		}
		src := img.Data[(i%train)*n:][:n]
		orient := 0
		if nx == ny {
			orient = int(uint64(i) * 0x9e3779b97f4a7c15 >> 61) // 0 to 7
		}
		for y := range ny {
			for x := range nx {
				u, v := x, y
				if orient&1 != 0 {
					u = nx - 1 - u
				}
				if orient&2 != 0 {
					v = ny - 1 - v
				}
				if orient&4 != 0 {
					u, v = v, u
				}
				dst[y*nx+x] = src[v*nx+u]
			}
		}
	}
}

// runSettings returns the flags that define a training run, every one but
// the outputs, as a JSON object for the checkpoint.
func runSettings(fs *flag.FlagSet) string {
	skip := map[string]bool{"out": true, "force": true, "checkpoint": true, "resume": true, "loss-png": true, "loss-table": true}
	m := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) {
		if !skip[f.Name] {
			m[f.Name] = f.Value.String()
		}
	})
	b, _ := json.Marshal(m)
	return string(b)
}

// sameRun returns an error that lists the flags that differ between a
// checkpoint's run and this one.
func sameRun(path, saved, now string) error {
	if saved == "" {
		return fmt.Errorf("%s: the checkpoint does not record its run's settings (written by an older version?), so it cannot be resumed safely", path)
	}
	var a, b map[string]string
	if json.Unmarshal([]byte(saved), &a) != nil || json.Unmarshal([]byte(now), &b) != nil {
		return fmt.Errorf("%s: the checkpoint's record of its settings is corrupt", path)
	}
	var diffs []string
	for k, v := range b {
		if a[k] != v {
			diffs = append(diffs, fmt.Sprintf("--%s %s (the checkpoint's run: %s)", k, v, a[k]))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	slices.Sort(diffs)
	return usageError{Err: fmt.Errorf("%s: --resume continues the same run, but these flags differ: %s", path, strings.Join(diffs, "; "))}
}
