package score_test

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/score"
)

// Training images of 64 × 64 pixels cropped from Gaussian fields on a
// 128 × 128 grid of 1-arcmin pixels, with random flips and rotations.
func ExampleSimulatedMaps() {
	const grid = 128
	pixelRad := 1.0 / 60 * math.Pi / 180
	cl := func(ell float64) float64 { return 1e-9 / (ell * ell) }
	maps, err := score.NewSimulatedMaps(score.SimulatedConfig{
		Power: powerspec.PowerMap(cl, grid, grid, pixelRad),
		NX:    grid, NY: grid,
		Crop:      score.Crop{Height: 64, Width: 64, Flip: true, Rotate: true},
		BatchSize: 8,
		Seed:      1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Batch allocates the tensor on the first call and reuses it after.
	var batch *nn.Tensor
	for i := 0; i < 3; i++ {
		batch = maps.Batch(batch, i)
	}
	fmt.Println(batch.N, batch.C, batch.H, batch.W)
	// Output: 8 1 64 64
}
