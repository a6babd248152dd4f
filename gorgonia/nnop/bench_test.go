package nnop_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/skyinv/skyinv/gorgonia/nnop"
	"github.com/skyinv/skyinv/nn"
)

// benchChannels is the channel count of the benchmarked layer, a 3×3
// convolution from 32 to 32 channels on one image.
const benchChannels = 32

// benchValues returns an input, kernel and bias for a layer of c channels
// on one size×size image, with the kernel and bias drawn from PyTorch's
// default range U(-1/√(9c), 1/√(9c)).
func benchValues(c, size int) (x, w, b []float32) {
	rng := rand.New(rand.NewPCG(7, uint64(size)))
	uniform := func(n int, bound float64) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32((2*rng.Float64() - 1) * bound)
		}
		return s
	}
	bound := 1 / math.Sqrt(float64(9*c))
	return uniform(c*size*size, 1), uniform(c*c*9, bound), uniform(c, bound)
}

// graphLayer is the benchmarked layer in a reused TapeMachine. With
// backward, the graph also contains L = Σ y and the gradients of L with
// respect to x, w and b.
type graphLayer struct {
	m      gorgonia.VM
	yValue gorgonia.Value // copy of y, when built with read
	grads  gorgonia.Nodes // ∂L/∂x, ∂L/∂w, ∂L/∂b, with backward
}

// newGraphLayer builds the layer with nnop.Conv2D if ours is true and
// with gorgonia.Conv2d plus a broadcast bias otherwise. With read, each run
// copies y into yValue, which the benchmarks leave out because it
// allocates.
func newGraphLayer(tb testing.TB, ours, backward, read bool, c, size int) *graphLayer {
	tb.Helper()
	xData, wData, bData := benchValues(c, size)
	g := gorgonia.NewGraph()
	newTensor := func(name string, data []float32, shape ...int) *gorgonia.Node {
		value := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
		return gorgonia.NewTensor(g, tensor.Float32, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(value))
	}
	x := newTensor("x", xData, 1, c, size, size)
	w := newTensor("w", wData, c, c, 3, 3)
	b := newTensor("b", bData, c)

	var y *gorgonia.Node
	var err error
	if ours {
		y, err = nnop.Conv2D(x, w, b)
	} else {
		y, err = referenceConv(x, w, b)
	}
	if err != nil {
		tb.Fatalf("building the convolution: %v", err)
	}

	layer := new(graphLayer)
	if read {
		gorgonia.Read(y, &layer.yValue)
	}
	if backward {
		loss, err := gorgonia.Sum(y)
		if err != nil {
			tb.Fatalf("building Σ y: %v", err)
		}
		if layer.grads, err = gorgonia.Grad(loss, x, w, b); err != nil {
			tb.Fatalf("gorgonia.Grad: %v", err)
		}
	}
	layer.m = gorgonia.NewTapeMachine(g)
	tb.Cleanup(func() { layer.m.Close() })
	return layer
}

func (l *graphLayer) run() error {
	err := l.m.RunAll()
	l.m.Reset()
	return err
}

// nnLayer is the benchmarked layer as a bare nn.Conv2D. Its backward pass
// takes ∂L/∂y = 1, the gradient of L = Σ y, as the graphs do.
type nnLayer struct {
	layer           *nn.Conv2D
	x, y, yGrad, dx *nn.Tensor
	backward        bool
}

func newNNLayer(backward bool, c, size int) *nnLayer {
	xData, wData, bData := benchValues(c, size)
	l := &nnLayer{
		layer:    nn.NewConv2D(c, c, 3, 3),
		x:        &nn.Tensor{N: 1, C: c, H: size, W: size, Data: xData},
		y:        nn.NewTensor(1, c, size, size),
		yGrad:    nn.NewTensor(1, c, size, size),
		dx:       nn.NewTensor(1, c, size, size),
		backward: backward,
	}
	copy(l.layer.Weight, wData)
	copy(l.layer.Bias, bData)
	for i := range l.yGrad.Data {
		l.yGrad.Data[i] = 1
	}
	return l
}

func (l *nnLayer) run() error {
	l.layer.Forward(l.y, l.x)
	if l.backward {
		l.layer.ZeroGrad()
		l.layer.Backward(l.dx, l.yGrad, l.x)
	}
	return nil
}

// BenchmarkConv3x3 times one 3×3 convolution from 32 to 32 channels on one
// image: gorgonia's Conv2d with a bias and nnop.Conv2D, each in a
// TapeMachine that is reset and rerun, and a bare nn.Conv2D. The
// forward+backward passes also compute L = Σ y and the gradients of L with
// respect to the input, the kernel and the bias.
func BenchmarkConv3x3(b *testing.B) {
	for _, size := range []int{128, 360} {
		for _, backward := range []bool{false, true} {
			pass := "forward"
			if backward {
				pass = "forward+backward"
			}
			for _, impl := range []string{"gorgonia", "nnop", "nn"} {
				b.Run(fmt.Sprintf("size=%d/%s/%s", size, pass, impl), func(b *testing.B) {
					var layer interface{ run() error }
					switch impl {
					case "gorgonia":
						layer = newGraphLayer(b, false, backward, false, benchChannels, size)
					case "nnop":
						layer = newGraphLayer(b, true, backward, false, benchChannels, size)
					default:
						layer = newNNLayer(backward, benchChannels, size)
					}

					// One run before timing grows the buffers.
					if err := layer.run(); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if err := layer.run(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// TestBenchLayersAgree checks, on a small image, that the three layers of
// BenchmarkConv3x3 compute the same output and gradients.
func TestBenchLayersAgree(t *testing.T) {
	const c, size = 4, 9
	bare := newNNLayer(true, c, size)
	if err := bare.run(); err != nil {
		t.Fatal(err)
	}
	for _, ours := range []bool{false, true} {
		layer := newGraphLayer(t, ours, true, true, c, size)
		if err := layer.run(); err != nil {
			t.Fatalf("TapeMachine run (ours %t): %v", ours, err)
		}
		for i, check := range []struct {
			name string
			got  gorgonia.Value
			want []float32
		}{
			{"y", layer.yValue, bare.y.Data},
			{"∂L/∂x", layer.grads[0].Value(), bare.dx.Data},
			{"∂L/∂w", layer.grads[1].Value(), bare.layer.WeightGrad},
			{"∂L/∂b", layer.grads[2].Value(), bare.layer.BiasGrad},
		} {
			tol := forwardTol
			if i > 0 {
				tol = gradTol
			}
			if err := relErr(valueOf(t, check.got), check.want); err > tol {
				t.Errorf("ours %t: %s differs from nn.Conv2D's by %.3g relative, expected at most %.0g", ours, check.name, err, tol)
			}
		}
	}
}
