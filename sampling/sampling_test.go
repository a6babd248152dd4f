package sampling_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/sampling"
)

// smallProblem is a 16 × 16 shear field with uniform noise and no signal.
func smallProblem(t *testing.T) (power, data, noiseVar []float64, newOp func() (operators.Operator, error)) {
	t.Helper()
	const nx, ny = 16, 16
	power = powerspec.PowerMap(func(ell float64) float64 { return 1e-9 * math.Pow(ell/1000, -1.2) }, nx, ny, 2.0/60*math.Pi/180)
	newOp = func() (operators.Operator, error) {
		return operators.NewShear(nx, ny, operators.ShearOptions{EOnly: true})
	}
	data = make([]float64, 2*nx*ny)
	noiseVar = make([]float64, 2*nx*ny)
	for i := range noiseVar {
		noiseVar[i] = 1e-3
	}
	return power, data, noiseVar, newOp
}

func smallConfig(power []float64) sampling.Config {
	return sampling.Config{NX: 16, NY: 16, Chains: 5, SigmaMax: 0.1, SigmaMin: 1e-4, Levels: 3,
		Steps: 5, FinalSteps: 12, StepSize: 0.05, Power: power, Keep: 4, Thin: 3, Seed: 11}
}

func TestSampleReproducibleAcrossWorkers(t *testing.T) {
	power, data, noiseVar, newOp := smallProblem(t)
	run := func(workers int) *sampling.Result {
		prior, err := sampling.NewGaussianPrior(power, 16, 16, workers)
		if err != nil {
			t.Fatal(err)
		}
		like, err := sampling.NewLikelihood(newOp, data, noiseVar, workers)
		if err != nil {
			t.Fatal(err)
		}
		cfg := smallConfig(power)
		cfg.Workers = workers
		cfg.Denoise = true
		res, err := sampling.Sample(prior, like, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(1), run(3)
	if len(a.Samples) != 5 || len(a.Samples[0]) != 4 {
		t.Fatalf("got %d chains of %d states, want 5 of 4", len(a.Samples), len(a.Samples[0]))
	}
	for c := range a.Samples {
		for k := range a.Samples[c] {
			if !slices.Equal(a.Samples[c][k], b.Samples[c][k]) {
				t.Fatalf("chain %d, state %d differs between 1 and 3 workers", c, k)
			}
		}
	}
	if len(a.Levels) != 3 || a.Levels[2].Sigma != 1e-4 {
		t.Errorf("levels %+v, want 3 ending at σ = 1e-4", a.Levels)
	}
}

// TestSplitRHat runs chains that mix within the last level and chains that
// do not: R̂ is near 1 for the first and well above it for the second.
func TestSplitRHat(t *testing.T) {
	power, data, noiseVar, newOp := smallProblem(t)
	prior, _ := sampling.NewGaussianPrior(power, 16, 16, 0)
	like, err := sampling.NewLikelihood(newOp, data, noiseVar, 0)
	if err != nil {
		t.Fatal(err)
	}
	median := func(stepSize float64) float64 {
		cfg := smallConfig(power)
		cfg.Chains, cfg.FinalSteps, cfg.Keep, cfg.Thin, cfg.StepSize = 8, 1600, 16, 100, stepSize
		res, err := sampling.Sample(prior, like, cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := slices.Clone(res.RHat)
		slices.Sort(r)
		return r[len(r)/2]
	}
	mixed, stuck := median(0.2), median(2e-5)
	t.Logf("median split R̂: %.3f with ε = 0.2, %.3f with ε = 2e-5", mixed, stuck)
	if !(mixed < 1.1) {
		t.Errorf("median split R̂ %.3f for mixing chains, want below 1.1", mixed)
	}
	if !(stuck > 1.5) {
		t.Errorf("median split R̂ %.3f for chains that barely move, want above 1.5", stuck)
	}
}

func TestSampleErrors(t *testing.T) {
	power, data, noiseVar, newOp := smallProblem(t)
	prior, _ := sampling.NewGaussianPrior(power, 16, 16, 1)
	like, err := sampling.NewLikelihood(newOp, data, noiseVar, 1)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(*sampling.Config){
		"wrong size":        func(c *sampling.Config) { c.NX = 8 },
		"no chains":         func(c *sampling.Config) { c.Chains = 0 },
		"zero sigma":        func(c *sampling.Config) { c.SigmaMin = 0 },
		"inverted ladder":   func(c *sampling.Config) { c.SigmaMax = 1e-5 },
		"no steps":          func(c *sampling.Config) { c.Steps = 0 },
		"zero step size":    func(c *sampling.Config) { c.StepSize = 0 },
		"short power":       func(c *sampling.Config) { c.Power = c.Power[:3] },
		"states do not fit": func(c *sampling.Config) { c.Keep = 10 },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := smallConfig(power)
			edit(&cfg)
			if _, err := sampling.Sample(prior, like, cfg); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestLikelihoodErrors(t *testing.T) {
	_, data, noiseVar, newOp := smallProblem(t)
	zero := slices.Clone(noiseVar)
	zero[7] = 0
	nanData := slices.Clone(data)
	nanData[3] = math.NaN()
	allMasked := slices.Clone(noiseVar)
	for i := range allMasked {
		allMasked[i] = math.Inf(1)
	}
	cases := []struct {
		name     string
		data, nv []float64
		want     string
	}{
		{"zero noise", data, zero, "datum 7"},
		{"NaN datum", nanData, noiseVar, "datum 3"},
		{"no data", data, allMasked, "no datum"},
		{"short data", data[:10], noiseVar, "10 data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sampling.NewLikelihood(newOp, c.data, c.nv, 1)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestSummariseRHat(t *testing.T) {
	rhat := []float64{1.0, math.NaN(), 1.2, 3.0, 1.1, 9.0}
	got := sampling.SummariseRHat(rhat, []bool{true, true, true, true, true, false})
	if got.Pixels != 4 || got.Median != 1.2 || got.Max != 3.0 || got.P90 != 3.0 {
		t.Errorf("summary %+v, want 4 pixels, median 1.2, 90th percentile and max 3", got)
	}
	if all := sampling.SummariseRHat(rhat, nil); all.Pixels != 5 || all.Max != 9.0 {
		t.Errorf("summary over all pixels %+v, want 5 pixels and max 9", all)
	}
	none := sampling.SummariseRHat([]float64{math.NaN()}, nil)
	if none.Pixels != 0 || !math.IsNaN(none.Median) {
		t.Errorf("summary of NaN only %+v, want no pixels and a NaN median", none)
	}
}
