package solvers

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/skyinv/skyinv/fft"
	"github.com/skyinv/skyinv/internal/parallel"
	"github.com/skyinv/skyinv/internal/spin2"
	"github.com/skyinv/skyinv/operators"
)

// WienerProblem is a weak-lensing Wiener filter: shear data γ = A κ_E + n on
// an NX × NY grid, with A the flat-sky shear operator (E mode only, no
// padding, periodic), a Gaussian prior on κ_E diagonal in Fourier space and
// Gaussian noise diagonal in pixel space, the same variance for γ1 and γ2.
// The Wiener filter is the posterior mean
//
//	κ_WF = (S⁻¹ + Aᵀ N⁻¹ A)⁻¹ Aᵀ N⁻¹ γ.
type WienerProblem struct {
	NX, NY int

	// Power is the prior: the variance of each unnormalised FFT
	// coefficient of κ_E, in FFT layout (index ky*NX + kx), C_ℓ·NX·NY/p²
	// for a power spectrum C_ℓ and pixels of p radians. Power[0] (the
	// mean) should be 0: the filter then returns a map of zero mean.
	Power []float64

	// NoiseVar is the noise variance of each shear component per pixel;
	// +Inf marks a pixel without data (outside the mask).
	NoiseVar []float64

	// PixelFrame selects the array convention for γ2 (see package kaiser).
	PixelFrame bool
}

func (p *WienerProblem) validate(g1, g2 []float64) error {
	n := p.NX * p.NY
	switch {
	case p.NX < 1 || p.NY < 1:
		return fmt.Errorf("solvers: Wiener filter: invalid grid %d x %d", p.NX, p.NY)
	case len(p.Power) != n:
		return fmt.Errorf("solvers: Wiener filter: power map of %d values for a %d x %d grid", len(p.Power), p.NX, p.NY)
	case len(p.NoiseVar) != n:
		return fmt.Errorf("solvers: Wiener filter: noise map of %d values for a %d x %d grid", len(p.NoiseVar), p.NX, p.NY)
	case len(g1) != n || len(g2) != n:
		return fmt.Errorf("solvers: Wiener filter: shear maps of %d and %d values for a %d x %d grid", len(g1), len(g2), p.NX, p.NY)
	}
	for i, v := range p.Power {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("solvers: Wiener filter: prior power %g at Fourier index %d: it must be finite and non-negative", v, i)
		}
	}
	observed := 0
	for i, v := range p.NoiseVar {
		if math.IsInf(v, 1) {
			continue
		}
		if !(v > 0) {
			return fmt.Errorf("solvers: Wiener filter: noise variance %g at pixel (%d, %d): it must be positive, or +Inf for no data", v, i%p.NX, i/p.NX)
		}
		if math.IsNaN(g1[i]) || math.IsNaN(g2[i]) || math.IsInf(g1[i], 0) || math.IsInf(g2[i], 0) {
			return fmt.Errorf("solvers: Wiener filter: shear (%g, %g) at observed pixel (%d, %d) is not finite", g1[i], g2[i], i%p.NX, i/p.NX)
		}
		observed++
	}
	if observed == 0 {
		return fmt.Errorf("solvers: Wiener filter: the mask has no valid pixel (every noise variance is +Inf)")
	}
	return nil
}

// checkPrior rejects a prior with no power at all, whose filter is zero.
func (p *WienerProblem) checkPrior() error {
	for _, v := range p.Power {
		if v > 0 {
			return nil
		}
	}
	return fmt.Errorf("solvers: Wiener filter: the prior power is zero at every Fourier mode of the grid, so the filter would return zero everywhere")
}

// sign returns +1 for the sky convention, −1 for the pixel frame.
func (p *WienerProblem) sign() float64 {
	if p.PixelFrame {
		return -1
	}
	return 1
}

// Messenger solves a WienerProblem with the messenger-field method (Elsner &
// Wandelt 2013, A&A 549, A111) in its spin-2 form for weak lensing (Jeffrey
// et al. 2018, MNRAS 479, 2871). A messenger field t with covariance
// T = λτ I, τ the smallest noise variance, splits the problem into a pixel
// step and a Fourier step, each diagonal:
//
//	t   = (λτ γ + N̄ A κ) / (λτ + N̄),     N̄ = N − τ   (t = A κ where N = ∞)
//	κ̂_E = P / (P + λτ N_pix) · [D t̂]_E
//
// with [·]_E the E part (the Fourier transform of the real part), and λ
// lowered geometrically from a large value to 1 (the cooling scheme of
// Elsner & Wandelt). One iteration costs one forward and one inverse FFT.
// The residual is the relative change of κ_E between two iterations at
// λ = 1, ‖Δκ‖/‖κ‖.
type Messenger struct {
	p         WienerProblem
	plan      *fft.Plan2D
	t, k      []complex128 // messenger field or its transform; κ̂_E
	model     []complex128 // D* κ̂_E / N_pix, the transform of the model shear A κ
	weight    []float64    // λτ/(λτ + N̄) of the pixel step (0 without data), at λ = weightFor
	filter    []float64    // P/(P + λτ N_pix)/2 of the Fourier step, at λ = weightFor
	invK2     []float64    // 1/|k|², 0 at k = 0
	weightFor float64      // the λ of weight and filter; 0 before the first step
	fx, fy    []float64    // FFT frequencies, cycles per pixel
	sign      float64      // +1 sky convention, −1 pixel frame
	tau       float64
	nbar      []float64 // N − τ, +Inf outside the mask
	lambda0   float64
	decay     float64
	workers   int
	group     parallel.Group
	task      messengerTask
	rowChange []float64 // per-row sums of the Fourier step
	rowNorm   []float64

	// Arguments of the step in progress.
	g1, g2 []float64
	lambda float64
}

// NewMessenger prepares the messenger-field solver of p.
func NewMessenger(p WienerProblem) (*Messenger, error) {
	if err := p.validate(make([]float64, p.NX*p.NY), make([]float64, p.NX*p.NY)); err != nil {
		return nil, err
	}
	if err := p.checkPrior(); err != nil {
		return nil, err
	}

	nx, ny := p.NX, p.NY
	n := nx * ny
	m := &Messenger{
		p:         p,
		plan:      fft.NewPlan2D(nx, ny),
		t:         make([]complex128, n),
		k:         make([]complex128, n),
		model:     make([]complex128, n),
		weight:    make([]float64, n),
		filter:    make([]float64, n),
		invK2:     make([]float64, n),
		nbar:      make([]float64, n),
		decay:     0.75,
		workers:   runtime.GOMAXPROCS(0),
		rowChange: make([]float64, ny),
		rowNorm:   make([]float64, ny),
	}
	m.task.m = m
	m.fx, m.fy = spin2.Frequencies(nx), spin2.Frequencies(ny)
	m.sign = p.sign()

	// 1/|k|² for the KS kernel, computed once.
	for y, ky := range m.fy {
		for x, kx := range m.fx {
			if k2 := kx*kx + ky*ky; k2 > 0 {
				m.invK2[y*nx+x] = 1 / k2
			}
		}
	}

	// τ, the smallest noise variance, sets the messenger covariance; the
	// largest sets where the cooling starts.
	m.tau = math.Inf(1)
	maxN := 0.0
	for _, v := range p.NoiseVar {
		if !math.IsInf(v, 1) {
			m.tau = math.Min(m.tau, v)
			maxN = math.Max(maxN, v)
		}
	}
	for i, v := range p.NoiseVar {
		m.nbar[i] = v - m.tau
	}
	m.lambda0 = math.Min(maxN/m.tau, 1e4)
	return m, nil
}

// SetWorkers sets the number of goroutines each iteration uses; n < 1
// selects runtime.GOMAXPROCS(0).
func (m *Messenger) SetWorkers(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	m.workers = n
	m.plan.SetWorkers(n)
}

// Lambda0 returns the cooling parameter of the first iteration: the ratio
// of the largest to the smallest finite noise variance, at most 1e4.
func (m *Messenger) Lambda0() float64 { return m.lambda0 }

// Solve returns the Wiener filter of the shear (g1, g2).
func (m *Messenger) Solve(g1, g2 []float64, s Settings) ([]float64, Result, error) {
	s = s.withDefaults()
	if err := s.validate("messenger-field Wiener filter"); err != nil {
		return nil, Result{}, err
	}
	if err := m.p.validate(g1, g2); err != nil {
		return nil, Result{}, err
	}
	clear(m.k)
	clear(m.model) // the model of κ = 0
	lambda := m.lambda0
	var res float64
	it := 0
	for it = 1; it <= s.MaxIter; it++ {
		change, norm := m.Step(g1, g2, lambda)
		res = math.Inf(1)
		if norm > 0 {
			res = change / norm
		}
		if s.Progress != nil {
			s.Progress(it, res)
		}
		if lambda == 1 && res <= s.Tol {
			break
		}
		lambda = math.Max(1, lambda*m.decay)
	}
	kappa := m.Map()
	if it > s.MaxIter {
		return kappa, Result{Iterations: s.MaxIter, Residual: res}, &NotConvergedError{Method: "messenger-field Wiener filter", Iterations: s.MaxIter, Residual: res, Tol: s.Tol}
	}
	return kappa, Result{Iterations: it, Residual: res}, nil
}

// messengerTask runs one stage of a step over a range of rows.
type messengerTask struct {
	m     *Messenger
	stage int
}

const (
	stagePixel = iota
	stageFourier
)

func (t *messengerTask) Run(lo, hi int) {
	m := t.m
	switch t.stage {
	case stagePixel:
		m.pixelRows(lo, hi)
	case stageFourier:
		m.fourierRows(lo, hi)
	}
}

func (m *Messenger) stage(stage int) {
	m.task.stage = stage
	rows := m.p.NY
	if stage == stageFourier {
		rows = m.p.NY/2 + 1 // pairs of rows y and −y
	}
	m.group.For(rows, m.workers, &m.task)
}

// Step runs one messenger iteration at cooling parameter lambda and returns
// ‖κ̂_new − κ̂_old‖ and ‖κ̂_new‖. It allocates nothing.
func (m *Messenger) Step(g1, g2 []float64, lambda float64) (change, norm float64) {
	m.g1, m.g2, m.lambda = g1, g2, lambda
	m.plan.Inverse(m.t, m.model)
	m.stage(stagePixel)
	m.plan.Forward(m.t, m.t)
	m.stage(stageFourier)
	m.weightFor = lambda
	m.g1, m.g2 = nil, nil
	for y := range m.rowChange {
		change += m.rowChange[y]
		norm += m.rowNorm[y]
	}
	return math.Sqrt(change), math.Sqrt(norm)
}

// pixelRows combines data and model: t = (λτ γ + N̄ Aκ)/(λτ + N̄), and
// t = A κ where there are no data. The weights λτ/(λτ + N̄) are computed
// again only when λ changes.
func (m *Messenger) pixelRows(y0, y1 int) {
	nx := m.p.NX
	lt := m.lambda * m.tau
	if m.lambda != m.weightFor {
		for i := y0 * nx; i < y1*nx; i++ {
			if nb := m.nbar[i]; math.IsInf(nb, 1) {
				m.weight[i] = 0
			} else {
				m.weight[i] = lt / (lt + nb)
			}
		}
	}
	for i := y0 * nx; i < y1*nx; i++ {
		w := m.weight[i]
		v := m.t[i]
		m.t[i] = complex(w*m.g1[i]+(1-w)*real(v), w*m.g2[i]+(1-w)*imag(v))
	}
}

// fourierRows computes κ̂_E = f (X(k) + X(−k)*)/2 with X = D t̂ and
// f = P/(P + λτ N_pix), the next model D* κ̂_E / N_pix, and the per-row sums
// of |Δκ̂|² and |κ̂|². It works on pairs of rows y and −y, indices p0 to p1
// of the pairs 0 … ny/2. Each pair of modes k and −k is read once, and both
// results come from the same X(k) and X(−k). D(−k) equals D(k) except on
// the Nyquist row and column of an even size, where fftfreq keeps the
// frequency's sign, so both are computed from the frequencies.
func (m *Messenger) fourierRows(p0, p1 int) {
	nx, ny := m.p.NX, m.p.NY
	if m.lambda != m.weightFor {
		noise := m.lambda * m.tau * float64(len(m.t))
		for pair := p0; pair < p1; pair++ {
			for _, y := range [2]int{pair, (ny - pair) % ny} {
				for i := y * nx; i < (y+1)*nx; i++ {
					p := m.p.Power[i]
					m.filter[i] = 0
					if p > 0 {
						m.filter[i] = 0.5 * p / (p + noise)
					}
				}
			}
		}
	}
	for pair := p0; pair < p1; pair++ {
		y, ym := pair, (ny-pair)%ny
		var change, norm float64
		if y == ym {
			change, norm = m.fourierPair(y, y, true)
			m.rowChange[y], m.rowNorm[y] = change, norm
			continue
		}
		change, norm = m.fourierPair(y, ym, false)
		m.rowChange[y], m.rowNorm[y] = change, norm
		m.rowChange[ym], m.rowNorm[ym] = 0, 0
	}
}

// fourierPair updates rows y and ym = −y (the same row when self is set,
// then each pair of columns x, −x once) and returns the sums of |Δκ̂|² and
// |κ̂|² over them.
func (m *Messenger) fourierPair(y, ym int, self bool) (change, norm float64) {
	nx := m.p.NX
	inv := 1 / float64(len(m.t))
	s := m.sign
	ky, kym := m.fy[y], m.fy[ym]
	ky2 := ky * ky
	ti, tj := m.t[y*nx:(y+1)*nx], m.t[ym*nx:(ym+1)*nx]
	ki, kj := m.k[y*nx:(y+1)*nx], m.k[ym*nx:(ym+1)*nx]
	mi, mj := m.model[y*nx:(y+1)*nx], m.model[ym*nx:(ym+1)*nx]
	fi, fj := m.filter[y*nx:(y+1)*nx], m.filter[ym*nx:(ym+1)*nx]
	invK2 := m.invK2[y*nx : (y+1)*nx]
	for x, kx := range m.fx {
		xm := nx - x
		if xm == nx {
			xm = 0
		}
		if self && xm < x {
			continue // done as the partner of xm
		}
		q := invK2[x] // |k|² is the same at k and −k
		if q == 0 {
			// k = 0, or its Nyquist partner: only the mean has no D.
			for _, c := range [2]struct {
				k, model []complex128
				i        int
			}{{ki, mi, x}, {kj, mj, xm}} {
				d := c.k[c.i]
				change += real(d)*real(d) + imag(d)*imag(d)
				c.k[c.i], c.model[c.i] = 0, 0
			}
			continue
		}
		kxm := m.fx[xm]
		a := (kx*kx - ky2) * q // the same at k and −k
		bi, bj := s*2*kx*ky*q, s*2*kxm*kym*q
		vi, vj := ti[x], tj[xm]
		// X(k) and X(−k).
		xr, xi := a*real(vi)-bi*imag(vi), a*imag(vi)+bi*real(vi)
		yr, yi := a*real(vj)-bj*imag(vj), a*imag(vj)+bj*real(vj)

		// κ̂(k) = f(k) (X(k) + X(−k)*)/2 and κ̂(−k) = f(−k) (X(−k) + X(k)*)/2.
		f1, f2 := fi[x], fj[xm]
		nr, ni := f1*(xr+yr), f1*(xi-yi)
		pr, pi := f2*(yr+xr), f2*(yi-xi)
		d1r, d1i := nr-real(ki[x]), ni-imag(ki[x])
		change += d1r*d1r + d1i*d1i
		norm += nr*nr + ni*ni
		ki[x] = complex(nr, ni)
		mi[x] = complex((a*nr+bi*ni)*inv, (a*ni-bi*nr)*inv)
		if self && xm == x {
			continue // a self-paired mode: κ̂(−k) is κ̂(k)
		}
		d2r, d2i := pr-real(kj[xm]), pi-imag(kj[xm])
		change += d2r*d2r + d2i*d2i
		norm += pr*pr + pi*pi
		kj[xm] = complex(pr, pi)
		mj[xm] = complex((a*pr+bj*pi)*inv, (a*pi-bj*pr)*inv)
	}
	return change, norm
}

// Map returns the current κ_E in pixel space.
func (m *Messenger) Map() []float64 {
	n := m.p.NX * m.p.NY
	buf := make([]complex128, n)
	m.plan.Inverse(buf, m.k)
	out := make([]float64, n)
	for i, v := range buf {
		out[i] = real(v) / float64(n)
	}
	return out
}

// WienerCG solves a WienerProblem by conjugate gradients on the
// prior-whitened normal equations
//
//	(I + S^½ Aᵀ N⁻¹ A S^½) x = S^½ Aᵀ N⁻¹ γ,   κ_E = S^½ x,
//
// whose matrix has every eigenvalue ≥ 1, so the iteration count does not
// grow with the prior's dynamic range. S^½ is the Fourier multiplier
// √(P/N_pix). The residual is that of package solvers' CG.
func WienerCG(p WienerProblem, g1, g2 []float64, s Settings) ([]float64, Result, error) {
	if err := p.validate(g1, g2); err != nil {
		return nil, Result{}, err
	}
	if err := p.checkPrior(); err != nil {
		return nil, Result{}, err
	}
	nx, ny := p.NX, p.NY
	n := nx * ny
	shear, err := operators.NewShear(nx, ny, operators.ShearOptions{EOnly: true, PixelFrame: p.PixelFrame})
	if err != nil {
		return nil, Result{}, err
	}

	plan := fft.NewPlan2D(nx, ny)
	buf := make([]complex128, n)
	sqrtS := make([]float64, n)
	for i, v := range p.Power {
		sqrtS[i] = math.Sqrt(v/float64(n)) / float64(n) // includes the inverse FFT's 1/N
	}
	applySqrtS := func(dst, src []float64) {
		for i, v := range src {
			buf[i] = complex(v, 0)
		}
		plan.Forward(buf, buf)
		for i := range buf {
			buf[i] *= complex(sqrtS[i], 0)
		}
		plan.Inverse(buf, buf)
		for i, v := range buf {
			dst[i] = real(v)
		}
	}
	invN := make([]float64, n)
	for i, v := range p.NoiseVar {
		if !math.IsInf(v, 1) {
			invN[i] = 1 / v
		}
	}

	kappa := make([]float64, n)
	gam := make([]float64, 2*n)
	apply := func(dst, x []float64) {
		applySqrtS(kappa, x)
		shear.Apply(gam, kappa)
		for i, w := range invN {
			gam[i] *= w
			gam[n+i] *= w
		}
		shear.Adjoint(kappa, gam)
		applySqrtS(dst, kappa)
		for i := range dst {
			dst[i] += x[i]
		}
	}

	// The right-hand side S^½ Aᵀ N⁻¹ γ.
	b := make([]float64, n)
	for i, w := range invN {
		gam[i] = w * g1[i]
		gam[n+i] = w * g2[i]
	}
	shear.Adjoint(kappa, gam)
	applySqrtS(b, kappa)

	x, res, err := CG(nil, apply, b, nil, s)
	out := make([]float64, n)
	applySqrtS(out, x)
	var nc *NotConvergedError
	if errors.As(err, &nc) {
		nc.Method = "conjugate-gradient Wiener filter"
	}
	return out, res, err
}

// SampleOptions configures WienerSamples.
type SampleOptions struct {
	Samples int    // number of posterior samples, at least 1
	Seed    uint64 // sample i draws from the PCG stream (Seed, i)
	Workers int    // concurrent samples; < 1 means runtime.GOMAXPROCS(0)
	// Progress, when set, is called after each sample with the number done
	// so far, from one goroutine at a time.
	Progress func(done, total int)
}

// WienerSamples draws samples of the Gaussian posterior of a WienerProblem
// by constrained realisations (Hoffman & Ribak 1991, ApJ 380, L5): for a
// field κ_s drawn from the prior and noise n_s from the noise model,
//
//	κ = κ_WF(γ) + κ_s − κ_WF(A κ_s + n_s)
//
// is a draw from the posterior, because the Wiener filter is linear. mean is
// κ_WF(γ); nil computes it. Each sample costs one conjugate-gradient Wiener
// solve with settings s. Sample i is reproducible from (Seed, i) whatever
// the number of workers.
func WienerSamples(p WienerProblem, g1, g2, mean []float64, s Settings, o SampleOptions) ([][]float64, error) {
	if o.Samples < 1 {
		return nil, fmt.Errorf("solvers: %d posterior samples requested: at least 1 is needed", o.Samples)
	}
	if err := p.validate(g1, g2); err != nil {
		return nil, err
	}
	if mean == nil {
		var err error
		if mean, _, err = WienerCG(p, g1, g2, s); err != nil {
			return nil, err
		}
	}
	workers := o.Workers
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, o.Samples)

	nx, ny := p.NX, p.NY
	n := nx * ny
	samples := make([][]float64, o.Samples)
	errs := make([]error, o.Samples)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shear, _ := operators.NewShear(nx, ny, operators.ShearOptions{EOnly: true, PixelFrame: p.PixelFrame})
			shear.SetWorkers(1)
			plan := fft.NewPlan2D(nx, ny)
			plan.SetWorkers(1)
			buf := make([]complex128, n)
			gam := make([]float64, 2*n)
			for i := w; i < o.Samples; i += workers {
				rng := rand.New(rand.NewPCG(o.Seed, uint64(i)))

				// κ_s from the prior: white noise coloured by √(P/N_pix).
				for j := range buf {
					buf[j] = complex(rng.NormFloat64(), 0)
				}
				plan.Forward(buf, buf)
				for j := range buf {
					buf[j] *= complex(math.Sqrt(p.Power[j]/float64(n))/float64(n), 0)
				}
				plan.Inverse(buf, buf)
				ks := make([]float64, n)
				for j, v := range buf {
					ks[j] = real(v)
				}

				// Mock data A κ_s + n_s.
				shear.Apply(gam, ks)
				for j, v := range p.NoiseVar {
					if math.IsInf(v, 1) {
						gam[j], gam[n+j] = 0, 0
						continue
					}
					sd := math.Sqrt(v)
					gam[j] += sd * rng.NormFloat64()
					gam[n+j] += sd * rng.NormFloat64()
				}
				wf, _, err := WienerCG(p, gam[:n], gam[n:], s)
				if err != nil {
					errs[i] = err
					continue
				}
				for j := range ks {
					ks[j] += mean[j] - wf[j]
				}
				samples[i] = ks
				if o.Progress != nil {
					mu.Lock()
					done++
					o.Progress(done, o.Samples)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return samples, fmt.Errorf("solvers: posterior sample %d: %w", i, err)
		}
	}
	return samples, nil
}
