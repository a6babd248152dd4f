package score

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/simulate"
)

// SimulatedConfig sets up a SimulatedMaps source.
type SimulatedConfig struct {
	// Power is the power map of the simulation grid, NX × NY values in
	// the convention of package simulate (as powerspec.PowerMap returns).
	Power  []float64
	NX, NY int

	// Shift, unless 0, selects shifted lognormal fields with this shift λ
	// (simulate.NewLognormal) in place of Gaussian ones.
	Shift float64

	// Crop sets the image size and transforms. The window must fit in
	// the NX × NY grid. A grid larger than the window gives images with
	// modes longer than the window and without periodic boundaries.
	Crop Crop

	BatchSize int    // images per batch, at least 1
	Seed      uint64 // seed of the PCG streams, one stream per batch
}

// SimulatedMaps is a MapSource of simulated convergence maps. For every
// image it draws a new field on the NX × NY grid and crops one window of
// it, so the images of a batch are independent. The cost per image is
// that of one field, two FFTs of the whole grid. Batch i draws from the
// PCG stream (Seed, i) of math/rand/v2.
//
// A SimulatedMaps is not safe for concurrent use. After the first call,
// Batch allocates nothing when given a destination.
type SimulatedMaps struct {
	cfg   SimulatedConfig
	field interface {
		Field(dst []float64, rng *rand.Rand) []float64
	}
	crop  cropper
	pcg   *rand.PCG
	rng   *rand.Rand
	cache []float64
}

// NewSimulatedMaps returns a source of cfg.BatchSize maps per batch. It
// returns an error for an invalid grid or power map (as
// simulate.NewGaussian and simulate.NewLognormal do), a negative or
// non-finite shift, a crop that is invalid or larger than the grid, or a
// batch size below 1.
func NewSimulatedMaps(cfg SimulatedConfig) (*SimulatedMaps, error) {
	if cfg.BatchSize < 1 {
		return nil, fmt.Errorf("score: simulated maps: batch size %d is invalid: it must be at least 1", cfg.BatchSize)
	}
	if err := cfg.Crop.check(cfg.NX, cfg.NY); err != nil {
		return nil, fmt.Errorf("score: simulated maps: %w", err)
	}
	if cfg.Shift < 0 {
		return nil, errors.New("score: simulated maps: lognormal shift is negative: it must be positive, or 0 for Gaussian fields")
	}

	s := &SimulatedMaps{cfg: cfg, crop: newCropper(cfg.Crop, cfg.NX, cfg.NY)}
	var err error
	if cfg.Shift == 0 {
		s.field, err = simulate.NewGaussian(cfg.Power, cfg.NX, cfg.NY)
	} else {
		s.field, err = simulate.NewLognormal(cfg.Power, cfg.NX, cfg.NY, cfg.Shift)
	}
	if err != nil {
		return nil, fmt.Errorf("score: simulated maps: %w", err)
	}
	s.pcg = rand.NewPCG(cfg.Seed, 0)
	s.rng = rand.New(s.pcg)
	s.cache = make([]float64, cfg.NX*cfg.NY)
	return s, nil
}

// Batch writes batch i, BatchSize × 1 × Crop.Height × Crop.Width, into
// dst and returns it, allocating it if dst is nil. It panics if dst has
// another shape or i is negative.
func (s *SimulatedMaps) Batch(dst *nn.Tensor, i int) *nn.Tensor {
	if i < 0 {
		panic(fmt.Sprintf("score: SimulatedMaps.Batch: negative batch index %d", i))
	}
	h, w := s.cfg.Crop.Height, s.cfg.Crop.Width
	dst = batchTensor("SimulatedMaps.Batch", dst, s.cfg.BatchSize, h, w)

	s.pcg.Seed(s.cfg.Seed, uint64(i))
	for n := 0; n < s.cfg.BatchSize; n++ {
		s.field.Field(s.cache, s.rng)
		s.crop.draw(dst.Plane(n, 0), s.cache, s.rng)
	}
	return dst
}
