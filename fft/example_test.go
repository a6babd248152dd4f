package fft_test

import (
	"fmt"

	"github.com/skyinv/skyinv/fft"
)

// The transform of a unit impulse at the origin is 1 at every frequency,
// and the unnormalised inverse brings back the impulse times nx·ny.
func ExamplePlan2D() {
	const nx, ny = 4, 3
	p := fft.NewPlan2D(nx, ny)
	x := make([]complex128, nx*ny)
	x[0] = 1

	p.Forward(x, x)
	fmt.Println(x[:nx])

	p.Inverse(x, x)
	fmt.Println(x[0], x[1])
	// Output:
	// [(1+0i) (1+0i) (1+0i) (1+0i)]
	// (12+0i) (0+0i)
}

// A shift by one sample multiplies X[k] by exp(−2πi·k/n): for n = 4 the
// factors are 1, −i, −1, i.
func ExamplePlan() {
	p := fft.NewPlan(4)
	x := []complex128{0, 1, 0, 0}
	p.Forward(x, x)
	fmt.Println(x)
	// Output:
	// [(1+0i) (0-1i) (-1+0i) (0+1i)]
}
