package score

import (
	"fmt"
	"math/rand/v2"

	"github.com/skyinv/skyinv/nn"
)

// MapSource is a stream of training or validation images: batches of
// single-channel convergence maps.
//
// Batch writes batch i into dst and returns it. A nil dst allocates a
// tensor of the source's shape. Batch i depends only on the source's
// settings, its seed and i, so a batch can be drawn again by its index,
// in any order.
type MapSource interface {
	Batch(dst *nn.Tensor, i int) *nn.Tensor
}

var (
	_ MapSource = (*SimulatedMaps)(nil)
	_ MapSource = (*CubeMaps)(nil)
)

// Crop sets the size of the training images and the random transforms
// applied to them. Each image is a Height × Width window of a larger
// map, at a position drawn uniformly among those that lie wholly inside
// the map, so no window wraps around an edge.
//
// Flip mirrors each image along x, along y, both or neither, with equal
// probability. Rotate turns it by 0°, 90°, 180° or 270°. A 90° turn
// swaps height and width, so Rotate requires a square window
// (Height == Width). Flip and Rotate together draw uniformly from the
// 8 symmetries of the square. Mirroring along both axes is a 180° turn,
// so a non-square window with Flip also gets that rotation.
type Crop struct {
	Height, Width int // in pixels
	Flip          bool
	Rotate        bool
}

// check returns an error unless c is a valid crop of an nx × ny map.
func (c Crop) check(nx, ny int) error {
	if c.Height < 1 || c.Width < 1 {
		return fmt.Errorf("crop of %d×%d pixels (height × width) is invalid: both must be at least 1", c.Height, c.Width)
	}
	if c.Rotate && c.Height != c.Width {
		return fmt.Errorf("crop of %d×%d pixels cannot be rotated: Rotate requires Height == Width", c.Height, c.Width)
	}
	if c.Width > nx || c.Height > ny {
		return fmt.Errorf("crop of %d×%d pixels (height × width) does not fit in maps of %d×%d: use a smaller crop", c.Height, c.Width, ny, nx)
	}
	return nil
}

// An orientation is a symmetry of the rectangle or square. Bit 0 mirrors
// x, bit 1 mirrors y and bit 2 swaps x and y, which needs a square.
// Output pixel (x, y) of a w × h window comes from window pixel (u, v)
// with u = x or w−1−x, v = y or h−1−y, and (u, v) swapped when bit 2 is
// set.
var (
	orientFlip       = []uint8{0, 1, 2, 3}
	orientRotate     = []uint8{0, 3, 5, 6} // 0°, 180°, and the two 90° turns
	orientFlipRotate = []uint8{0, 1, 2, 3, 4, 5, 6, 7}
)

// orientations returns the orientations that c draws from.
func (c Crop) orientations() []uint8 {
	switch {
	case c.Flip && c.Rotate:
		return orientFlipRotate
	case c.Flip:
		return orientFlip
	case c.Rotate:
		return orientRotate
	}
	return orientFlip[:1]
}

// cropper draws windows of nx × ny maps and writes them, transformed, as
// float32 images.
type cropper struct {
	crop    Crop
	nx, ny  int
	orients []uint8
}

func newCropper(c Crop, nx, ny int) cropper {
	return cropper{crop: c, nx: nx, ny: ny, orients: c.orientations()}
}

// draw writes into dst (Height·Width values) a random window of src, an
// nx × ny map with index y*nx + x, in a random orientation.
func (c *cropper) draw(dst []float32, src []float64, rng *rand.Rand) {
	h, w := c.crop.Height, c.crop.Width
	x0 := rng.IntN(c.nx - w + 1)
	y0 := rng.IntN(c.ny - h + 1)
	orient := c.orients[rng.IntN(len(c.orients))]

	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			u, v := x, y
			if orient&1 != 0 {
				u = w - 1 - u
			}
			if orient&2 != 0 {
				v = h - 1 - v
			}
			if orient&4 != 0 {
				u, v = v, u
			}
			dst[y*w+x] = float32(src[(y0+v)*c.nx+x0+u])
		}
	}
}

// batchTensor returns dst, or a new n × 1 × h × w tensor if dst is nil,
// and panics if dst has another shape.
func batchTensor(caller string, dst *nn.Tensor, n, h, w int) *nn.Tensor {
	if dst == nil {
		return nn.NewTensor(n, 1, h, w)
	}
	if dst.N != n || dst.C != 1 || dst.H != h || dst.W != w || len(dst.Data) != n*h*w {
		panic(fmt.Sprintf("score: %s: destination is %d×%d×%d×%d, want %d×1×%d×%d", caller, dst.N, dst.C, dst.H, dst.W, n, h, w))
	}
	return dst
}
