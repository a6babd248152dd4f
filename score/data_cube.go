package score

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/nn"
)

// CubeConfig sets up the sources of NewCubeMaps.
type CubeConfig struct {
	// Crop sets the image size and transforms. The window must fit in
	// the planes of the cube.
	Crop Crop

	// ValidationPlanes is the number of planes held out for validation:
	// the last ValidationPlanes planes of the cube. At least one plane
	// must remain for training. Zero means no validation split.
	ValidationPlanes int

	BatchSize int    // images per batch, at least 1
	Seed      uint64 // seed of the PCG streams, one stream per batch
}

// CubeMaps is a MapSource of windows of the planes of a FITS cube of
// convergence maps, one split of it (training or validation). Every
// image picks a plane of the split uniformly, so a plane may appear more
// than once in a batch. Batch i of the training split draws from the PCG
// stream (Seed, i) of math/rand/v2, and batch i of the validation split
// from stream (Seed, 2⁶³ + i), so the splits use different random
// windows.
//
// A CubeMaps is not safe for concurrent use, and the two splits of one
// cube share its pixels but nothing mutable. After the first call, Batch
// allocates nothing when given a destination.
type CubeMaps struct {
	path   string
	cfg    CubeConfig
	data   []float64 // the whole cube, plane z at offset z·nx·ny
	nx, ny int
	planes []int
	stream uint64
	crop   cropper
	pcg    *rand.PCG
	rng    *rand.Rand
}

// NewCubeMaps reads the image HDU hdu (selected as fits.ReadImage does)
// of the FITS file at path, a cube with axes [nx, ny, nz]: nz maps of
// nx × ny pixels, x varying fastest. It returns a training source of the
// first nz − cfg.ValidationPlanes planes and a validation source of the
// rest, nil when cfg.ValidationPlanes is 0. The split is by plane index
// so that no map, and no window of one, is in both splits. Planes next
// to each other in a cube often come from the same simulation, so a
// contiguous block is held out rather than scattered planes.
//
// NewCubeMaps returns an error that names the file if the file cannot be
// read, the HDU is not 3-D or a pixel is NaN or infinite. It also returns
// one for a crop that is invalid or larger than the planes, for
// cfg.ValidationPlanes negative or leaving no training plane, and for
// cfg.BatchSize below 1.
func NewCubeMaps(path, hdu string, cfg CubeConfig) (train, validation *CubeMaps, err error) {
	if cfg.BatchSize < 1 {
		return nil, nil, fmt.Errorf("score: %s: batch size %d is invalid: it must be at least 1", path, cfg.BatchSize)
	}
	img, err := fits.ReadImage(path, hdu)
	if err != nil {
		return nil, nil, fmt.Errorf("score: reading map cube: %w", err)
	}

	// Shape and pixel checks.
	if len(img.Axes) != 3 {
		hduName := fmt.Sprintf("HDU %q", hdu)
		if hdu == "" {
			hduName = "the first image HDU"
		}
		return nil, nil, fmt.Errorf("score: %s: %s has %d axes %v, want a 3-D cube [nx, ny, planes] of convergence maps", path, hduName, len(img.Axes), img.Axes)
	}
	nx, ny, nz := img.Axes[0], img.Axes[1], img.Axes[2]
	if err := cfg.Crop.check(nx, ny); err != nil {
		return nil, nil, fmt.Errorf("score: %s: %w", path, err)
	}
	for i, v := range img.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			z, xy := i/(nx*ny), i%(nx*ny)
			return nil, nil, fmt.Errorf("score: %s: pixel (x %d, y %d) of plane %d is %v: maps must be finite (mask or fill missing pixels first)", path, xy%nx, xy/nx, z, v)
		}
	}
	if cfg.ValidationPlanes < 0 || cfg.ValidationPlanes >= nz {
		return nil, nil, fmt.Errorf("score: %s: %d validation planes of %d is invalid: at least one plane must remain for training", path, cfg.ValidationPlanes, nz)
	}

	// The two splits.
	nTrain := nz - cfg.ValidationPlanes
	train = newCubeMaps(path, cfg, img.Data, nx, ny, 0, nTrain, 0)
	if cfg.ValidationPlanes > 0 {
		validation = newCubeMaps(path, cfg, img.Data, nx, ny, nTrain, nz, 1<<63)
	}
	return train, validation, nil
}

func newCubeMaps(path string, cfg CubeConfig, data []float64, nx, ny, first, end int, stream uint64) *CubeMaps {
	c := &CubeMaps{path: path, cfg: cfg, data: data, nx: nx, ny: ny, stream: stream, crop: newCropper(cfg.Crop, nx, ny)}
	for z := first; z < end; z++ {
		c.planes = append(c.planes, z)
	}
	c.pcg = rand.NewPCG(cfg.Seed, stream)
	c.rng = rand.New(c.pcg)
	return c
}

// Planes returns the indices, counted from 0, of the cube's planes in
// this split.
func (c *CubeMaps) Planes() []int {
	return append([]int(nil), c.planes...)
}

// Batch writes batch i, BatchSize × 1 × Crop.Height × Crop.Width, into
// dst and returns it, allocating it if dst is nil. It panics if dst has
// another shape or i is negative.
func (c *CubeMaps) Batch(dst *nn.Tensor, i int) *nn.Tensor {
	if i < 0 {
		panic(fmt.Sprintf("score: CubeMaps.Batch: negative batch index %d", i))
	}
	h, w := c.cfg.Crop.Height, c.cfg.Crop.Width
	dst = batchTensor("CubeMaps.Batch", dst, c.cfg.BatchSize, h, w)

	c.pcg.Seed(c.cfg.Seed, c.stream+uint64(i))
	size := c.nx * c.ny
	for n := 0; n < c.cfg.BatchSize; n++ {
		z := c.planes[c.rng.IntN(len(c.planes))]
		c.crop.draw(dst.Plane(n, 0), c.data[z*size:(z+1)*size], c.rng)
	}
	return dst
}
