package imageprior

import (
	"fmt"
	"math/rand/v2"

	"github.com/skyinv/skyinv/galaxies"
	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

// Scenes is a score.MapSource of simulated galaxy scenes
// (galaxies.Population.Scene), Size × Size pixels each. Batch i draws its
// scenes from the PCG stream (Seed, i) of math/rand/v2, so a batch depends
// only on the settings, the seed and i. A Scenes is not safe for
// concurrent use.
type Scenes struct {
	pop         galaxies.Population
	size, batch int
	seed        uint64
	buf         []float64
	pcg         *rand.PCG
	rng         *rand.Rand
}

var _ score.MapSource = (*Scenes)(nil)

// NewScenes returns a source of batch scenes of size × size pixels per
// batch. It returns an error for invalid population settings, a size
// below 8 or a batch below 1.
func NewScenes(pop galaxies.Population, size, batch int, seed uint64) (*Scenes, error) {
	if err := pop.Check(); err != nil {
		return nil, fmt.Errorf("imageprior: %w", err)
	}
	if size < 8 || batch < 1 {
		return nil, fmt.Errorf("imageprior: scenes of %d pixels in batches of %d: need at least 8 pixels and 1 scene", size, batch)
	}
	pcg := rand.NewPCG(seed, 0)
	return &Scenes{pop: pop, size: size, batch: batch, seed: seed, buf: make([]float64, size*size), pcg: pcg, rng: rand.New(pcg)}, nil
}

// Batch writes batch i, Batch × 1 × Size × Size, into dst and returns it,
// allocating it if dst is nil. It panics if dst has another shape or i is
// negative.
func (s *Scenes) Batch(dst *nn.Tensor, i int) *nn.Tensor {
	if i < 0 {
		panic(fmt.Sprintf("imageprior: Scenes.Batch: negative batch index %d", i))
	}
	if dst == nil {
		dst = nn.NewTensor(s.batch, 1, s.size, s.size)
	}
	if dst.N != s.batch || dst.C != 1 || dst.H != s.size || dst.W != s.size {
		panic(fmt.Sprintf("imageprior: Scenes.Batch: destination is %d×%d×%d×%d, want %d×1×%d×%d", dst.N, dst.C, dst.H, dst.W, s.batch, s.size, s.size))
	}
	s.pcg.Seed(s.seed, uint64(i))
	for b := range s.batch {
		clear(s.buf)
		if _, err := s.pop.Scene(s.buf, s.size, s.size, s.rng); err != nil {
			// NewScenes checked the population, and Draw keeps every
			// parameter in range.
			panic(fmt.Sprintf("imageprior: Scenes.Batch: %v", err))
		}
		plane := dst.Plane(b, 0)
		for q, v := range s.buf {
			plane[q] = float32(v)
		}
	}
	return dst
}
