package nn_test

import (
	"fmt"

	"github.com/skyinv/skyinv/nn"
)

// A 3 × 3 convolution is a cross-correlation with 'same' zero padding, as
// PyTorch's Conv2d computes it. A kernel whose only weight sits at row 0,
// column 2 gives out[y, x] = in[y−1, x+1], so it moves a point from
// (y, x) = (2, 2) to (3, 1).
func ExampleConv2D() {
	conv := nn.NewConv2D(1, 1, 3, 3)
	conv.Weight[0*3+2] = 1 // row u = 0, column v = 2; the bias is 0

	in := nn.NewTensor(1, 1, 5, 5)
	in.Set(0, 0, 2, 2, 1)
	out := conv.Forward(nil, in)

	for y := range out.H {
		fmt.Println(out.Plane(0, 0)[y*out.W : (y+1)*out.W])
	}
	// Output:
	// [0 0 0 0 0]
	// [0 0 0 0 0]
	// [0 0 0 0 0]
	// [0 1 0 0 0]
	// [0 0 0 0 0]
}
