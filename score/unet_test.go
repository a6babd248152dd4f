package score_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

// tinyConfig is the smallest network that has every kind of layer: two
// poolings, group normalisation and a smooth activation, so that finite
// differences apply.
var tinyConfig = score.UNetConfig{
	Depth:        2,
	BaseChannels: 4,
	InChannels:   2,
	OutChannels:  1,
	GroupNorm:    true,
	Activation:   nn.SiLU,
}

func randomTensor(rng *rand.Rand, n, c, h, w int) *nn.Tensor {
	t := nn.NewTensor(n, c, h, w)
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64())
	}
	return t
}

func TestUNetOutputShape(t *testing.T) {
	for _, cfg := range []score.UNetConfig{
		tinyConfig,
		{Depth: 1, BaseChannels: 3, Activation: nn.LeakyReLU},
		{Depth: 3, BaseChannels: 2, InChannels: 1, OutChannels: 3},
	} {
		t.Run(fmt.Sprintf("depth%d", cfg.Depth), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			u := score.NewUNet(cfg, rng)
			full := u.Config()
			in := randomTensor(rng, 2, full.InChannels, 16, 24)
			out := nn.NewTensor(2, full.OutChannels, 16, 24)
			if err := u.Forward(out, in, []float32{0.1, 1}); err != nil {
				t.Fatal(err)
			}
			for i, v := range out.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("output element %d is %v", i, v)
				}
			}
		})
	}
}

func TestUNetConfigDefaults(t *testing.T) {
	u := score.NewUNet(score.UNetConfig{}, rand.New(rand.NewPCG(1, 2)))
	got := u.Config()
	want := score.UNetConfig{Depth: 3, BaseChannels: 32, InChannels: 1, OutChannels: 1, LeakySlope: 0.01}
	if got != want {
		t.Errorf("Config() = %+v, want %+v", got, want)
	}
	if u.Multiple() != 8 {
		t.Errorf("Multiple() = %d, want 8", u.Multiple())
	}
}

func TestUNetForwardDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	u := score.NewUNet(tinyConfig, rng)
	in := randomTensor(rng, 2, 2, 16, 16)
	sigma := []float32{0.5, 2}
	first := nn.NewTensor(2, 1, 16, 16)
	second := nn.NewTensor(2, 1, 16, 16)
	if err := u.Forward(first, in, sigma); err != nil {
		t.Fatal(err)
	}
	if err := u.Forward(second, in, sigma); err != nil {
		t.Fatal(err)
	}
	for i := range first.Data {
		if math.Float32bits(first.Data[i]) != math.Float32bits(second.Data[i]) {
			t.Fatalf("element %d differs between passes: %v and %v", i, first.Data[i], second.Data[i])
		}
	}
}

func TestUNetNoiseLevelChangesOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	u := score.NewUNet(tinyConfig, rng)
	in := randomTensor(rng, 1, 2, 8, 8)
	low := nn.NewTensor(1, 1, 8, 8)
	high := nn.NewTensor(1, 1, 8, 8)
	if err := u.Forward(low, in, []float32{0.1}); err != nil {
		t.Fatal(err)
	}
	if err := u.Forward(high, in, []float32{1}); err != nil {
		t.Fatal(err)
	}
	same := true
	for i := range low.Data {
		if low.Data[i] != high.Data[i] {
			same = false
		}
	}
	if same {
		t.Error("output for σ = 0.1 equals output for σ = 1")
	}
}

// loss returns Σ weight·out in float64 for the network's output on in.
func loss(t *testing.T, u *score.UNet, out, in, weight *nn.Tensor, sigma []float32) float64 {
	t.Helper()
	if err := u.Forward(out, in, sigma); err != nil {
		t.Fatal(err)
	}
	var sum float64
	for i, v := range out.Data {
		sum += float64(weight.Data[i]) * float64(v)
	}
	return sum
}

// TestUNetGradient compares Backward with central differences of the
// scalar loss Σ weight·out, summed in float64 from float32 outputs. The
// network computes in float32, so the differences carry rounding errors
// that grow as the step shrinks: with this seed the largest error was
// 1.1% of the gradient (0.07% of the largest gradient) at a step of 1e-2,
// and 2.7% and 22% at steps of 3e-3 and 1e-3. The tolerance is therefore
// a relative error of 1e-2 plus 1e-3 of the largest checked gradient.
func TestUNetGradient(t *testing.T) {
	const (
		step   = 1e-2
		relTol = 1e-2
		absTol = 1e-3 // times the largest gradient magnitude checked
		perArr = 4    // entries checked per parameter array
	)
	rng := rand.New(rand.NewPCG(7, 8))
	u := score.NewUNet(tinyConfig, rng)
	in := randomTensor(rng, 2, 2, 8, 8)
	weight := randomTensor(rng, 2, 1, 8, 8)
	sigma := []float32{0.3, 1.5}
	out := nn.NewTensor(2, 1, 8, 8)

	// Analytic gradients.
	if err := u.Forward(out, in, sigma); err != nil {
		t.Fatal(err)
	}
	u.ZeroGrad()
	inGrad := nn.NewTensor(2, 2, 8, 8)
	u.Backward(inGrad, weight)

	type check struct {
		name      string
		value     []float32
		i         int
		analytic  float64
		numerical float64
	}
	var checks []check
	for _, p := range u.Parameters() {
		for k := range perArr {
			i := rng.IntN(len(p.Value))
			if k == 0 {
				i = 0
			}
			checks = append(checks, check{name: p.Name, value: p.Value, i: i, analytic: float64(p.Grad[i])})
		}
	}
	for k := range 8 {
		i := rng.IntN(len(in.Data))
		if k == 0 {
			i = 0
		}
		checks = append(checks, check{name: "input", value: in.Data, i: i, analytic: float64(inGrad.Data[i])})
	}

	// Central differences.
	maxAbs := 0.0
	for k := range checks {
		c := &checks[k]
		old := c.value[c.i]
		c.value[c.i] = old + step
		plus := loss(t, u, out, in, weight, sigma)
		c.value[c.i] = old - step
		minus := loss(t, u, out, in, weight, sigma)
		c.value[c.i] = old
		c.numerical = (plus - minus) / (2 * step)
		maxAbs = max(maxAbs, math.Abs(c.numerical))
	}
	if maxAbs == 0 {
		t.Fatal("every checked gradient is zero")
	}
	for _, c := range checks {
		if d := math.Abs(c.analytic - c.numerical); d > relTol*math.Abs(c.numerical)+absTol*maxAbs {
			t.Errorf("%s[%d]: Backward gives %.6g, finite differences %.6g", c.name, c.i, c.analytic, c.numerical)
		}
	}
}

func TestUNetBackwardAccumulates(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	u := score.NewUNet(tinyConfig, rng)
	in := randomTensor(rng, 1, 2, 8, 8)
	grad := randomTensor(rng, 1, 1, 8, 8)
	out := nn.NewTensor(1, 1, 8, 8)
	if err := u.Forward(out, in, []float32{1}); err != nil {
		t.Fatal(err)
	}
	u.Backward(nil, grad)
	once := append([]float32(nil), u.Parameters()[0].Grad...)
	u.Backward(nil, grad)
	twice := u.Parameters()[0].Grad
	for i := range once {
		if d := math.Abs(float64(twice[i] - 2*once[i])); d > 1e-5*math.Abs(float64(once[i]))+1e-7 {
			t.Fatalf("gradient %d after two Backward calls is %v, want 2 × %v", i, twice[i], once[i])
		}
	}
	u.ZeroGrad()
	for _, p := range u.Parameters() {
		for i, g := range p.Grad {
			if g != 0 {
				t.Fatalf("%s gradient %d is %v after ZeroGrad", p.Name, i, g)
			}
		}
	}
}

func TestUNetParameterNames(t *testing.T) {
	u := score.NewUNet(tinyConfig, rand.New(rand.NewPCG(1, 1)))
	seen := map[string]bool{}
	for _, p := range u.Parameters() {
		if seen[p.Name] {
			t.Errorf("parameter name %q repeated", p.Name)
		}
		seen[p.Name] = true
		if len(p.Value) != len(p.Grad) || len(p.Value) == 0 {
			t.Errorf("%s has %d values and %d gradients", p.Name, len(p.Value), len(p.Grad))
		}
	}
	// Depth 2 has 2 encoder levels, the bottleneck and 2 decoder levels,
	// each of two blocks with four arrays (convolution and normalisation
	// weight and bias), then the final convolution's weight and bias.
	if want := (2+1+2)*2*4 + 2; len(seen) != want {
		t.Errorf("%d parameters, want %d", len(seen), want)
	}
}

func TestUNetNoAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	u := score.NewUNet(tinyConfig, rng)
	in := randomTensor(rng, 2, 2, 16, 16)
	out := nn.NewTensor(2, 1, 16, 16)
	inGrad := nn.NewTensor(2, 2, 16, 16)
	outGrad := randomTensor(rng, 2, 1, 16, 16)
	sigma := []float32{0.2, 0.7}

	step := func() {
		if err := u.Forward(out, in, sigma); err != nil {
			t.Fatal(err)
		}
		u.Backward(inGrad, outGrad)
	}
	step() // warm-up: the buffers grow here
	if allocs := testing.AllocsPerRun(20, func() {
		if err := u.Forward(out, in, sigma); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("Forward allocates %v times per call after warm-up", allocs)
	}
	if allocs := testing.AllocsPerRun(20, step); allocs != 0 {
		t.Errorf("Forward and Backward allocate %v times per step after warm-up", allocs)
	}
}

// TestUNetNoMemoryGrowth runs 1,000 forward passes and checks that the
// heap holds no more after them than after the first.
func TestUNetNoMemoryGrowth(t *testing.T) {
	const passes = 1000
	rng := rand.New(rand.NewPCG(21, 22))
	u := score.NewUNet(tinyConfig, rng)
	in := randomTensor(rng, 1, 2, 16, 16)
	out := nn.NewTensor(1, 1, 16, 16)
	sigma := []float32{0.5}
	if err := u.Forward(out, in, sigma); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range passes {
		if err := u.Forward(out, in, sigma); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	mallocs := after.Mallocs - before.Mallocs
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d passes: %d heap objects allocated, live heap %+d bytes", passes, mallocs, growth)
	// The runtime and the test framework allocate a little on their own.
	if mallocs > 100 {
		t.Errorf("%d passes allocated %d heap objects, want none", passes, mallocs)
	}
	if growth > 64<<10 {
		t.Errorf("live heap grew by %d bytes over %d passes", growth, passes)
	}
}

func TestUNetInvalidSize(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	u := score.NewUNet(tinyConfig, rng) // multiple of 4
	for _, tc := range []struct {
		h, w                           int
		hBelow, hAbove, wBelow, wAbove int
	}{
		{10, 8, 8, 12, 8, 8},
		{8, 6, 8, 8, 4, 8},
		{2, 12, 0, 4, 12, 12},
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.h, tc.w), func(t *testing.T) {
			err := u.Check(tc.h, tc.w)
			var sizeErr *score.SizeError
			if !errors.As(err, &sizeErr) {
				t.Fatalf("Check(%d, %d) = %v, want a *SizeError", tc.h, tc.w, err)
			}
			if b, a := sizeErr.Nearest(tc.h); b != tc.hBelow || a != tc.hAbove {
				t.Errorf("nearest heights %d and %d, want %d and %d", b, a, tc.hBelow, tc.hAbove)
			}
			if b, a := sizeErr.Nearest(tc.w); b != tc.wBelow || a != tc.wAbove {
				t.Errorf("nearest widths %d and %d, want %d and %d", b, a, tc.wBelow, tc.wAbove)
			}

			in := randomTensor(rng, 1, 2, tc.h, tc.w)
			out := nn.NewTensor(1, 1, tc.h, tc.w)
			if err := u.Forward(out, in, []float32{1}); !errors.As(err, &sizeErr) {
				t.Errorf("Forward returned %v, want a *SizeError", err)
			}
		})
	}
	if err := u.Check(12, 16); err != nil {
		t.Errorf("Check(12, 16) = %v, want nil", err)
	}
}

func TestUNetNonFinite(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	u := score.NewUNet(tinyConfig, rng)
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		name  string
		index int // input element set to value, or -1
		value float32
		sigma float32
	}{
		{"NaN input", 37, nan, 1},
		{"Inf input", 200, inf, 1},
		{"NaN sigma", -1, 0, nan},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := randomTensor(rng, 2, 2, 8, 8)
			if tc.index >= 0 {
				in.Data[tc.index] = tc.value
			}
			out := nn.NewTensor(2, 1, 8, 8)
			err := u.Forward(out, in, []float32{0.5, tc.sigma})
			if !errors.Is(err, score.ErrNonFinite) {
				t.Fatalf("Forward returned %v, want an error wrapping ErrNonFinite", err)
			}
			for i, v := range out.Data {
				if v != 0 {
					t.Fatalf("output element %d is %v after a rejected input", i, v)
				}
			}
		})
	}
}

func TestUNetBackwardWithoutForward(t *testing.T) {
	u := score.NewUNet(tinyConfig, rand.New(rand.NewPCG(1, 1)))
	defer func() {
		if recover() == nil {
			t.Error("Backward without Forward did not panic")
		}
	}()
	u.Backward(nil, nn.NewTensor(1, 1, 8, 8))
}

func ExampleUNet_Check() {
	u := score.NewUNet(score.UNetConfig{Depth: 3, BaseChannels: 8}, rand.New(rand.NewPCG(1, 1)))
	fmt.Println(u.Check(360, 360))
	fmt.Println(u.Check(100, 360))
	// Output:
	// <nil>
	// score: invalid image size 100×360: height and width must be positive multiples of 8, so the nearest valid heights are 96 or 104 and widths 360
}
