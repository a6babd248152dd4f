package solvers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/internal/spin2"
	"github.com/skyinv/skyinv/operators"
)

// syntheticWiener builds a Wiener problem on an nx × ny grid: a power-law
// prior, noise variances between 0.5 and 2 (times sigma2) with about 30% of
// the pixels unobserved, and data drawn from the model.
func syntheticWiener(t *testing.T, rng *rand.Rand, nx, ny int, sigma2 float64) (WienerProblem, []float64, []float64) {
	t.Helper()
	n := nx * ny
	fx, fy := spin2.Frequencies(nx), spin2.Frequencies(ny)
	power := make([]float64, n)
	for y := range ny {
		for x := range nx {
			k := math.Hypot(fx[x], fy[y])
			if k > 0 {
				power[y*nx+x] = float64(n) * 0.01 * math.Pow(k, -1.5)
			}
		}
	}
	noise := make([]float64, n)
	for i := range noise {
		if rng.Float64() < 0.3 {
			noise[i] = math.Inf(1)
		} else {
			noise[i] = sigma2 * (0.5 + 1.5*rng.Float64())
		}
	}

	// A Gaussian κ with that power: white noise coloured in Fourier space.
	kappa := make([]float64, n)
	for i := range kappa {
		kappa[i] = rng.NormFloat64()
	}
	buf := make([]complex128, n)
	for i, v := range kappa {
		buf[i] = complex(v, 0)
	}
	plan := newTestPlan(nx, ny)
	plan.Forward(buf, buf)
	for i := range buf {
		buf[i] *= complex(math.Sqrt(power[i]/float64(n))/float64(n), 0)
	}
	plan.Inverse(buf, buf)
	for i := range kappa {
		kappa[i] = real(buf[i])
	}

	shear, _ := operators.NewShear(nx, ny, operators.ShearOptions{EOnly: true})
	g := make([]float64, 2*n)
	shear.Apply(g, kappa)
	g1, g2 := g[:n], g[n:]
	for i, v := range noise {
		if math.IsInf(v, 1) {
			g1[i], g2[i] = 0, 0
			continue
		}
		g1[i] += math.Sqrt(v) * rng.NormFloat64()
		g2[i] += math.Sqrt(v) * rng.NormFloat64()
	}
	return WienerProblem{NX: nx, NY: ny, Power: power, NoiseVar: noise}, g1, g2
}

func rmsOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s / float64(len(v)))
}

func TestMessengerAgreesWithCG(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, size := range [][2]int{{32, 24}, {33, 27}} {
		p, g1, g2 := syntheticWiener(t, rng, size[0], size[1], 0.01)
		mf, mres, err := mustMessenger(t, p).Solve(g1, g2, Settings{Tol: 1e-9, MaxIter: 20000})
		if err != nil {
			t.Fatal(err)
		}
		cg, cres, err := WienerCG(p, g1, g2, Settings{Tol: 1e-10, MaxIter: 2000})
		if err != nil {
			t.Fatal(err)
		}
		diff := make([]float64, len(mf))
		for i := range mf {
			diff[i] = mf[i] - cg[i]
		}
		rel := rmsOf(diff) / rmsOf(cg)
		t.Logf("%dx%d: messenger %d iterations, CG %d; rms difference %.2g of the map rms", size[0], size[1], mres.Iterations, cres.Iterations, rel)
		if !(rel < 1e-4) {
			t.Errorf("%dx%d: messenger and CG differ by %.3g of the map rms, want < 1e-4", size[0], size[1], rel)
		}
	}
}

func mustMessenger(t *testing.T, p WienerProblem) *Messenger {
	t.Helper()
	m, err := NewMessenger(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// With noise everywhere equal and no mask, the Wiener filter is diagonal in
// Fourier space: κ̂ = P/(P + σ² N_pix) · KS(γ)^.
func TestWienerFourierDiagonalCase(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	nx, ny := 20, 16
	p, g1, g2 := syntheticWiener(t, rng, nx, ny, 0.02)
	for i := range p.NoiseVar {
		p.NoiseVar[i] = 0.02
	}
	n := nx * ny
	shear, _ := operators.NewShear(nx, ny, operators.ShearOptions{EOnly: true})
	ks := make([]float64, n)
	shear.Adjoint(ks, append(append([]float64{}, g1...), g2...))
	buf := make([]complex128, n)
	for i, v := range ks {
		buf[i] = complex(v, 0)
	}
	plan := newTestPlan(nx, ny)
	plan.Forward(buf, buf)
	for i := range buf {
		f := 0.0
		if p.Power[i] > 0 {
			f = p.Power[i] / (p.Power[i] + 0.02*float64(n))
		}
		buf[i] *= complex(f/float64(n), 0)
	}
	plan.Inverse(buf, buf)
	want := make([]float64, n)
	for i := range want {
		want[i] = real(buf[i])
	}

	mf, _, err := mustMessenger(t, p).Solve(g1, g2, Settings{Tol: 1e-12, MaxIter: 100})
	if err != nil {
		t.Fatal(err)
	}
	cg, _, err := WienerCG(p, g1, g2, Settings{Tol: 1e-12, MaxIter: 500})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Abs(mf[i]-want[i]) > 1e-10 || math.Abs(cg[i]-want[i]) > 1e-9 {
			t.Fatalf("pixel %d: messenger %g, CG %g, closed form %g", i, mf[i], cg[i], want[i])
		}
	}
}

func TestWienerRejectsBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	p, g1, g2 := syntheticWiener(t, rng, 8, 8, 0.01)
	allMasked := p
	allMasked.NoiseVar = make([]float64, 64)
	for i := range allMasked.NoiseVar {
		allMasked.NoiseVar[i] = math.Inf(1)
	}
	negative := p
	negative.Power = append([]float64{}, p.Power...)
	negative.Power[3] = -1
	short := p
	short.NoiseVar = p.NoiseVar[:10]
	zero := p
	zero.Power = make([]float64, len(p.Power))
	for name, q := range map[string]WienerProblem{"no valid pixel": allMasked, "negative power": negative, "short noise map": short, "zero power": zero} {
		if _, err := NewMessenger(q); err == nil {
			t.Errorf("%s: NewMessenger returned no error", name)
		}
		if _, _, err := WienerCG(q, g1, g2, Settings{}); err == nil {
			t.Errorf("%s: WienerCG returned no error", name)
		}
	}
}

// Without a mask and with uniform noise, the posterior of each Fourier mode
// of κ_E is Gaussian with variance V = P σ²N/(P + σ²N) (N the pixel count):
// the pixel variance of the samples must average (1/N²) Σ V.
func TestWienerSamplesHaveThePosteriorVariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	nx, ny := 24, 20
	n := nx * ny
	const sigma2 = 0.02
	p, g1, g2 := syntheticWiener(t, rng, nx, ny, sigma2)
	for i := range p.NoiseVar {
		p.NoiseVar[i] = sigma2
	}
	const k = 200
	samples, err := WienerSamples(p, g1, g2, nil, Settings{Tol: 1e-10, MaxIter: 500}, SampleOptions{Samples: k, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for _, pk := range p.Power {
		if pk > 0 {
			want += pk * sigma2 * float64(n) / (pk + sigma2*float64(n))
		}
	}
	want /= float64(n * n)

	got := 0.0
	for j := range n {
		var s, ss float64
		for _, smp := range samples {
			s += smp[j]
			ss += smp[j] * smp[j]
		}
		m := s / k
		got += (ss/k - m*m) * k / (k - 1)
	}
	got /= float64(n)
	// The average over 480 correlated pixels of 200-sample variances: a few
	// percent of scatter.
	t.Logf("mean posterior pixel variance %.5g, analytic %.5g", got, want)
	if math.Abs(got/want-1) > 0.05 {
		t.Errorf("mean posterior pixel variance %.5g, want %.5g within 5%%", got, want)
	}

	again, _ := WienerSamples(p, g1, g2, nil, Settings{Tol: 1e-10, MaxIter: 500}, SampleOptions{Samples: 3, Seed: 3, Workers: 1})
	for i := range again {
		for j := range again[i] {
			if math.Abs(again[i][j]-samples[i][j]) > 1e-12 {
				t.Fatalf("sample %d pixel %d: %g with one worker, %g with several", i, j, again[i][j], samples[i][j])
			}
		}
	}
}
