package sampling_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/skyinv/skyinv/fft"
	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/priors"
	"github.com/skyinv/skyinv/sampling"
	"github.com/skyinv/skyinv/simulate"
)

// gaussianProblem is a 64 × 64 shear field with a mask and varying noise,
// under a Gaussian prior whose posterior is known exactly.
type gaussianProblem struct {
	nx, ny         int
	power          []float64
	data, noiseVar []float64
	newOp          func() (operators.Operator, error)
}

func newGaussianProblem(t *testing.T) *gaussianProblem {
	t.Helper()
	const nx, ny = 64, 64
	const pixelRad = 2.0 / 60 * math.Pi / 180
	n := nx * ny
	power := powerspec.PowerMap(func(ell float64) float64 { return 1e-9 * math.Pow(ell/1000, -1.2) }, nx, ny, pixelRad)
	// The mean gets the power of the lowest mode, so the prior is proper
	// and its covariance invertible.
	power[0] = power[1]

	rng := rand.New(rand.NewPCG(7, 8))
	gen, err := simulate.NewGaussian(power, nx, ny)
	if err != nil {
		t.Fatal(err)
	}
	kappa := gen.Field(nil, rng)
	newOp := func() (operators.Operator, error) {
		return operators.NewShear(nx, ny, operators.ShearOptions{EOnly: true})
	}
	op, _ := newOp()
	data := make([]float64, 2*n)
	op.Apply(data, kappa)
	noiseVar := make([]float64, 2*n)
	for y := range ny {
		for x := range nx {
			i := y*nx + x
			v := 4e-4 * (1 + 2*rng.Float64()) // pixel noise std 0.02 to 0.035
			if x >= 38 && x < 54 && y >= 10 && y < 30 || x < 8 && y >= 56 {
				v = math.Inf(1) // the mask: a hole and a corner
			}
			for c := range 2 {
				noiseVar[c*n+i] = v
				if math.IsInf(v, 1) {
					data[c*n+i] = 0
				} else {
					data[c*n+i] += math.Sqrt(v) * rng.NormFloat64()
				}
			}
		}
	}
	return &gaussianProblem{nx: nx, ny: ny, power: power, data: data, noiseVar: noiseVar, newOp: newOp}
}

// exactPosterior returns the posterior mean, and the posterior variance per
// pixel and per Fourier coefficient, from the dense precision matrix
// Λ = S⁻¹ + Aᵀ N⁻¹ A.
func (p *gaussianProblem) exactPosterior(t *testing.T) (mean, pixelVar, modeVar []float64) {
	t.Helper()
	n := p.nx * p.ny
	g, err := priors.NewGaussian(p.power, p.nx, p.ny)
	if err != nil {
		t.Fatal(err)
	}
	op, _ := p.newOp()
	lambda := mat.NewSymDense(n, nil)
	e := make([]float64, n)
	col := make([]float64, n)
	d := make([]float64, 2*n)
	ata := make([]float64, n)
	for j := range n {
		clear(e)
		e[j] = 1
		g.Gradient(col, e) // −S⁻¹ e_j
		op.Apply(d, e)
		for i, v := range p.noiseVar {
			d[i] /= v // +Inf gives 0
		}
		op.Adjoint(ata, d)
		for i := 0; i <= j; i++ {
			lambda.SetSym(i, j, ata[i]-col[i])
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(lambda) {
		t.Fatal("the posterior precision is not positive definite")
	}

	// Mean: Λ⁻¹ Aᵀ N⁻¹ y.
	for i, v := range p.noiseVar {
		d[i] = p.data[i] / v
		if math.IsInf(v, 1) {
			d[i] = 0
		}
	}
	rhs := make([]float64, n)
	op.Adjoint(rhs, d)
	var mv mat.VecDense
	if err := chol.SolveVecTo(&mv, mat.NewVecDense(n, rhs)); err != nil {
		t.Fatal(err)
	}
	mean = mv.RawVector().Data

	// Covariance, its diagonal, and the diagonal of F Σ Fᴴ: transform
	// every column, then every row of the result.
	var sigma mat.SymDense
	if err := chol.InverseTo(&sigma); err != nil {
		t.Fatal(err)
	}
	pixelVar = make([]float64, n)
	plan := fft.NewPlan2D(p.nx, p.ny)
	fs := make([][]complex128, n) // fs[k][j] = (F Σ)[k][j]
	for k := range fs {
		fs[k] = make([]complex128, n)
	}
	buf := make([]complex128, n)
	for j := range n {
		pixelVar[j] = sigma.At(j, j)
		for i := range n {
			buf[i] = complex(sigma.At(i, j), 0)
		}
		plan.Forward(buf, buf)
		for k := range n {
			fs[k][j] = buf[k]
		}
	}
	// (F Σ Fᴴ)[k][k] = Σ_j (FΣ)[k][j] conj(F[k][j]) = conj(F (FΣ)[k]ᴴ)[k].
	modeVar = make([]float64, n)
	for k := range n {
		for j := range n {
			buf[j] = complex(real(fs[k][j]), -imag(fs[k][j]))
		}
		plan.Forward(buf, buf)
		modeVar[k] = real(buf[k])
	}
	return mean, pixelVar, modeVar
}

// TestGaussianPosteriorExact samples the posterior of the Gaussian problem
// with the Gaussian prior's analytic score and compares with the dense
// solution: the sample mean with the Wiener filter, and the sample variance,
// averaged over the map and in rings of |k|, with the posterior variance.
// It runs three times. The first uses the prior's preconditioner and small
// steps, the second the preconditioner that includes the data
// (Config.DataPower) and steps ten times larger. The third adds a last level
// at a tenth of the data's noise, as on the kappaTNG field: Result.Mean and
// Result.Std must remove that level's noise, and Config.Finish carries the
// returned samples down to σ/100.
func TestGaussianPosteriorExact(t *testing.T) {
	if testing.Short() {
		t.Skip("dense 4096 × 4096 posterior: skipped with -short")
	}
	p := newGaussianProblem(t)
	n := p.nx * p.ny
	mean, pixelVar, modeVar := p.exactPosterior(t)

	prior, err := sampling.NewGaussianPrior(p.power, p.nx, p.ny, 0)
	if err != nil {
		t.Fatal(err)
	}
	like, err := sampling.NewLikelihood(p.newOp, p.data, p.noiseVar, 0)
	if err != nil {
		t.Fatal(err)
	}
	var priorVar float64
	for _, v := range p.power {
		priorVar += v
	}
	priorStd := math.Sqrt(priorVar) / float64(n)
	const chains = 64
	base := sampling.Config{
		NX: p.nx, NY: p.ny, Chains: chains,
		SigmaMax: 10 * priorStd, SigmaMin: 1e-3 * priorStd, Levels: 8,
		Steps: 40, Power: p.power, Seed: 1,
		Progress: func(pr sampling.Progress) {
			t.Logf("level %d/%d: σ = %.3g, normalised residual %.3f", pr.Level, pr.Levels, pr.Sigma, pr.Residual)
		},
	}
	prec := base
	prec.FinalSteps, prec.StepSize = 600, 0.01
	data := base
	data.FinalSteps, data.StepSize = 400, 0.1
	data.DataPower = like.ShearDataPower()
	high := data
	high.SigmaMin = 0.1 * math.Sqrt(like.TypicalNoiseVar())
	high.Finish = 20
	t.Logf("prior std per pixel %.3g, typical noise std %.3g", priorStd, math.Sqrt(like.TypicalNoiseVar()))
	for _, tc := range []struct {
		name string
		cfg  sampling.Config
	}{{"prior preconditioner", prec}, {"data preconditioner", data}, {"last level at a tenth of the noise", high}} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := sampling.Sample(prior, like, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			sigma := tc.cfg.SigmaMin
			if tc.cfg.Finish > 0 {
				sigma /= 100
			}
			checkExact(t, p, res, sigma, mean, pixelVar, modeVar)
		})
	}
}

// checkExact compares the result of a run whose last level is sigma with
// the exact posterior: the mean within 3 standard errors of one state per
// chain (a bound, since Mean averages many states per chain) in 95% of
// pixels, and the variance, over the map and in 8 rings of |k|, within 10%.
// The returned samples are raw states of noise level sigma, so their
// variance per Fourier mode is the posterior's plus n σ².
func checkExact(t *testing.T, p *gaussianProblem, res *sampling.Result, sigma float64, mean, pixelVar, modeVar []float64) {
	t.Helper()
	n := p.nx * p.ny
	chains := float64(len(res.Samples))
	inside := 0
	var sampleVar, exactVar float64
	for i := range n {
		se := math.Sqrt(pixelVar[i] / chains)
		if math.Abs(res.Mean[i]-mean[i]) <= 3*se {
			inside++
		}
		sampleVar += res.Std[i] * res.Std[i]
		exactVar += pixelVar[i]
	}
	frac := float64(inside) / float64(n)
	ratio := sampleVar / exactVar
	t.Logf("sample mean within 3 standard errors of the Wiener filter in %.1f%% of pixels; map-averaged variance ratio %.4f", 100*frac, ratio)
	if frac < 0.95 {
		t.Errorf("the sample mean is within 3 standard errors of the Wiener filter in %.1f%% of pixels, want at least 95%%", 100*frac)
	}
	if math.Abs(ratio-1) > 0.1 {
		t.Errorf("map-averaged sample variance / posterior variance = %.4f, want within 10%% of 1", ratio)
	}

	// The variance per Fourier mode of the returned samples, in rings of |k|.
	plan := fft.NewPlan2D(p.nx, p.ny)
	buf := make([]complex128, n)
	power := make([]float64, n)
	count := 0
	for _, chain := range res.Samples {
		for _, s := range chain {
			for i, v := range s {
				buf[i] = complex(v-mean[i], 0)
			}
			plan.Forward(buf, buf)
			for k, v := range buf {
				power[k] += real(v)*real(v) + imag(v)*imag(v)
			}
			count++
		}
	}
	const rings = 8
	var got, want [rings]float64
	var modes [rings]int
	kmax := math.Hypot(float64(p.nx/2), float64(p.ny/2))
	for ky := range p.ny {
		for kx := range p.nx {
			fx, fy := kx, ky
			if fx > p.nx/2 {
				fx -= p.nx
			}
			if fy > p.ny/2 {
				fy -= p.ny
			}
			k := ky*p.nx + kx
			b := int(float64(rings) * math.Hypot(float64(fx), float64(fy)) / (kmax + 1e-9))
			got[b] += power[k]/float64(count) - float64(n)*sigma*sigma
			want[b] += modeVar[k]
			modes[b]++
		}
	}
	for b := range rings {
		r := got[b] / want[b]
		t.Logf("ring %d (%d modes): sample variance / posterior variance = %.4f", b, modes[b], r)
		if math.Abs(r-1) > 0.1 {
			t.Errorf("ring %d of |k|: variance ratio %.4f, want within 10%% of 1", b, r)
		}
	}
}
