package deepmass

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/simulate"
	"github.com/skyinv/skyinv/solvers"
)

// SimConfig sets the simulated survey of a training set: the grid, the
// noise and mask of a real catalogue, the prior spectrum and the kinds of
// convergence field.
type SimConfig struct {
	NX, NY      int
	PixelArcmin float64

	// NoiseVar is the noise variance of each shear component per pixel,
	// +Inf where a pixel has no galaxies, as in solvers.WienerProblem.
	NoiseVar []float64

	// Ell and Cl are the convergence power spectrum, C_ℓ per steradian.
	// The simulated fields follow it, and the Wiener filter uses it as its
	// prior.
	Ell, Cl []float64

	// Shifts lists the fields to draw in turn: map i is a shifted
	// lognormal field with shift Shifts[i mod len(Shifts)], or a Gaussian
	// field where that shift is 0. Empty means {0}, Gaussian fields only.
	Shifts []float64

	// Truth, unless nil, gives the convergence of map i, such as a plane
	// of a user's cube of simulated maps, in place of a drawn field;
	// Shifts is then unused. It is called from several goroutines at once.
	Truth func(i int, dst []float64)

	// Maps and ValidationMaps are the numbers of training and validation
	// pairs. Validation map j is map Maps + j of the same streams, so its
	// noise, and a drawn field, depend on Maps as well as on Seed.
	Maps, ValidationMaps int

	// Seed selects the fields and the noise: map i draws from the PCG
	// stream (Seed, i) of math/rand/v2.
	Seed uint64

	// WienerTol and WienerMaxIter set the Wiener filter's solver. Zero
	// means 1e-5 and 1000.
	WienerTol     float64
	WienerMaxIter int

	// Workers is the number of maps made at once. Zero means GOMAXPROCS.
	Workers int

	// Progress, unless nil, is called after each map with the number
	// done and the total. Calls may come from several goroutines but
	// never at once.
	Progress func(done, total int)
}

// Pairs are simulated training pairs: Wiener-filtered noisy shear and the
// true convergence, float32, on one grid with one mask.
type Pairs struct {
	NX, NY int

	// Wiener[i] and Truth[i] are the Wiener filter and the true
	// convergence of map i, NX × NY values each.
	Wiener, Truth [][]float32

	// Mask is 1 in pixels with galaxies and 0 elsewhere.
	Mask []float32
}

// Simulation is a simulated training set with its settings.
type Simulation struct {
	Config              SimConfig
	Train, Validation   *Pairs
	PixelVariance       float64 // the prior's variance of κ per pixel
	WienerIterationsMax int     // the largest iteration count of one Wiener filter
}

func (c *SimConfig) withDefaults() SimConfig {
	d := *c
	if len(d.Shifts) == 0 {
		d.Shifts = []float64{0}
	}
	if d.WienerTol == 0 {
		d.WienerTol = 1e-5
	}
	if d.WienerMaxIter == 0 {
		d.WienerMaxIter = 1000
	}
	if d.Workers == 0 {
		d.Workers = runtime.GOMAXPROCS(0)
	}
	return d
}

// Simulate draws the training and validation pairs of cfg. For each map it
// draws a convergence field from the spectrum and computes its shear. It
// adds Gaussian shape noise of the given variance and sets the shear of
// pixels without galaxies to zero. Then it applies the Wiener filter, with
// the same spectrum as prior. Maps are made on cfg.Workers goroutines; map i
// depends only on cfg and i.
func Simulate(cfg SimConfig) (*Simulation, error) {
	cfg = cfg.withDefaults()
	n := cfg.NX * cfg.NY
	switch {
	case cfg.NX < 2 || cfg.NY < 2:
		return nil, fmt.Errorf("deepmass: invalid grid %d × %d", cfg.NX, cfg.NY)
	case !(cfg.PixelArcmin > 0) || math.IsInf(cfg.PixelArcmin, 0):
		return nil, fmt.Errorf("deepmass: invalid pixel size %v arcmin", cfg.PixelArcmin)
	case len(cfg.NoiseVar) != n:
		return nil, fmt.Errorf("deepmass: noise map of %d values for a %d × %d grid", len(cfg.NoiseVar), cfg.NX, cfg.NY)
	case cfg.Maps < 1 || cfg.ValidationMaps < 0:
		return nil, fmt.Errorf("deepmass: %d training and %d validation maps: at least 1 training map is needed", cfg.Maps, cfg.ValidationMaps)
	case !(cfg.WienerTol > 0 && cfg.WienerTol < 1) || cfg.WienerMaxIter < 1:
		return nil, fmt.Errorf("deepmass: invalid Wiener filter settings (tolerance %v, %d iterations)", cfg.WienerTol, cfg.WienerMaxIter)
	case cfg.Workers < 1:
		return nil, fmt.Errorf("deepmass: invalid worker count %d", cfg.Workers)
	}
	mask := make([]float32, n)
	observed := 0
	for i, v := range cfg.NoiseVar {
		switch {
		case math.IsInf(v, 1):
		case math.IsNaN(v) || v < 0 || math.IsInf(v, -1):
			return nil, fmt.Errorf("deepmass: noise variance %v at pixel (x=%d, y=%d): it must be non-negative, or +Inf where there are no galaxies", v, i%cfg.NX, i/cfg.NX)
		default:
			mask[i] = 1
			observed++
		}
	}
	if observed == 0 {
		return nil, errors.New("deepmass: no pixel has galaxies (every noise variance is +Inf)")
	}
	table, err := cosmology.NewTable(cfg.Ell, cfg.Cl)
	if err != nil {
		return nil, fmt.Errorf("deepmass: prior spectrum: %w", err)
	}
	power := powerspec.PowerMap(table.At, cfg.NX, cfg.NY, cfg.PixelArcmin/60*math.Pi/180)

	// One field generator per shift and worker: generators keep FFT
	// buffers. Building them first reports an invalid shift before any
	// work.
	type worker struct {
		fields map[float64]func([]float64, *rand.Rand)
		ks     *kaiser.Transform
	}
	workers := make([]worker, cfg.Workers)
	var pixelVariance float64
	for w := range workers {
		workers[w].fields = make(map[float64]func([]float64, *rand.Rand))
		for _, shift := range cfg.Shifts {
			if _, ok := workers[w].fields[shift]; ok {
				continue
			}
			switch {
			case shift == 0:
				g, err := simulate.NewGaussian(power, cfg.NX, cfg.NY)
				if err != nil {
					return nil, fmt.Errorf("deepmass: %w", err)
				}
				g.SetWorkers(1)
				workers[w].fields[shift] = func(dst []float64, rng *rand.Rand) { g.Field(dst, rng) }
			default:
				l, err := simulate.NewLognormal(power, cfg.NX, cfg.NY, shift)
				if err != nil {
					return nil, fmt.Errorf("deepmass: lognormal shift %g: %w", shift, err)
				}
				l.SetWorkers(1)
				workers[w].fields[shift] = func(dst []float64, rng *rand.Rand) { l.Field(dst, rng) }
			}
		}
		ks, err := kaiser.New(cfg.NX, cfg.NY, kaiser.Options{})
		if err != nil {
			return nil, fmt.Errorf("deepmass: %w", err)
		}
		ks.SetWorkers(1)
		workers[w].ks = ks
	}
	for _, p := range power {
		pixelVariance += p
	}
	pixelVariance /= float64(n) * float64(n)

	total := cfg.Maps + cfg.ValidationMaps
	wiener := make([][]float32, total)
	truth := make([][]float32, total)
	iterations := make([]int, total)
	errs := make([]error, total)
	problem := solvers.WienerProblem{NX: cfg.NX, NY: cfg.NY, Power: power, NoiseVar: cfg.NoiseVar}
	settings := solvers.Settings{Tol: cfg.WienerTol, MaxIter: cfg.WienerMaxIter}

	var mu sync.Mutex
	done := 0
	next := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wk := &workers[w]
		wg.Add(1)
		go func() {
			defer wg.Done()
			kappa := make([]float64, n)
			g1, g2 := make([]float64, n), make([]float64, n)
			for i := range next {
				rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
				if cfg.Truth != nil {
					cfg.Truth(i, kappa)
				} else {
					wk.fields[cfg.Shifts[i%len(cfg.Shifts)]](kappa, rng)
				}
				wk.ks.Shear(g1, g2, kappa, nil)
				for p, v := range cfg.NoiseVar {
					n1, n2 := rng.NormFloat64(), rng.NormFloat64()
					if math.IsInf(v, 1) {
						g1[p], g2[p] = 0, 0
						continue
					}
					s := math.Sqrt(v)
					g1[p] += s * n1
					g2[p] += s * n2
				}
				wf, res, err := solvers.WienerCG(problem, g1, g2, settings)
				if err != nil {
					errs[i] = fmt.Errorf("deepmass: map %d: Wiener filter: %w", i, err)
					continue
				}
				wiener[i], truth[i] = toFloat32(wf), toFloat32(kappa)
				iterations[i] = res.Iterations
				mu.Lock()
				done++
				if cfg.Progress != nil {
					cfg.Progress(done, total)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	sim := &Simulation{
		Config:        cfg,
		Train:         &Pairs{NX: cfg.NX, NY: cfg.NY, Wiener: wiener[:cfg.Maps], Truth: truth[:cfg.Maps], Mask: mask},
		Validation:    &Pairs{NX: cfg.NX, NY: cfg.NY, Wiener: wiener[cfg.Maps:], Truth: truth[cfg.Maps:], Mask: mask},
		PixelVariance: pixelVariance,
	}
	for _, it := range iterations {
		sim.WienerIterationsMax = max(sim.WienerIterationsMax, it)
	}
	return sim, nil
}

func toFloat32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// Scale returns the factor that the network's values carry: one over the
// prior's standard deviation of κ per pixel.
func (s *Simulation) Scale() float64 { return 1 / math.Sqrt(s.PixelVariance) }

// WienerLoss returns the mean squared error of the Wiener filter on the
// validation maps times Scale², the loss of an untrained model. It
// returns NaN without validation maps.
func (s *Simulation) WienerLoss() float64 {
	v := s.Validation
	var sum float64
	n := 0
	for i, wf := range v.Wiener {
		for q, w := range wf {
			d := float64(v.Truth[i][q] - w)
			sum += d * d
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n) / s.PixelVariance
}
