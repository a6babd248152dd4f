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
