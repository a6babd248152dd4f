package nnop_test

import (
	"fmt"
	"log"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/skyinv/skyinv/gorgonia/nnop"
)

// A 3×3 kernel of ones sums each pixel's neighbourhood, with zeros beyond
// the edges, so the gradient of L = Σ y with respect to the kernel has the
// same values, and the bias gradient is the pixel count.
func ExampleConv2D() {
	g := gorgonia.NewGraph()
	image := tensor.New(tensor.WithShape(1, 1, 3, 3), tensor.WithBacking([]float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	}))
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithName("x"), gorgonia.WithValue(image))
	w := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithName("w"), gorgonia.WithShape(1, 1, 3, 3), gorgonia.WithInit(gorgonia.Ones()))
	b := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithName("b"), gorgonia.WithShape(1), gorgonia.WithInit(gorgonia.ValuesOf(float32(0.5))))

	y, err := nnop.Conv2D(x, w, b)
	if err != nil {
		log.Fatal(err)
	}
	// Read copies y during each run, before a later op could reuse its memory.
	var yValue gorgonia.Value
	gorgonia.Read(y, &yValue)
	loss, err := gorgonia.Sum(y)
	if err != nil {
		log.Fatal(err)
	}
	grads, err := gorgonia.Grad(loss, w, b)
	if err != nil {
		log.Fatal(err)
	}

	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("y:", yValue.Data())
	fmt.Println("∂L/∂w:", grads[0].Value().Data())
	fmt.Println("∂L/∂b:", grads[1].Value().Data())
	// Output:
	// y: [12.5 21.5 16.5 27.5 45.5 33.5 24.5 39.5 28.5]
	// ∂L/∂w: [12 21 16 27 45 33 24 39 28]
	// ∂L/∂b: [9]
}
