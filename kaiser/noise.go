package kaiser

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/skyinv/skyinv/shearmap"
)

// NoiseOptions configures NoiseStd.
type NoiseOptions struct {
	Realisations int    // number of noise maps, at least 2
	Seed         uint64 // realisation r draws from the PCG stream (Seed, r)
	Workers      int    // concurrent realisations; < 1 means runtime.GOMAXPROCS(0)
	// Progress, when set, is called after each realisation with the number
	// done so far. Calls come from one goroutine at a time.
	Progress func(done, total int)
}

// NoiseStd estimates the per-pixel standard deviation of κ_E from shape
// noise. Each realisation rotates every galaxy's ellipticity by a random
// angle θ, uniform in [0, π), as e → e·exp(2iθ), which keeps |e| and destroys
// the lensing signal; it then bins and inverts like the data, with the
// smoothing and padding of opt. The result is the sample standard deviation
// over realisations (divisor K − 1).
//
// Realisation r always uses the random stream (Seed, r) and runs on worker
// r mod Workers, and the workers' statistics are merged in a fixed order. The
// result is therefore bit-for-bit reproducible for a given Seed and Workers.
// Another worker count changes it only by rounding.
func NoiseStd(a *shearmap.Assignment, e1, e2 []float64, opt Options, nopt NoiseOptions) ([]float64, error) {
	k := nopt.Realisations
	if k < 2 {
		return nil, fmt.Errorf("kaiser: %d noise realisations requested: at least 2 are needed for a standard deviation", k)
	}
	if len(e1) != len(a.Pixel) || len(e2) != len(a.Pixel) {
		return nil, errors.New("kaiser: ellipticities and galaxy assignment differ in length")
	}
	workers := nopt.Workers
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, k)

	nx, ny := a.Grid.NX, a.Grid.NY
	n := nx * ny
	type state struct {
		t          *Transform
		r1, r2     []float64 // rotated ellipticities
		g1, g2, kE []float64
		mean, m2   []float64 // running mean and sum of squared deviations
		count      int
	}

	states := make([]*state, workers)
	for w := range states {
		t, err := New(nx, ny, opt)
		if err != nil {
			return nil, err
		}
		t.SetWorkers(1)
		states[w] = &state{
			t:  t,
			r1: make([]float64, len(e1)), r2: make([]float64, len(e2)),
			g1: make([]float64, n), g2: make([]float64, n), kE: make([]float64, n),
			mean: make([]float64, n), m2: make([]float64, n),
		}
	}

	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for w, s := range states {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := w; r < k; r += workers {
				rng := rand.New(rand.NewPCG(nopt.Seed, uint64(r)))
				for i := range e1 {
					sin, cos := math.Sincos(2 * math.Pi * rng.Float64()) // 2θ, θ uniform in [0, π)
					s.r1[i] = e1[i]*cos - e2[i]*sin
					s.r2[i] = e1[i]*sin + e2[i]*cos
				}
				a.MeanShear(s.g1, s.g2, s.r1, s.r2)
				s.t.Convergence(s.kE, nil, s.g1, s.g2)

				// Welford's update of the running mean and variance.
				s.count++
				c := float64(s.count)
				for p, v := range s.kE {
					d := v - s.mean[p]
					s.mean[p] += d / c
					s.m2[p] += d * (v - s.mean[p])
				}

				if nopt.Progress != nil {
					mu.Lock()
					done++
					nopt.Progress(done, k)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()

	// Merge the workers' statistics (Chan, Golub & LeVeque 1979).
	total := states[0]
	for _, s := range states[1:] {
		if s.count == 0 {
			continue
		}
		na, nb := float64(total.count), float64(s.count)
		nab := na + nb
		for p := range total.mean {
			d := s.mean[p] - total.mean[p]
			total.mean[p] += d * nb / nab
			total.m2[p] += s.m2[p] + d*d*na*nb/nab
		}
		total.count += s.count
	}
	std := make([]float64, n)
	for p, m2 := range total.m2 {
		std[p] = math.Sqrt(m2 / float64(total.count-1))
	}
	return std, nil
}

// NoiseScale estimates the factor by which a noise model understates the
// shear noise of binned data, from their B modes. A shear field of pure E
// mode has no κ_B, so inside the footprint the data's κ_B is noise, plus a
// little E-mode signal leaked by the mask's edges. NoiseScale returns
// √(b_data / b_model), with b_data the mean of κ_B² over the pixels with
// data. b_model is that mean over sims maps of Gaussian noise of variances
// noiseVar (per pixel and component, +Inf where there are no data), map r
// drawn from the PCG stream (seed, r). A value near 1 confirms the
// model; multiply the noise variances by its square to correct them. The
// leaked signal biases the result upwards by about half the ratio of the
// leaked κ_B variance to the noise's, small where the noise dominates each
// pixel, as in galaxy shape catalogues.
func NoiseScale(g1, g2, noiseVar []float64, nx, ny int, opt Options, sims int, seed uint64) (float64, error) {
	n := nx * ny
	switch {
	case len(g1) != n || len(g2) != n || len(noiseVar) != n:
		return 0, fmt.Errorf("kaiser: noise scale: maps of %d, %d and %d values for a %d × %d grid", len(g1), len(g2), len(noiseVar), nx, ny)
	case sims < 1:
		return 0, fmt.Errorf("kaiser: noise scale: %d simulations: at least 1 is needed", sims)
	}
	t, err := New(nx, ny, opt)
	if err != nil {
		return 0, err
	}
	a, b := make([]float64, n), make([]float64, n)
	kE, kB := make([]float64, n), make([]float64, n)

	// Count the pixels with data and check their values.
	pixels := 0
	for i, v := range noiseVar {
		switch {
		case math.IsInf(v, 1):
		case !(v > 0) || math.IsInf(v, 0):
			return 0, fmt.Errorf("kaiser: noise scale: invalid noise variance %v at pixel %d: it must be positive, or +Inf without data", v, i)
		case math.IsNaN(g1[i]) || math.IsNaN(g2[i]):
			return 0, fmt.Errorf("kaiser: noise scale: NaN shear at pixel %d, which has data", i)
		default:
			pixels++
		}
	}
	if pixels == 0 {
		return 0, errors.New("kaiser: noise scale: no pixel has data")
	}

	// meanB2 returns the mean of κ_B² over the pixels with data of the
	// shear in a and b, zero where there are no data.
	meanB2 := func() float64 {
		t.Convergence(kE, kB, a, b)
		var sum float64
		for i, v := range noiseVar {
			if !math.IsInf(v, 1) {
				sum += kB[i] * kB[i]
			}
		}
		return sum / float64(pixels)
	}
	for i, v := range noiseVar {
		a[i], b[i] = 0, 0
		if !math.IsInf(v, 1) {
			a[i], b[i] = g1[i], g2[i]
		}
	}
	data := meanB2()

	// The same statistic for noise maps of the model.
	var model float64
	for r := range sims {
		rng := rand.New(rand.NewPCG(seed, uint64(r)))
		for i, v := range noiseVar {
			a[i], b[i] = 0, 0
			if !math.IsInf(v, 1) {
				s := math.Sqrt(v)
				a[i], b[i] = s*rng.NormFloat64(), s*rng.NormFloat64()
			}
		}
		model += meanB2()
	}
	return math.Sqrt(data / (model / float64(sims))), nil
}
