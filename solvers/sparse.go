package solvers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/starlet"
)

// SparseProblem is a sparse mass-mapping problem: shear data γ = A κ_E + n
// as in WienerProblem, with a sparsity prior on the starlet coefficients of
// κ_E instead of a Gaussian one.
type SparseProblem struct {
	NX, NY int

	// NoiseVar is the noise variance of each shear component per pixel;
	// +Inf marks a pixel without data.
	NoiseVar []float64

	// PixelFrame selects the array convention for γ2 (see package kaiser).
	PixelFrame bool

	// Scales is the number of starlet wavelet scales; 0 means 5, or
	// starlet.MaxScales when the map is too small for 5.
	Scales int

	// K is the threshold in units of the noise of each coefficient; 0
	// means 3. The finest scale is thresholded at K + 1.
	K float64

	// Positive projects the map onto κ_E ≥ 0 at every iteration.
	Positive bool

	// NoiseRealisations is the number of noise maps from which the noise
	// of each coefficient is estimated; 0 means 32. Seed seeds them.
	NoiseRealisations int
	Seed              uint64
}

// SparseOptions configures SparseRecover.
type SparseOptions struct {
	// Scales is the number of starlet wavelet scales; 0 means 5, or
	// starlet.MaxScales when the image is too small for 5.
	Scales int
	// K is the threshold in units of the noise of each coefficient; 0
	// means 3. The finest scale is thresholded at K + 1.
	K float64
	// Positive constrains the solution to be non-negative.
	Positive bool
	// NoiseRealisations is the number of noise maps from which the noise
	// of each coefficient is estimated; 0 means 32. Seed seeds them.
	NoiseRealisations int
	Seed              uint64
	// Stationary averages the estimated noise of each scale over the
	// pixels: right for noise of the same variance everywhere and no mask,
	// where a per-pixel estimate would only add its sampling scatter to the
	// weights (and shift the centroids of sources by up to a few hundredths
	// of a pixel).
	Stationary bool
}

// Sparse reconstructs κ_E from shear with a sparsity prior on its starlet
// coefficients: SparseRecover with the E-mode shear operator (no padding)
// and the noise variance of each pixel applied to both shear components.
func Sparse(p SparseProblem, g1, g2 []float64, s Settings) ([]float64, Result, error) {
	wp := WienerProblem{NX: p.NX, NY: p.NY, Power: make([]float64, p.NX*p.NY), NoiseVar: p.NoiseVar, PixelFrame: p.PixelFrame}
	if err := wp.validate(g1, g2); err != nil {
		return nil, Result{}, fmt.Errorf("solvers: sparse mass map: %w", err)
	}
	shear, err := operators.NewShear(p.NX, p.NY, operators.ShearOptions{EOnly: true, PixelFrame: p.PixelFrame})
	if err != nil {
		return nil, Result{}, err
	}
	n := p.NX * p.NY
	y := append(append(make([]float64, 0, 2*n), g1...), g2...)
	noise := append(append(make([]float64, 0, 2*n), p.NoiseVar...), p.NoiseVar...)
	for i, v := range noise {
		if math.IsInf(v, 1) {
			y[i] = 0
		}
	}
	opt := SparseOptions{Scales: p.Scales, K: p.K, Positive: p.Positive, NoiseRealisations: p.NoiseRealisations, Seed: p.Seed}
	return SparseRecover(shear, y, noise, opt, s)
}

// SparseRecover solves the analysis-sparsity problem
//
//	min_x ½ (y − A x)ᵀ N⁻¹ (y − A x) + Σ_{j,p} λ_jp |(W x)_jp|  [+ x ≥ 0]
//
// for an operator A from one image (Domain with one channel) to data y,
// with diagonal noise variances noiseVar (one per data value, +Inf for a
// value without information), by the primal-dual algorithm of Condat (2013,
// J. Optim. Theory Appl. 158, 460) and Vũ (2013, Adv. Comput. Math. 38,
// 667). The algorithm handles the analysis l1 term through its dual and
// needs only W, its adjoint Wᵀ and the gradient of the data term:
//
//	x_new = P₊(x − τ (∇f(x) + Wᵀ u))
//	u     = clip(u + σ W (2 x_new − x), −λ, λ)
//
// W is the starlet transform with mirror boundaries (package starlet), P₊
// the projection on x ≥ 0 when Positive is set and the identity otherwise.
// The weights are λ_jp = K σ_jp, with σ_jp the standard deviation of
// (W Aᵀ N⁻¹ n)_jp for noise n, estimated per scale and per pixel from
// noise realisations; the coarse scale is not penalised. For weak lensing
// this is the sparse prior of GLIMPSE (Lanusse et al. 2016, A&A 591, A2),
// with masks handled by the noise model, without its reweighting and
// debiasing steps. The steps τ = 1/L and σ = 0.99 L/(2‖W‖²), with L the
// Lipschitz constant ‖A‖² max N⁻¹ of ∇f and the norms estimated by power
// iteration, satisfy the convergence condition 1/τ − σ‖W‖² ≥ L/2. The
// residual is the relative change ‖x_new − x‖/‖x_new‖.
func SparseRecover(a operators.Operator, y, noiseVar []float64, opt SparseOptions, s Settings) ([]float64, Result, error) {
	s = s.withDefaults()
	if err := s.validate("sparse recovery"); err != nil {
		return nil, Result{}, err
	}
	dom, rng := a.Domain(), a.Range()
	if dom.Channels != 1 {
		return nil, Result{}, fmt.Errorf("solvers: sparse recovery: the operator takes %v, not one image", dom)
	}
	if len(y) != rng.Len() || len(noiseVar) != rng.Len() {
		return nil, Result{}, fmt.Errorf("solvers: sparse recovery: %d data and %d noise values for an operator range of %d", len(y), len(noiseVar), rng.Len())
	}
	if opt.K == 0 {
		opt.K = 3
	}
	if !(opt.K > 0) || math.IsInf(opt.K, 0) {
		return nil, Result{}, fmt.Errorf("solvers: sparse recovery: invalid threshold %g: it must be positive", opt.K)
	}
	if opt.NoiseRealisations == 0 {
		opt.NoiseRealisations = 32
	}
	if opt.NoiseRealisations < 2 {
		return nil, Result{}, fmt.Errorf("solvers: sparse recovery: %d noise realisations: at least 2 are needed", opt.NoiseRealisations)
	}
	if opt.Scales == 0 {
		opt.Scales = min(5, starlet.MaxScales(dom.NX, dom.NY))
	}
	invN := make([]float64, len(noiseVar))
	maxInvN := 0.0
	for i, v := range noiseVar {
		switch {
		case math.IsInf(v, 1):
		case !(v > 0):
			return nil, Result{}, fmt.Errorf("solvers: sparse recovery: noise variance %g at data value %d: it must be positive, or +Inf for no information", v, i)
		case math.IsNaN(y[i]) || math.IsInf(y[i], 0):
			return nil, Result{}, fmt.Errorf("solvers: sparse recovery: data value %d is %g", i, y[i])
		default:
			invN[i] = 1 / v
			maxInvN = math.Max(maxInvN, invN[i])
		}
	}
	if maxInvN == 0 {
		return nil, Result{}, fmt.Errorf("solvers: sparse recovery: no data value has a finite noise variance (the mask has no valid pixel)")
	}
	n := dom.Len()
	wt, err := starlet.New(dom.NX, dom.NY, opt.Scales, starlet.Options{})
	if err != nil {
		return nil, Result{}, fmt.Errorf("solvers: sparse recovery: %w", err)
	}

	resid := make([]float64, rng.Len())
	grad := make([]float64, n)
	// backproject writes Aᵀ N⁻¹ r into grad, r in resid.
	backproject := func() {
		for i, w := range invN {
			resid[i] *= w
		}
		a.Adjoint(grad, resid)
	}

	// The weights λ_jp from noise maps of Aᵀ N⁻¹ n.
	coeffs := wt.NewCoeffs()
	lambda := wt.NewCoeffs()
	rnd := rand.New(rand.NewPCG(opt.Seed, 0x5ba45e))
	for range opt.NoiseRealisations {
		for i, v := range noiseVar {
			resid[i] = 0
			if !math.IsInf(v, 1) {
				resid[i] = math.Sqrt(v) * rnd.NormFloat64()
			}
		}
		backproject()
		wt.Forward(coeffs, grad)
		for j := range opt.Scales {
			for i, c := range coeffs[j] {
				lambda[j][i] += c * c
			}
		}
	}
	for j := range opt.Scales {
		k := opt.K
		if j == 0 {
			// The finest scale holds mostly noise, whose tail is heavier
			// than Gaussian where few galaxies (or few photons) fill a
			// pixel: one more σ there removes the single-pixel spikes
			// that K alone lets through.
			k++
		}
		if opt.Stationary {
			mean := 0.0
			for _, v := range lambda[j] {
				mean += v
			}
			mean /= float64(len(lambda[j]))
			for i := range lambda[j] {
				lambda[j][i] = mean
			}
		}
		for i, v := range lambda[j] {
			lambda[j][i] = k * math.Sqrt(v/float64(opt.NoiseRealisations))
		}
	}
	clear(lambda[opt.Scales]) // the coarse scale is not penalised

	// ‖W‖² and ‖A‖² by power iteration.
	x := make([]float64, n)
	ax := make([]float64, rng.Len())
	power := func(apply func()) float64 {
		for i := range x {
			x[i] = rnd.NormFloat64()
		}
		norm2 := 0.0
		for range 30 {
			nx := math.Sqrt(dot(x, x))
			for i := range x {
				x[i] /= nx
			}
			apply()
			norm2 = math.Sqrt(dot(x, x))
		}
		return norm2
	}
	normW2 := power(func() { wt.Forward(coeffs, x); wt.Adjoint(x, coeffs) })
	normA2 := power(func() { a.Apply(ax, x); a.Adjoint(x, ax) })
	lip := 1.01 * normA2 * maxInvN // a margin for the power iteration's underestimate
	tau := 1 / lip
	sigma := 0.99 * lip / (2 * normW2)

	// The primal-dual iteration.
	cur := make([]float64, n)
	next := make([]float64, n)
	dual := wt.NewCoeffs()
	wtu := make([]float64, n)
	var res float64
	for it := 1; it <= s.MaxIter; it++ {
		// ∇f(x) = Aᵀ N⁻¹ (A x − y)
		a.Apply(resid, cur)
		for i := range resid {
			resid[i] -= y[i]
		}
		backproject()
		wt.Adjoint(wtu, dual)
		var change, norm float64
		for i := range next {
			v := cur[i] - tau*(grad[i]+wtu[i])
			if opt.Positive && v < 0 {
				v = 0
			}
			next[i] = v
			d := v - cur[i]
			change += d * d
			norm += v * v
		}

		// The dual step on W(2 x_new − x).
		for i := range x {
			x[i] = 2*next[i] - cur[i]
		}
		wt.Forward(coeffs, x)
		for j := range dual {
			for i := range dual[j] {
				l := lambda[j][i]
				dual[j][i] = math.Max(-l, math.Min(l, dual[j][i]+sigma*coeffs[j][i]))
			}
		}
		cur, next = next, cur

		res = math.Inf(1)
		if norm > 0 {
			res = math.Sqrt(change / norm)
		} else if change == 0 {
			res = 0
		}
		if s.Progress != nil {
			s.Progress(it, res)
		}
		if res <= s.Tol {
			return cur, Result{Iterations: it, Residual: res}, nil
		}
	}
	return cur, Result{Iterations: s.MaxIter, Residual: res}, &NotConvergedError{Method: "sparse recovery", Iterations: s.MaxIter, Residual: res, Tol: s.Tol}
}
