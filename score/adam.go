package score

import (
	"fmt"
	"math"
)

// AdamConfig sets the hyperparameters of an Adam optimiser. Unlike
// UNetConfig, zero values are taken as given, because β1 = 0 and a zero
// weight decay are meaningful. DefaultAdamConfig returns the usual values.
type AdamConfig struct {
	// LearningRate is the peak step size α. Schedule scales it per step.
	LearningRate float64 `json:"learning_rate"`

	// Beta1 and Beta2 are the decay rates of the first and second moment
	// estimates, each in [0, 1).
	Beta1 float64 `json:"beta1"`
	Beta2 float64 `json:"beta2"`

	// Epsilon is added to the square root of the second moment estimate
	// to keep the step finite. It must be positive.
	Epsilon float64 `json:"epsilon"`

	// WeightDecay is the decoupled weight decay λ of AdamW: every step
	// multiplies each parameter by 1 − α_t·λ before the Adam update.
	// Zero gives plain Adam.
	WeightDecay float64 `json:"weight_decay"`

	// Schedule sets the learning rate of each step from LearningRate.
	// The zero value keeps it constant.
	Schedule Schedule `json:"schedule"`
}

// DefaultAdamConfig returns the defaults that Kingma and Ba suggest,
// α = 1e-3, β1 = 0.9, β2 = 0.999 and ε = 1e-8, with no weight decay and a
// constant learning rate.
func DefaultAdamConfig() AdamConfig {
	return AdamConfig{LearningRate: 1e-3, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8}
}

func (cfg AdamConfig) check() {
	finite := !math.IsInf(cfg.LearningRate, 0) && !math.IsInf(cfg.Epsilon, 0) && !math.IsInf(cfg.WeightDecay, 0)
	ok := finite && cfg.LearningRate >= 0 && cfg.Beta1 >= 0 && cfg.Beta1 < 1 &&
		cfg.Beta2 >= 0 && cfg.Beta2 < 1 && cfg.Epsilon > 0 && cfg.WeightDecay >= 0 &&
		cfg.Schedule.WarmupSteps >= 0 && cfg.Schedule.DecaySteps >= 0 &&
		cfg.Schedule.MinRate >= 0 && cfg.Schedule.MinRate <= cfg.LearningRate
	if !ok {
		panic(fmt.Sprintf("score: invalid AdamConfig %+v", cfg))
	}
}

// Schedule is a learning-rate schedule: a linear warm-up followed by a
// cosine decay (Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent
// with Warm Restarts", ICLR 2017, arXiv:1608.03983, without restarts).
// With peak rate α, the rate of step t = 1, 2, … is
//
//	α·t/W                                  for t ≤ W,
//	m + (α − m)·(1 + cos(π·(t − W)/D))/2    for W < t < W + D,
//	m                                      for t ≥ W + D,
//
// with W = WarmupSteps, D = DecaySteps and m = MinRate. D = 0 means no
// decay, so the rate stays α after the warm-up, and the zero Schedule is
// a constant rate.
type Schedule struct {
	WarmupSteps int     `json:"warmup_steps"`
	DecaySteps  int     `json:"decay_steps"`
	MinRate     float64 `json:"min_rate"`
}

// Rate returns the learning rate of step t (counted from 1) for the peak
// rate peak.
func (s Schedule) Rate(peak float64, t int) float64 {
	if t <= s.WarmupSteps {
		return peak * float64(t) / float64(s.WarmupSteps)
	}
	if s.DecaySteps == 0 {
		return peak
	}
	d := t - s.WarmupSteps
	if d >= s.DecaySteps {
		return s.MinRate
	}
	return s.MinRate + (peak-s.MinRate)*(1+math.Cos(math.Pi*float64(d)/float64(s.DecaySteps)))/2
}

// Adam is the Adam optimiser of Kingma and Ba, "Adam: A Method for
// Stochastic Optimization", ICLR 2015 (arXiv:1412.6980, Algorithm 1),
// with the decoupled weight decay of Loshchilov and Hutter, "Decoupled
// Weight Decay Regularization", ICLR 2019 (AdamW). For each parameter θ
// with gradient g, step t does
//
//	θ ← θ·(1 − α_t·λ)
//	m ← β1·m + (1 − β1)·g
//	v ← β2·v + (1 − β2)·g²
//	θ ← θ − (α_t / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
//
// which is Algorithm 1 with m̂ = m/(1 − β1^t) and v̂ = v/(1 − β2^t), so ε
// is added to √v̂. The moment updates run in float32 and the bias
// corrections in float64.
//
// Adam allocates its moment buffers in NewAdam, so Step allocates nothing.
// It must not be used by two goroutines at once.
type Adam struct {
	cfg    AdamConfig
	params []Parameter
	m, v   [][]float32
	step   int
}

// NewAdam returns an optimiser for params with zero moments. It panics if
// cfg is invalid or a parameter's Value and Grad differ in length.
func NewAdam(params []Parameter, cfg AdamConfig) *Adam {
	cfg.check()
	a := &Adam{cfg: cfg, params: params, m: make([][]float32, len(params)), v: make([][]float32, len(params))}
	for i, p := range params {
		if len(p.Value) != len(p.Grad) {
			panic(fmt.Sprintf("score: parameter %s has %d values but %d gradients", p.Name, len(p.Value), len(p.Grad)))
		}
		a.m[i] = make([]float32, len(p.Value))
		a.v[i] = make([]float32, len(p.Value))
	}
	return a
}

// Config returns the configuration given to NewAdam.
func (a *Adam) Config() AdamConfig { return a.cfg }

// Steps returns the number of steps taken, or restored by SetState.
func (a *Adam) Steps() int { return a.step }

// LearningRate returns the rate that the next Step will use.
func (a *Adam) LearningRate() float64 {
	return a.cfg.Schedule.Rate(a.cfg.LearningRate, a.step+1)
}

// Step updates every parameter from its current gradient. It does not
// clear the gradients, so call ZeroGrad before the next Backward.
func (a *Adam) Step() {
	a.step++
	t := float64(a.step)
	rate := a.cfg.Schedule.Rate(a.cfg.LearningRate, a.step)
	b1, b2 := float32(a.cfg.Beta1), float32(a.cfg.Beta2)
	stepSize := float32(rate / (1 - math.Pow(a.cfg.Beta1, t)))
	invSqrtCorr2 := float32(1 / math.Sqrt(1-math.Pow(a.cfg.Beta2, t)))
	eps := float32(a.cfg.Epsilon)
	decay := float32(1 - rate*a.cfg.WeightDecay)

	for i, p := range a.params {
		m, v := a.m[i], a.v[i]
		theta, grad := p.Value, p.Grad[:len(p.Value)]
		m, v = m[:len(theta)], v[:len(theta)]
		for j, g := range grad {
			m[j] = b1*m[j] + (1-b1)*g
			v[j] = b2*v[j] + (1-b2)*g*g
			denom := float32(math.Sqrt(float64(v[j])))*invSqrtCorr2 + eps
			if decay != 1 {
				theta[j] *= decay
			}
			theta[j] -= stepSize * m[j] / denom
		}
	}
}

// AdamState is the part of an Adam optimiser that changes with each step:
// the step count and the first and second moment estimates, one slice per
// parameter in the order given to NewAdam.
type AdamState struct {
	Step int
	M, V [][]float32
}

// State returns a copy of the optimiser's state.
func (a *Adam) State() AdamState {
	s := AdamState{Step: a.step, M: make([][]float32, len(a.m)), V: make([][]float32, len(a.v))}
	for i := range a.m {
		s.M[i] = append([]float32(nil), a.m[i]...)
		s.V[i] = append([]float32(nil), a.v[i]...)
	}
	return s
}

// SetState copies s into the optimiser, so that the following steps are
// those of the optimiser that s was taken from. It returns an error, and
// changes nothing, if s does not match the parameters in count or length.
func (a *Adam) SetState(s AdamState) error {
	if s.Step < 0 {
		return fmt.Errorf("score: invalid Adam state: negative step count %d", s.Step)
	}
	if len(s.M) != len(a.m) || len(s.V) != len(a.v) {
		return fmt.Errorf("score: Adam state has %d first and %d second moments for %d parameters", len(s.M), len(s.V), len(a.m))
	}
	for i := range a.m {
		if len(s.M[i]) != len(a.m[i]) || len(s.V[i]) != len(a.v[i]) {
			return fmt.Errorf("score: Adam state for parameter %s has %d and %d moments, want %d",
				a.params[i].Name, len(s.M[i]), len(s.V[i]), len(a.m[i]))
		}
	}
	for i := range a.m {
		copy(a.m[i], s.M[i])
		copy(a.v[i], s.V[i])
	}
	a.step = s.Step
	return nil
}
