package solvers

import (
	"errors"
	"fmt"
	"math"

	"github.com/skyinv/skyinv/fft"
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
	p              WienerProblem
	plan           *fft.Plan2D
	t, k           []complex128 // messenger field or its transform; κ̂_E
	fx, fy         []float64
	tau            float64
	nbar           []float64 // N − τ, +Inf outside the mask
	lambda0, decay float64
}

// NewMessenger prepares the messenger-field solver of p.
func NewMessenger(p WienerProblem) (*Messenger, error) {
	if err := p.validate(make([]float64, p.NX*p.NY), make([]float64, p.NX*p.NY)); err != nil {
		return nil, err
	}
	n := p.NX * p.NY
	m := &Messenger{
		p:     p,
		plan:  fft.NewPlan2D(p.NX, p.NY),
		t:     make([]complex128, n),
		k:     make([]complex128, n),
		fx:    spin2.Frequencies(p.NX),
		fy:    spin2.Frequencies(p.NY),
		nbar:  make([]float64, n),
		decay: 0.75,
	}
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

// Step runs one messenger iteration at cooling parameter lambda and returns
// ‖κ̂_new − κ̂_old‖ and ‖κ̂_new‖. It allocates nothing.
func (m *Messenger) Step(g1, g2 []float64, lambda float64) (change, norm float64) {
	nx, ny := m.p.NX, m.p.NY
	n := float64(nx * ny)
	s := m.p.sign()

	// The model shear A κ: γ̂ = D* κ̂_E (D in the pixel frame), then F⁻¹.
	for y := range ny {
		ky := m.fy[y]
		for x := range nx {
			kx := m.fx[x]
			k2 := kx*kx + ky*ky
			i := y*nx + x
			if k2 == 0 {
				m.t[i] = 0
				continue
			}
			a := (kx*kx - ky*ky) / k2
			b := s * 2 * kx * ky / k2
			v := m.k[i]
			// (a − i b) v
			m.t[i] = complex(a*real(v)+b*imag(v), a*imag(v)-b*real(v)) / complex(n, 0)
		}
	}
	m.plan.Inverse(m.t, m.t)

	// The pixel step: t = (λτ γ + N̄ Aκ)/(λτ + N̄).
	lt := lambda * m.tau
	for i, nb := range m.nbar {
		if math.IsInf(nb, 1) {
			continue // t = A κ
		}
		g := complex(g1[i], g2[i])
		m.t[i] = (complex(lt, 0)*g + complex(nb, 0)*m.t[i]) / complex(lt+nb, 0)
	}
	m.plan.Forward(m.t, m.t)

	// The Fourier step: X = D t̂, κ̂_E = f (X(k) + X(−k)*)/2 with
	// f = P/(P + λτ N_pix). Each pair (k, −k) is visited once.
	for y := range ny {
		ym := (ny - y) % ny
		for x := range nx {
			xm := (nx - x) % nx
			i, j := y*nx+x, ym*nx+xm
			if j < i {
				continue
			}
			xi := m.applyD(x, y, m.t[i], s)
			xj := m.applyD(xm, ym, m.t[j], s)
			e := (xi + complex(real(xj), -imag(xj))) / 2
			fi := m.filter(i, lt*n)
			newI := e * complex(fi, 0)
			newJ := complex(real(e), -imag(e)) * complex(m.filter(j, lt*n), 0)
			d := newI - m.k[i]
			change += real(d)*real(d) + imag(d)*imag(d)
			norm += real(newI)*real(newI) + imag(newI)*imag(newI)
			if j != i {
				d = newJ - m.k[j]
				change += real(d)*real(d) + imag(d)*imag(d)
				norm += real(newJ)*real(newJ) + imag(newJ)*imag(newJ)
			}
			m.k[i], m.k[j] = newI, newJ
		}
	}
	return math.Sqrt(change), math.Sqrt(norm)
}

// applyD returns D(k) v at FFT index (x, y), D* in the pixel frame.
func (m *Messenger) applyD(x, y int, v complex128, s float64) complex128 {
	kx, ky := m.fx[x], m.fy[y]
	k2 := kx*kx + ky*ky
	if k2 == 0 {
		return 0
	}
	a := (kx*kx - ky*ky) / k2
	b := s * 2 * kx * ky / k2
	return complex(a*real(v)-b*imag(v), a*imag(v)+b*real(v))
}

func (m *Messenger) filter(i int, noise float64) float64 {
	p := m.p.Power[i]
	if p == 0 {
		return 0
	}
	return p / (p + noise)
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
