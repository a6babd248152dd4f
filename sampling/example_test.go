package sampling_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/sampling"
	"github.com/skyinv/skyinv/simulate"
)

// Posterior samples of a convergence map from noisy shear with a Gaussian
// prior: any operator from operators/ and any Prior work the same way.
func ExampleSample() {
	const nx, ny = 32, 32
	const n = nx * ny
	pixelRad := 1.0 / 60 * math.Pi / 180 // 1-arcmin pixels

	// A Gaussian convergence field of power spectrum C_ℓ and its shear with
	// noise of standard deviation 0.02 per pixel and component.
	cl := func(ell float64) float64 { return 1e-9 * math.Pow(ell/1000, -1.2) }
	power := powerspec.PowerMap(cl, nx, ny, pixelRad)
	gen, err := simulate.NewGaussian(power, nx, ny)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	truth := gen.Field(nil, rng)
	newOp := func() (operators.Operator, error) {
		return operators.NewShear(nx, ny, operators.ShearOptions{EOnly: true})
	}
	op, _ := newOp()
	data, noise := make([]float64, 2*n), make([]float64, 2*n)
	op.Apply(data, truth)
	for i := range data {
		noise[i] = 0.02 * 0.02
		data[i] += 0.02 * rng.NormFloat64()
	}

	prior, err := sampling.NewGaussianPrior(power, nx, ny, 0)
	if err != nil {
		panic(err)
	}
	like, err := sampling.NewLikelihood(newOp, data, noise, 0)
	if err != nil {
		panic(err)
	}
	res, err := sampling.Sample(prior, like, sampling.Config{
		NX: nx, NY: ny, Chains: 4,
		SigmaMax: 0.1, SigmaMin: 1e-4, Levels: 8, Steps: 20, FinalSteps: 400,
		StepSize: 0.1, Power: power, DataPower: like.ShearDataPower(),
		Keep: 4, Thin: 50, Seed: 3,
	})
	if err != nil {
		panic(err)
	}

	// How far the posterior mean is from the truth, in posterior standard
	// deviations.
	within := 0
	for i := range truth {
		if math.Abs(res.Mean[i]-truth[i]) <= 2*res.Std[i] {
			within++
		}
	}
	fmt.Printf("%d chains × %d samples of %d pixels\n", len(res.Samples), len(res.Samples[0]), len(res.Samples[0][0]))
	fmt.Printf("mean and std over %d states per chain\n", res.States)
	fmt.Printf("truth within 2 std of the mean in over 90%% of pixels: %v\n", within > n*9/10)
	// Output:
	// 4 chains × 4 samples of 1024 pixels
	// mean and std over 200 states per chain
	// truth within 2 std of the mean in over 90% of pixels: true
}
