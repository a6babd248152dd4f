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
	// means 3.
	K float64

	// Positive projects the map onto κ_E ≥ 0 at every iteration.
	Positive bool

	// NoiseRealisations is the number of noise maps from which the noise
	// of each coefficient is estimated; 0 means 32. Seed seeds them.
	NoiseRealisations int
	Seed              uint64
}

// Sparse reconstructs κ_E with a sparsity prior on its starlet coefficients
// by solving the analysis problem
//
//	min_κ ½ (γ − A κ)ᵀ N⁻¹ (γ − A κ) + Σ_{j,p} λ_jp |(W κ)_jp|  [+ κ ≥ 0]
//
// with the primal-dual algorithm of Condat (2013, J. Optim. Theory Appl.
// 158, 460) and Vũ (2013, Adv. Comput. Math. 38, 667), which handles the
// analysis l1 term through its dual and needs only W, its adjoint Wᵀ and
// the gradient of the data term:
//
//	κ_new = P₊(κ − τ (∇f(κ) + Wᵀ u))
//	u     = clip(u + σ W (2 κ_new − κ), −λ, λ)
//
// W is the starlet transform with mirror boundaries (package starlet), P₊ the
// projection on κ ≥ 0 when Positive is set and the identity otherwise. The
// weights are λ_jp = K σ_jp, with σ_jp the standard deviation of (W Aᵀ N⁻¹ n)_jp
// for noise n, estimated per scale and per pixel from NoiseRealisations maps;
// the coarse scale is not penalised. This is the sparse mass-mapping prior of
// GLIMPSE (Lanusse et al. 2016, A&A 591, A2) with masks handled by the noise
// model (no data outside the mask), without its reweighting and debiasing
// steps. The steps τ = 1/L and σ = L/(2‖W‖²), with L = 1/min N the
// Lipschitz constant of ∇f (|D| = 1) and ‖W‖ estimated by power iteration,
// satisfy the convergence condition 1/τ − σ‖W‖² ≥ L/2. The residual is the
// relative change ‖κ_new − κ‖/‖κ_new‖.
func Sparse(p SparseProblem, g1, g2 []float64, s Settings) ([]float64, Result, error) {
	s = s.withDefaults()
	if err := s.validate("sparse mass map"); err != nil {
		return nil, Result{}, err
	}
	wp := WienerProblem{NX: p.NX, NY: p.NY, Power: make([]float64, p.NX*p.NY), NoiseVar: p.NoiseVar, PixelFrame: p.PixelFrame}
	if err := wp.validate(g1, g2); err != nil {
		return nil, Result{}, fmt.Errorf("solvers: sparse mass map: %w", err)
	}
	if p.K == 0 {
		p.K = 3
	}
	if !(p.K > 0) || math.IsInf(p.K, 0) {
		return nil, Result{}, fmt.Errorf("solvers: sparse mass map: invalid threshold %g: it must be positive", p.K)
	}
	if p.NoiseRealisations == 0 {
		p.NoiseRealisations = 32
	}
	if p.NoiseRealisations < 2 {
		return nil, Result{}, fmt.Errorf("solvers: sparse mass map: %d noise realisations: at least 2 are needed", p.NoiseRealisations)
	}
	if p.Scales == 0 {
		p.Scales = min(5, starlet.MaxScales(p.NX, p.NY))
	}
	nx, ny := p.NX, p.NY
	n := nx * ny
	wt, err := starlet.New(nx, ny, p.Scales, starlet.Options{})
	if err != nil {
		return nil, Result{}, fmt.Errorf("solvers: sparse mass map: %w", err)
	}
	shear, err := operators.NewShear(nx, ny, operators.ShearOptions{EOnly: true, PixelFrame: p.PixelFrame})
	if err != nil {
		return nil, Result{}, err
	}

	// N⁻¹, zero where there are no data, and the Lipschitz constant L.
	invN := make([]float64, n)
	lip := 0.0
	for i, v := range p.NoiseVar {
		if !math.IsInf(v, 1) {
			invN[i] = 1 / v
			lip = math.Max(lip, invN[i])
		}
	}
	gam := make([]float64, 2*n)
	grad := make([]float64, n)
	// backproject writes Aᵀ N⁻¹ r into grad, with r = (r1, r2) in gam.
	backproject := func() {
		for i, w := range invN {
			gam[i] *= w
			gam[n+i] *= w
		}
		shear.Adjoint(grad, gam)
	}

	// The weights λ_jp from noise maps of Aᵀ N⁻¹ n.
	coeffs := wt.NewCoeffs()
	lambda := wt.NewCoeffs()
	rng := rand.New(rand.NewPCG(p.Seed, 0x5ba45e))
	for range p.NoiseRealisations {
		for i, v := range p.NoiseVar {
			if math.IsInf(v, 1) {
				gam[i], gam[n+i] = 0, 0
				continue
			}
			sd := math.Sqrt(v)
			gam[i], gam[n+i] = sd*rng.NormFloat64(), sd*rng.NormFloat64()
		}
		backproject()
		wt.Forward(coeffs, grad)
		for j := range p.Scales {
			for i, c := range coeffs[j] {
				lambda[j][i] += c * c
			}
		}
	}
	for j := range p.Scales {
		for i, v := range lambda[j] {
			lambda[j][i] = p.K * math.Sqrt(v/float64(p.NoiseRealisations))
		}
	}
	clear(lambda[p.Scales]) // the coarse scale is not penalised

	// ‖W‖² by power iteration on WᵀW.
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	normW2 := 0.0
	for range 30 {
		nx2 := math.Sqrt(dot(x, x))
		for i := range x {
			x[i] /= nx2
		}
		wt.Forward(coeffs, x)
		wt.Adjoint(x, coeffs)
		normW2 = math.Sqrt(dot(x, x))
	}
	tau := 1 / lip
	sigma := 0.99 * lip / (2 * normW2)

	// The primal-dual iteration.
	kappa := make([]float64, n)
	next := make([]float64, n)
	model := make([]float64, 2*n)
	dual := wt.NewCoeffs()
	wtu := make([]float64, n)
	var res float64
	for it := 1; it <= s.MaxIter; it++ {
		// ∇f(κ) = −Aᵀ N⁻¹ (γ − A κ)
		shear.Apply(model, kappa)
		for i := range n {
			gam[i] = model[i] - g1[i]
			gam[n+i] = model[n+i] - g2[i]
		}
		backproject()
		wt.Adjoint(wtu, dual)
		var change, norm float64
		for i := range next {
			v := kappa[i] - tau*(grad[i]+wtu[i])
			if p.Positive && v < 0 {
				v = 0
			}
			next[i] = v
			d := v - kappa[i]
			change += d * d
			norm += v * v
		}

		// The dual step on W(2κ_new − κ).
		for i := range x {
			x[i] = 2*next[i] - kappa[i]
		}
		wt.Forward(coeffs, x)
		for j := range dual {
			for i := range dual[j] {
				l := lambda[j][i]
				dual[j][i] = math.Max(-l, math.Min(l, dual[j][i]+sigma*coeffs[j][i]))
			}
		}
		kappa, next = next, kappa

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
			return kappa, Result{Iterations: it, Residual: res}, nil
		}
	}
	return kappa, Result{Iterations: s.MaxIter, Residual: res}, &NotConvergedError{Method: "sparse mass map", Iterations: s.MaxIter, Residual: res, Tol: s.Tol}
}
