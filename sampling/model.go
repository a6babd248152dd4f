package sampling

import (
	"errors"
	"fmt"
	"math"

	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/priors"
)

// Prior is the score of a prior on NX × NY maps, smoothed by white
// Gaussian noise: ∇ log p_σ(x) with p_σ = p ∗ N(0, σ² I).
type Prior interface {
	// Score writes the score at noise level sigma of each map x[c] into
	// dst[c]. The sampler calls it with all chains at once, so a network
	// can take them as one batch. dst[c] and x[c] do not overlap.
	Score(dst, x [][]float64, sigma float64) error
}

// GaussianPrior is the analytic score of a Gaussian prior that is diagonal
// in Fourier space (priors.Gaussian). It spreads the chains over its
// workers. It is not safe for concurrent use.
type GaussianPrior struct {
	gauss []*priors.Gaussian // one per worker
	task  gaussTask
}

type gaussTask struct {
	p         *GaussianPrior
	dst, x    [][]float64
	sigma     float64
	workers   int
	group     parallelGroup
	nx, ny, n int
}

// NewGaussianPrior returns the prior of the unnormalised FFT coefficient
// variances power (as powerspec.PowerMap returns them), with workers
// goroutines; workers < 1 means GOMAXPROCS.
func NewGaussianPrior(power []float64, nx, ny, workers int) (*GaussianPrior, error) {
	workers = defaultWorkers(workers)
	p := &GaussianPrior{}
	for range workers {
		g, err := priors.NewGaussian(power, nx, ny)
		if err != nil {
			return nil, fmt.Errorf("sampling: %w", err)
		}
		g.SetWorkers(1)
		p.gauss = append(p.gauss, g)
	}
	p.task = gaussTask{p: p, workers: workers, nx: nx, ny: ny, n: nx * ny}
	return p, nil
}

// Score writes −(S + σ² I)⁻¹ x[c] into dst[c] for every chain.
func (p *GaussianPrior) Score(dst, x [][]float64, sigma float64) error {
	t := &p.task
	for c := range x {
		if len(x[c]) != t.n || len(dst[c]) != t.n {
			return fmt.Errorf("sampling: Gaussian prior: chain %d has maps of %d and %d values, want %d (%d × %d)", c, len(dst[c]), len(x[c]), t.n, t.nx, t.ny)
		}
	}
	t.dst, t.x, t.sigma = dst, x, sigma
	t.group.For(t.workers, t.workers, t)
	t.dst, t.x = nil, nil
	return nil
}

// Run scores the chains of workers lo to hi−1: worker w takes chains w,
// w + workers, and so on.
func (t *gaussTask) Run(lo, hi int) {
	for w := lo; w < hi; w++ {
		for c := w; c < len(t.x); c += t.workers {
			t.p.gauss[w].Score(t.dst[c], t.x[c], t.sigma)
		}
	}
}

// Likelihood is the Gaussian likelihood of data y = A x + n, with n of
// independent components of variance NoiseVar (+Inf for a component
// without data, such as the shear of an empty pixel). Its annealed score
// at noise level σ is
//
//	∇ₓ log p_σ(y | x) = Aᵀ (N + σ² I)⁻¹ (y − A x).
//
// This is the exact score of p(y | x_σ) when x_σ = x + σz and A Aᵀ = I:
// the data then see the noise σ of the smoothed prior as extra data noise.
// For the shear operator A Aᵀ is the projection on E-mode shear, so the
// form is exact for the E part of the data and adds σ² to the B part,
// which carries no signal. Early, high-σ steps are then dominated by the
// prior, as the annealing needs, and the last steps see the data's own
// noise.
type Likelihood struct {
	ops      []operators.Operator // one per worker
	data     []float64
	noiseVar []float64
	work     [][]float64 // per worker, the size of the range
}

// NewLikelihood returns the likelihood of data with per-component noise
// variances noiseVar. newOp is called once per worker for an operator of
// its own, because operators keep buffers; workers < 1 means GOMAXPROCS.
// The data and the noise must fit the operator's range. A variance must be
// positive, or +Inf; a datum with finite variance must be finite, and at
// least one must have it. NewLikelihood returns an error otherwise.
func NewLikelihood(newOp func() (operators.Operator, error), data, noiseVar []float64, workers int) (*Likelihood, error) {
	workers = defaultWorkers(workers)
	l := &Likelihood{data: data, noiseVar: noiseVar}
	for range workers {
		op, err := newOp()
		if err != nil {
			return nil, fmt.Errorf("sampling: likelihood operator: %w", err)
		}
		l.ops = append(l.ops, op)
		l.work = append(l.work, make([]float64, op.Range().Len()))
	}
	m := l.ops[0].Range().Len()
	if len(data) != m || len(noiseVar) != m {
		return nil, fmt.Errorf("sampling: likelihood: %d data and %d noise variances for an operator with %d outputs", len(data), len(noiseVar), m)
	}
	observed := 0
	for i, v := range noiseVar {
		switch {
		case math.IsInf(v, 1):
			continue
		case !(v > 0) || math.IsInf(v, 0):
			return nil, fmt.Errorf("sampling: likelihood: noise variance %v at datum %d: it must be positive, or +Inf for no data", v, i)
		case math.IsNaN(data[i]) || math.IsInf(data[i], 0):
			return nil, fmt.Errorf("sampling: likelihood: datum %d is %v", i, data[i])
		}
		observed++
	}
	if observed == 0 {
		return nil, errors.New("sampling: likelihood: no datum has a finite noise variance")
	}
	return l, nil
}

// TypicalNoiseVar returns the harmonic mean of the finite noise variances,
// the noise variance of the data's typical pixel (see Config.DataPower).
func (l *Likelihood) TypicalNoiseVar() float64 {
	var sum float64
	count := 0
	for _, v := range l.noiseVar {
		if !math.IsInf(v, 1) {
			sum += 1 / v
			count++
		}
	}
	return float64(count) / sum
}

// ShearDataPower returns Config.DataPower for shear data through an
// operator with |T_k| = 1, such as operators.Shear: N v on every Fourier
// coefficient of the N-pixel map, with v the typical noise variance, and
// +Inf at k = 0, whose mass sheet the shear does not constrain.
func (l *Likelihood) ShearDataPower() []float64 {
	n := l.Size()
	p := make([]float64, n)
	v := float64(n) * l.TypicalNoiseVar()
	for i := range p {
		p[i] = v
	}
	p[0] = math.Inf(1)
	return p
}

// Size returns the length of the maps the likelihood takes.
func (l *Likelihood) Size() int { return l.ops[0].Domain().Len() }

// score writes the annealed likelihood score of x into dst with the
// operator and buffer of worker w.
func (l *Likelihood) score(w int, dst, x []float64, sigma float64) {
	r := l.work[w]
	l.ops[w].Apply(r, x)
	s2 := sigma * sigma
	for i, v := range l.noiseVar {
		if math.IsInf(v, 1) {
			r[i] = 0
			continue
		}
		r[i] = (l.data[i] - r[i]) / (v + s2)
	}
	l.ops[w].Adjoint(dst, r)
}
