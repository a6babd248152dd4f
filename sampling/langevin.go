package sampling

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"

	"github.com/skyinv/skyinv/fft"
	"github.com/skyinv/skyinv/internal/parallel"
)

type parallelGroup = parallel.Group

func defaultWorkers(n int) int {
	if n < 1 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// Config sets an annealed Langevin run.
type Config struct {
	// NX and NY are the map size.
	NX, NY int

	// Chains is the number of independent chains.
	Chains int

	// SigmaMax and SigmaMin bound the geometric ladder of Levels noise
	// levels, from SigmaMax down to SigmaMin, in the units of the maps.
	SigmaMax, SigmaMin float64
	Levels             int

	// Steps is the number of Langevin steps at each level, and FinalSteps
	// the number at the last level (0 means Steps).
	Steps, FinalSteps int

	// StepSize is ε, the step of the preconditioned dynamics, the same at
	// every level (see Sample).
	StepSize float64

	// Power, unless nil, is the prior's variance of each unnormalised FFT
	// coefficient (as powerspec.PowerMap gives it), and the
	// preconditioner at level σ is that prior's covariance at that level,
	// S + σ² I. Nil gives σ² I, the step rule of Song and Ermon.
	Power []float64

	// DataPower, unless nil, adds the data to the preconditioner: the
	// variance of each unnormalised FFT coefficient of the noise that the
	// data put on the map, +Inf for a mode the data do not constrain. For
	// data through an operator diagonal in Fourier space with transfer
	// function T_k and white noise of variance v per datum, it is
	// N v / |T_k|², with N the number of pixels; for the shear operator,
	// N v with v a typical noise variance of one shear component
	// (Likelihood.TypicalNoiseVar) and +Inf at k = 0, whose mass sheet the
	// shear does not see. The preconditioner at level σ becomes
	//
	//	M_σ = ((S + σ² I)⁻¹ + (D + σ² I)⁻¹)⁻¹,
	//
	// with D diagonal from DataPower: the posterior covariance at that
	// level of data that would cover the whole map. Where the data
	// constrain the map, every Fourier mode then relaxes at about ε/2 per
	// step. With Power alone, the data-dominated modes are the stiff ones
	// and limit ε, so the others relax slowly. Steps about ten times larger
	// are then stable, and states decorrelate in about 2/ε steps. Where there are no data, as
	// outside a survey's footprint, the large scales mix more slowly than
	// with Power alone; RHat shows it.
	DataPower []float64

	// BurnIn is the number of steps of the last level after which the
	// Result's Mean, Std and RHat average every state (zero means half of
	// the last level's steps).
	BurnIn int

	// Keep is the number of states each chain returns from the last
	// level, one every Thin steps, ending with the last step. Zero means 1.
	Keep, Thin int

	// Finish, unless 0, carries each returned state from the last level
	// σ = SigmaMin down to σ/100 in Finish steps of the reverse diffusion
	// (Song et al., "Score-Based Generative Modeling through Stochastic
	// Differential Equations", ICLR 2021, the variance-exploding SDE):
	//
	//	x ← x + (σᵢ² − σᵢ₊₁²) s(x) + √(σᵢ² − σᵢ₊₁²) z,
	//
	// with s the posterior score at σᵢ. A state of the last level is a
	// posterior sample plus white noise of variance σ²; these steps remove
	// that noise without the long runs at small σ where a learned score is
	// least reliable. The chains go on from their own states.
	Finish int

	// Denoise applies Tweedie's formula to each returned state,
	// x + σ² ∇ log p_σ(x | y) at its noise level σ (SigmaMin, or SigmaMin/100
	// after Finish): the posterior mean given the noisy state, which
	// removes the noise of that level but also smooths the sample.
	Denoise bool

	// Seed selects the random numbers: chain c draws from the PCG stream
	// (Seed, c) of math/rand/v2, so a chain's path does not depend on the
	// number of chains or workers.
	Seed uint64

	// Workers is the number of goroutines for the chains; 0 means
	// GOMAXPROCS.
	Workers int

	// Progress, unless nil, is called after each level.
	Progress func(Progress)
}

// Progress reports the end of one noise level.
type Progress struct {
	Level, Levels int
	Sigma         float64

	// Residual is the root mean square over chains and pixels of the
	// likelihood's normalised residual (y − A x)/√(N + σ²) over the data
	// with finite noise, at the end of the level. Near 1 at the last
	// level, the chains fit the data to the noise.
	Residual float64
}

// Result holds the states that a run returns.
type Result struct {
	// Samples[c][k] is state k of chain c, NX·NY values.
	Samples [][][]float64

	// Mean and Std are the posterior mean and standard deviation per
	// pixel, from every state of every chain after the burn-in of the last
	// level, not only from the returned samples. Consecutive states are
	// correlated, but averaging them all gives less noise than the thinned
	// samples alone.
	//
	// The states x_σ at the last level σ sample the map plus white noise
	// of variance σ², given the data. Mean averages their Tweedie
	// estimates x_σ + σ² ∇ log p_σ(x_σ | y), each the posterior mean
	// given x_σ: their average has the same expectation as the states'
	// and less noise. Std is √(v − σ²), with v the states' variance,
	// floored at 0. Both then estimate the map itself. Because the
	// annealed likelihood treats the noise of level σ as independent of
	// the state, they are exact only to order σ² over the data's noise
	// variance. With a last level at a tenth of the noise, the variance on
	// a Gaussian problem is within 4% of the exact one in every ring of
	// |k| (TestGaussianPosteriorExact). So SigmaMin may be well above zero,
	// where a learned score is better behaved, if it stays well below the
	// data's noise.
	Mean, Std []float64

	// RHat is the split R̂ of Gelman et al. (Bayesian Data Analysis, 3rd
	// edition, 2013, section 11.4) per pixel, over the states after the
	// burn-in, each chain's split in halves. It is NaN with fewer than 4
	// such states.
	RHat []float64

	// States is the number of states per chain that Mean, Std and RHat
	// average.
	States int

	// Levels reports each level, as Progress did.
	Levels []Progress
}

func (c *Config) check(prior Prior, like *Likelihood) error {
	switch {
	case prior == nil || like == nil:
		return errors.New("sampling: a prior and a likelihood are needed")
	case c.NX < 1 || c.NY < 1 || like.Size() != c.NX*c.NY:
		return fmt.Errorf("sampling: map size %d × %d does not match the likelihood's %d values", c.NX, c.NY, like.Size())
	case c.Chains < 1:
		return fmt.Errorf("sampling: %d chains: at least 1 is needed", c.Chains)
	case !(c.SigmaMin > 0) || !(c.SigmaMax >= c.SigmaMin) || math.IsInf(c.SigmaMax, 0):
		return fmt.Errorf("sampling: noise levels from %v to %v: need 0 < SigmaMin ≤ SigmaMax", c.SigmaMax, c.SigmaMin)
	case c.Levels < 1 || c.Steps < 1 || c.FinalSteps < 0:
		return fmt.Errorf("sampling: %d levels of %d steps (%d at the last): need at least 1 of each", c.Levels, c.Steps, c.FinalSteps)
	case !(c.StepSize > 0) || math.IsInf(c.StepSize, 0):
		return fmt.Errorf("sampling: step size %v: it must be positive", c.StepSize)
	case c.Power != nil && len(c.Power) != c.NX*c.NY:
		return fmt.Errorf("sampling: preconditioner power of %d values for a %d × %d map", len(c.Power), c.NX, c.NY)
	case c.Keep < 0 || c.Thin < 0 || c.Finish < 0:
		return fmt.Errorf("sampling: Keep %d, Thin %d and Finish %d must not be negative", c.Keep, c.Thin, c.Finish)
	case c.DataPower != nil && len(c.DataPower) != c.NX*c.NY:
		return fmt.Errorf("sampling: invalid data power: %d values for a %d × %d map", len(c.DataPower), c.NX, c.NY)
	}
	for i, p := range c.DataPower {
		if !(p > 0) {
			return fmt.Errorf("sampling: invalid data power %v at Fourier index %d: it must be positive, or +Inf", p, i)
		}
	}
	final := c.final()
	if c.BurnIn < 0 || c.BurnIn >= final {
		return fmt.Errorf("sampling: invalid burn-in of %d steps: it must leave some of the %d steps of the last level", c.BurnIn, final)
	}
	keep, thin := max(c.Keep, 1), max(c.Thin, 1)
	if (keep-1)*thin >= final {
		return fmt.Errorf("sampling: %d states %d steps apart do not fit in the %d steps of the last level", keep, thin, final)
	}
	for i, p := range c.Power {
		if !(p >= 0) || math.IsInf(p, 0) {
			return fmt.Errorf("sampling: preconditioner power %v at Fourier index %d: it must be finite and non-negative", p, i)
		}
	}
	return nil
}

// final returns the number of steps at the last level.
func (c *Config) final() int {
	if c.FinalSteps == 0 {
		return c.Steps
	}
	return c.FinalSteps
}

// burnIn returns the number of steps of the last level before the averages.
func (c *Config) burnIn() int {
	if c.BurnIn == 0 {
		return c.final() / 2
	}
	return c.BurnIn
}

// Sigmas returns the noise levels of cfg, from SigmaMax down to SigmaMin.
func (c *Config) Sigmas() []float64 {
	s := make([]float64, c.Levels)
	for i := range s {
		if c.Levels == 1 {
			s[i] = c.SigmaMin
			continue
		}
		s[i] = c.SigmaMax * math.Pow(c.SigmaMin/c.SigmaMax, float64(i)/float64(c.Levels-1))
	}
	return s
}

// Sample draws posterior samples by annealed Langevin dynamics (Song and
// Ermon, "Generative Modeling by Estimating Gradients of the Data
// Distribution", NeurIPS 2019, Algorithm 1), preconditioned. At each
// level σ of the ladder it takes steps
//
//	x ← x + (ε/2) M_σ s(x) + √ε M_σ^½ z,   z ~ N(0, I),
//
// with s = ∇ log p_σ(x) + ∇ log p_σ(y | x) the prior's score plus the
// likelihood's annealed score, and M_σ = S + σ² I, diagonal in Fourier
// space, the prior's covariance at level σ (σ² I without Config.Power).
// Config.DataPower adds the data to it (see there), which allows steps
// about ten times larger. Where σ² dominates S this is Song and Ermon's
// step α = ε σ², and where the prior dominates it takes steps matched to
// the prior's scale at every wavelength. Chains start from N(0, M_σ) at
// the first level.
func Sample(prior Prior, like *Likelihood, cfg Config) (*Result, error) {
	if err := cfg.check(prior, like); err != nil {
		return nil, err
	}
	workers := min(defaultWorkers(cfg.Workers), len(like.ops))
	final := cfg.final()
	keep, thin := max(cfg.Keep, 1), max(cfg.Thin, 1)
	n := cfg.NX * cfg.NY

	r := &run{cfg: cfg, prior: prior, like: like, workers: workers, n: n}
	r.x = make([][]float64, cfg.Chains)
	r.score = make([][]float64, cfg.Chains)
	r.rngs = make([]*rand.Rand, cfg.Chains)
	r.resid = make([]float64, cfg.Chains)
	for c := range r.x {
		r.x[c] = make([]float64, n)
		r.score[c] = make([]float64, n)
		r.rngs[c] = rand.New(rand.NewPCG(cfg.Seed, uint64(c)))
	}
	r.plans = make([]*fft.Plan2D, workers)
	r.bufA = make([][]complex128, workers)
	r.bufB = make([][]complex128, workers)
	r.lik = make([][]float64, workers)
	for w := range workers {
		r.plans[w] = fft.NewPlan2D(cfg.NX, cfg.NY)
		r.plans[w].SetWorkers(1)
		r.bufA[w] = make([]complex128, n)
		r.bufB[w] = make([]complex128, n)
		r.lik[w] = make([]float64, n)
	}
	r.m = make([]float64, n)

	res := &Result{Samples: make([][][]float64, cfg.Chains)}
	r.den = make([][]float64, cfg.Chains)
	for c := range r.den {
		r.den[c] = make([]float64, n)
	}
	acc := newMoments(cfg.Chains, n, final-cfg.burnIn())
	sigmas := cfg.Sigmas()
	for level, sigma := range sigmas {
		r.setLevel(sigma)
		if level == 0 {
			r.phase = phaseInit
			r.group.For(workers, workers, r)
		}
		steps := cfg.Steps
		if level == len(sigmas)-1 {
			steps = final
		}
		r.last = level == len(sigmas)-1
		for step := range steps {
			if err := r.step(); err != nil {
				return nil, err
			}
			if level < len(sigmas)-1 {
				continue
			}
			if step >= cfg.burnIn() {
				acc.add(step-cfg.burnIn(), r.x, r.den)
			}
			if (steps-1-step)%thin == 0 && (steps-1-step)/thin < keep {
				if err := r.collect(res); err != nil {
					return nil, err
				}
			}
		}
		p := Progress{Level: level + 1, Levels: len(sigmas), Sigma: sigma, Residual: r.residual()}
		res.Levels = append(res.Levels, p)
		if cfg.Progress != nil {
			cfg.Progress(p)
		}
	}
	acc.summarise(res, sigmas[len(sigmas)-1])
	return res, nil
}

// Phases of a run's parallel loop.
const (
	phaseInit = iota
	phaseLikelihood
	phaseMove
	phaseResidual
)

// run is the state of Sample: the chains, their buffers and the loop body.
type run struct {
	cfg     Config
	prior   Prior
	like    *Likelihood
	workers int
	n       int

	x, score [][]float64
	den      [][]float64 // at the last level, the Tweedie estimate of each chain's state before its last move
	last     bool        // whether the current level is the last
	rngs     []*rand.Rand
	resid    []float64

	plans      []*fft.Plan2D
	bufA, bufB [][]complex128
	lik        [][]float64

	sigma float64
	m     []float64 // the preconditioner's variance per coefficient, pixel units
	phase int
	group parallel.Group
}

// setLevel sets σ and the preconditioner of a level.
func (r *run) setLevel(sigma float64) {
	r.sigma = sigma
	s2 := sigma * sigma
	for i := range r.m {
		r.m[i] = s2
		if r.cfg.Power != nil {
			r.m[i] += r.cfg.Power[i] / float64(r.n)
		}
		if r.cfg.DataPower != nil {
			r.m[i] = 1 / (1/r.m[i] + 1/(r.cfg.DataPower[i]/float64(r.n)+s2))
		}
	}
}

// step moves every chain once.
func (r *run) step() error {
	if err := r.prior.Score(r.score, r.x, r.sigma); err != nil {
		return fmt.Errorf("sampling: prior score at σ = %g: %w", r.sigma, err)
	}
	r.phase = phaseMove
	r.group.For(r.workers, r.workers, r)
	return nil
}

// Run does the current phase for the chains of workers lo to hi−1.
func (r *run) Run(lo, hi int) {
	for w := lo; w < hi; w++ {
		for c := w; c < len(r.x); c += r.workers {
			switch r.phase {
			case phaseInit:
				r.initChain(w, c)
			case phaseMove:
				r.move(w, c)
			case phaseResidual:
				r.resid[c] = r.chainResidual(w, c)
			case phaseLikelihood:
				r.like.score(w, r.lik[w], r.x[c], r.sigma)
				for i, v := range r.lik[w] {
					r.score[c][i] += v
				}
			}
		}
	}
}

// initChain draws chain c from N(0, M_σ).
func (r *run) initChain(w, c int) {
	a := r.bufA[w]
	rng := r.rngs[c]
	for i := range a {
		a[i] = complex(rng.NormFloat64(), 0)
	}
	r.plans[w].Forward(a, a)
	for i := range a {
		a[i] *= complex(math.Sqrt(r.m[i])/float64(r.n), 0)
	}
	r.plans[w].Inverse(a, a)
	for i, v := range a {
		r.x[c][i] = real(v)
	}
}

// move takes one Langevin step of chain c, whose prior score is in
// r.score[c].
func (r *run) move(w, c int) {
	x, s := r.x[c], r.score[c]
	r.like.score(w, r.lik[w], x, r.sigma)
	eps := r.cfg.StepSize
	a, b := r.bufA[w], r.bufB[w]
	rng := r.rngs[c]
	half := eps / 2
	for i := range a {
		a[i] = complex(half*(s[i]+r.lik[w][i]), 0)
		b[i] = complex(rng.NormFloat64(), 0)
	}
	if r.last {
		s2 := r.sigma * r.sigma
		for i, v := range x {
			r.den[c][i] = v + s2*(s[i]+r.lik[w][i])
		}
	}
	r.plans[w].Forward(a, a)
	r.plans[w].Forward(b, b)
	root := math.Sqrt(eps)
	for i := range a {
		m := r.m[i]
		a[i] = a[i]*complex(m, 0) + b[i]*complex(root*math.Sqrt(m), 0)
	}
	// The inverse transform is unnormalised: divide by n.
	r.plans[w].Inverse(a, a)
	inv := 1 / float64(r.n)
	for i, v := range a {
		x[i] += real(v) * inv
	}
}

// chainResidual returns the sum of squared normalised residuals of chain c
// over the data with finite noise.
func (r *run) chainResidual(w, c int) float64 {
	l := r.like
	d := l.work[w]
	l.ops[w].Apply(d, r.x[c])
	s2 := r.sigma * r.sigma
	var sum float64
	for i, v := range l.noiseVar {
		if math.IsInf(v, 1) {
			continue
		}
		e := l.data[i] - d[i]
		sum += e * e / (v + s2)
	}
	return sum
}

// residual returns the root mean square normalised residual over chains and
// data.
func (r *run) residual() float64 {
	r.phase = phaseResidual
	r.group.For(r.workers, r.workers, r)
	observed := 0
	for _, v := range r.like.noiseVar {
		if !math.IsInf(v, 1) {
			observed++
		}
	}
	var sum float64
	for _, v := range r.resid {
		sum += v
	}
	return math.Sqrt(sum / float64(observed*len(r.resid)))
}

// collect appends copies of the current states to the result, carried
// down by Config.Finish steps and denoised if asked.
func (r *run) collect(res *Result) error {
	states := make([][]float64, len(r.x))
	for c, x := range r.x {
		states[c] = slices.Clone(x)
	}
	sigma := r.sigma
	if k := r.cfg.Finish; k > 0 {
		ratio := math.Pow(finishRatio, 1/float64(k))
		for range k {
			if err := r.posteriorScore(states, sigma); err != nil {
				return err
			}
			next := sigma * ratio
			d := sigma*sigma - next*next
			root := math.Sqrt(d)
			for c, x := range states {
				rng := r.rngs[c]
				for i, s := range r.score[c] {
					x[i] += d*s + root*rng.NormFloat64()
				}
			}
			sigma = next
		}
	}
	if r.cfg.Denoise {
		if err := r.posteriorScore(states, sigma); err != nil {
			return err
		}
		for c, x := range states {
			for i, s := range r.score[c] {
				x[i] += sigma * sigma * s
			}
		}
	}
	for c, x := range states {
		res.Samples[c] = append(res.Samples[c], x)
	}
	return nil
}

// finishRatio is the ratio of the last noise level of Config.Finish to the
// last level of the ladder.
const finishRatio = 0.01

// posteriorScore writes the prior's score plus the likelihood's annealed
// score of the maps x at noise level sigma into r.score.
func (r *run) posteriorScore(x [][]float64, sigma float64) error {
	if err := r.prior.Score(r.score, x, sigma); err != nil {
		return fmt.Errorf("sampling: prior score at σ = %g: %w", sigma, err)
	}
	chains, level := r.x, r.sigma
	r.x, r.sigma = x, sigma
	r.phase = phaseLikelihood
	r.group.For(r.workers, r.workers, r)
	r.x, r.sigma = chains, level
	return nil
}

// moments accumulates, per chain and per half of the averaging window, the
// sums of the states and of their squares.
type moments struct {
	half       int            // states per half; a window of odd length drops its first state
	skip       int            // states to skip at the start of the window
	sum, sumSq [][2][]float64 // [chain][half][pixel]
	denoised   [][]float64    // [chain][pixel], the sum of the Tweedie estimates
}

func newMoments(chains, n, window int) *moments {
	m := &moments{half: window / 2, skip: window % 2}
	m.sum = make([][2][]float64, chains)
	m.sumSq = make([][2][]float64, chains)
	m.denoised = make([][]float64, chains)
	for c := range chains {
		m.denoised[c] = make([]float64, n)
		for h := range 2 {
			m.sum[c][h] = make([]float64, n)
			m.sumSq[c][h] = make([]float64, n)
		}
	}
	return m
}

// add accumulates the states x of step k of the window and their Tweedie
// estimates den.
func (m *moments) add(k int, x, den [][]float64) {
	k -= m.skip
	if k < 0 || m.half == 0 {
		return
	}
	h := min(k/m.half, 1)
	for c, d := range den {
		s := m.denoised[c]
		for i, v := range d {
			s[i] += v
		}
	}
	for c, xc := range x {
		s, q := m.sum[c][h], m.sumSq[c][h]
		for i, v := range xc {
			s[i] += v
			q[i] += v * v
		}
	}
}

// summarise sets the mean, standard deviation and split R̂ of res, for the
// last level sigma (see Result). With a window of one state, the mean and
// standard deviation are those of the chains' last returned states.
func (m *moments) summarise(res *Result, sigma float64) {
	chains := len(m.sum)
	n := len(m.sum[0][0])
	res.Mean = make([]float64, n)
	res.Std = make([]float64, n)
	res.RHat = make([]float64, n)
	h := float64(m.half)
	res.States = 2 * m.half
	if m.half == 0 {
		last := make([][]float64, chains)
		for c, chain := range res.Samples {
			last[c] = chain[len(chain)-1]
		}
		res.States = 1
		for i := range res.Mean {
			var s, q float64
			for _, x := range last {
				s += x[i]
				q += x[i] * x[i]
			}
			res.Mean[i], res.Std[i] = meanStd(s, q, float64(chains))
			res.RHat[i] = math.NaN()
		}
		return
	}
	total := 2 * h * float64(chains)
	for i := range res.Mean {
		var s, q, w, grand, b float64
		for c := range chains {
			for k := range 2 {
				sc, qc := m.sum[c][k][i], m.sumSq[c][k][i]
				s += sc
				q += qc
				mu, sd := meanStd(sc, qc, h)
				w += sd * sd
				grand += mu
				b += mu * mu
			}
		}
		_, sd := meanStd(s, q, total)
		res.Std[i] = math.Sqrt(max(sd*sd-sigma*sigma, 0))
		var d float64
		for c := range chains {
			d += m.denoised[c][i]
		}
		res.Mean[i] = d / total
		if m.half < 2 {
			res.RHat[i] = math.NaN()
			continue
		}
		// Split R̂ over 2·chains sequences of h states: w the mean of their
		// variances, b/h the variance of their means.
		seqs := float64(2 * chains)
		w /= seqs
		grand /= seqs
		b = (b - seqs*grand*grand) / (seqs - 1) * h
		varPlus := (h-1)/h*w + b/h
		res.RHat[i] = math.Sqrt(varPlus / w)
	}
}

// meanStd returns the mean and the sample standard deviation of count values
// with sum s and sum of squares q.
func meanStd(s, q, count float64) (mean, std float64) {
	mean = s / count
	if count < 2 {
		return mean, 0
	}
	v := (q - s*mean) / (count - 1)
	return mean, math.Sqrt(max(v, 0))
}

// RHatStats summarises R̂ over a set of pixels.
type RHatStats struct {
	Pixels           int // pixels with a finite R̂
	Median, P90, Max float64
}

// SummariseRHat returns the median, 90th percentile and maximum of an R̂
// map such as Result.RHat over the pixels where use is true (all pixels if
// use is nil), NaN values left out. With no finite value the statistics
// are NaN.
func SummariseRHat(rhat []float64, use []bool) RHatStats {
	var v []float64
	for i, r := range rhat {
		if (use == nil || use[i]) && !math.IsNaN(r) {
			v = append(v, r)
		}
	}
	if len(v) == 0 {
		return RHatStats{Median: math.NaN(), P90: math.NaN(), Max: math.NaN()}
	}
	slices.Sort(v)
	return RHatStats{Pixels: len(v), Median: v[len(v)/2], P90: v[len(v)*9/10], Max: v[len(v)-1]}
}
