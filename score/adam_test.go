package score_test

import (
	"math"
	"testing"

	"github.com/skyinv/skyinv/score"
)

// quadratic holds f(θ) = Σ_i c_i (θ_i − a_i)² / 2 with its gradient.
type quadratic struct {
	c, a []float32
}

func (q quadratic) grad(dst, theta []float32) {
	for i := range theta {
		dst[i] = q.c[i] * (theta[i] - q.a[i])
	}
}

func TestAdamQuadraticConverges(t *testing.T) {
	const tol = 1e-3
	q := quadratic{c: []float32{1, 10, 0.1}, a: []float32{3, -2, 0.5}}
	p := score.Parameter{Name: "x", Value: make([]float32, 3), Grad: make([]float32, 3)}
	cfg := score.DefaultAdamConfig()
	cfg.LearningRate = 0.05
	cfg.Schedule = score.Schedule{WarmupSteps: 10, DecaySteps: 3000, MinRate: 1e-4}
	opt := score.NewAdam([]score.Parameter{p}, cfg)
	for range 3010 {
		q.grad(p.Grad, p.Value)
		opt.Step()
	}
	for i, x := range p.Value {
		if math.Abs(float64(x-q.a[i])) > tol {
			t.Errorf("θ[%d] = %g, want %g", i, x, q.a[i])
		}
	}
}

func TestAdamFirstTwoSteps(t *testing.T) {
	const tol = 1e-6 // relative, a few float32 roundings
	const (
		lr, b1, b2, eps, wd = 0.01, 0.8, 0.9, 1e-3, 0.5
	)
	theta := []float64{1, -2}
	g1 := []float64{0.5, 3}
	g2 := []float64{-1, 2}

	p := score.Parameter{Name: "x", Value: []float32{1, -2}, Grad: make([]float32, 2)}
	opt := score.NewAdam([]score.Parameter{p}, score.AdamConfig{LearningRate: lr, Beta1: b1, Beta2: b2, Epsilon: eps, WeightDecay: wd})

	// The reference follows Algorithm 1 of Kingma and Ba in float64, with
	// ε added after the bias correction and decoupled decay θ·(1 − α·λ).
	m := []float64{0, 0}
	v := []float64{0, 0}
	for step, g := range [][]float64{g1, g2} {
		k := float64(step + 1)
		for i := range theta {
			p.Grad[i] = float32(g[i])
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			mHat := m[i] / (1 - math.Pow(b1, k))
			vHat := v[i] / (1 - math.Pow(b2, k))
			theta[i] *= 1 - lr*wd
			theta[i] -= lr * mHat / (math.Sqrt(vHat) + eps)
		}
		opt.Step()
		for i := range theta {
			if got := float64(p.Value[i]); math.Abs(got-theta[i]) > tol*math.Abs(theta[i]) {
				t.Errorf("step %d: θ[%d] = %.9g, want %.9g", step+1, i, got, theta[i])
			}
		}
	}

	if opt.Steps() != 2 {
		t.Errorf("Steps() = %d, want 2", opt.Steps())
	}
}

func TestAdamStateResumes(t *testing.T) {
	q := quadratic{c: []float32{2, 0.5}, a: []float32{1, -1}}
	newOpt := func() (score.Parameter, *score.Adam) {
		p := score.Parameter{Name: "x", Value: []float32{0, 0}, Grad: make([]float32, 2)}
		return p, score.NewAdam([]score.Parameter{p}, score.AdamConfig{LearningRate: 0.1, Beta1: 0.9, Beta2: 0.99, Epsilon: 1e-8, WeightDecay: 0.01,
			Schedule: score.Schedule{WarmupSteps: 2, DecaySteps: 10}})
	}
	p, opt := newOpt()
	for range 3 {
		q.grad(p.Grad, p.Value)
		opt.Step()
	}
	saved := opt.State()
	savedTheta := append([]float32(nil), p.Value...)
	for range 3 {
		q.grad(p.Grad, p.Value)
		opt.Step()
	}

	p2, opt2 := newOpt()
	copy(p2.Value, savedTheta)
	if err := opt2.SetState(saved); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		q.grad(p2.Grad, p2.Value)
		opt2.Step()
	}
	for i := range p.Value {
		if p.Value[i] != p2.Value[i] {
			t.Errorf("θ[%d] after resume = %v, want %v", i, p2.Value[i], p.Value[i])
		}
	}
	if opt2.Steps() != 6 {
		t.Errorf("Steps() after resume = %d, want 6", opt2.Steps())
	}
}

func TestAdamSetStateMismatch(t *testing.T) {
	p := score.Parameter{Name: "x", Value: []float32{0, 0}, Grad: make([]float32, 2)}
	opt := score.NewAdam([]score.Parameter{p}, score.DefaultAdamConfig())
	bad := score.AdamState{Step: 1, M: [][]float32{{0}}, V: [][]float32{{0}}}
	if err := opt.SetState(bad); err == nil {
		t.Error("SetState accepted moments of the wrong length")
	}
	if opt.Steps() != 0 {
		t.Errorf("failed SetState changed the step count to %d", opt.Steps())
	}
}

func TestAdamStepNoAllocations(t *testing.T) {
	p := score.Parameter{Name: "x", Value: make([]float32, 100), Grad: make([]float32, 100)}
	cfg := score.DefaultAdamConfig()
	cfg.WeightDecay = 0.1
	cfg.Schedule = score.Schedule{WarmupSteps: 5, DecaySteps: 50}
	opt := score.NewAdam([]score.Parameter{p}, cfg)
	if n := testing.AllocsPerRun(10, opt.Step); n != 0 {
		t.Errorf("Step allocated %v times per call", n)
	}
}

func TestScheduleRate(t *testing.T) {
	const tol = 1e-12
	s := score.Schedule{WarmupSteps: 4, DecaySteps: 10, MinRate: 0.1}
	cases := []struct {
		step int
		want float64
	}{
		{1, 0.25}, {4, 1}, {9, 0.55}, // halfway through the decay: (1 + 0.1)/2
		{14, 0.1}, {100, 0.1},
	}
	for _, c := range cases {
		if got := s.Rate(1, c.step); math.Abs(got-c.want) > tol {
			t.Errorf("Rate(1, %d) = %g, want %g", c.step, got, c.want)
		}
	}
	if got := (score.Schedule{}).Rate(0.3, 7); got != 0.3 {
		t.Errorf("zero Schedule rate = %g, want the constant 0.3", got)
	}
}

func TestNewAdamInvalidConfig(t *testing.T) {
	p := score.Parameter{Name: "x", Value: make([]float32, 2), Grad: make([]float32, 2)}
	edits := map[string]func(*score.AdamConfig){
		"negative rate":     func(c *score.AdamConfig) { c.LearningRate = -1 },
		"NaN rate":          func(c *score.AdamConfig) { c.LearningRate = math.NaN() },
		"beta1 of 1":        func(c *score.AdamConfig) { c.Beta1 = 1 },
		"zero epsilon":      func(c *score.AdamConfig) { c.Epsilon = 0 },
		"infinite epsilon":  func(c *score.AdamConfig) { c.Epsilon = math.Inf(1) },
		"infinite decay":    func(c *score.AdamConfig) { c.WeightDecay = math.Inf(1) },
		"min rate too high": func(c *score.AdamConfig) { c.Schedule.MinRate = 1 },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			cfg := score.DefaultAdamConfig()
			edit(&cfg)
			defer func() {
				if recover() == nil {
					t.Errorf("NewAdam accepted %+v", cfg)
				}
			}()
			score.NewAdam([]score.Parameter{p}, cfg)
		})
	}
}
