package nnop

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/skyinv/skyinv/nn"
)

// The three gradient ops below are what convOp.SymDiff adds to a graph.
// They have no derivatives of their own, so gorgonia.Grad cannot take a
// second derivative through Conv2D.

// gradOp holds the methods that the gradient ops share.
type gradOp struct {
	shape kernelShape
}

func (gradOp) ReturnsPtr() bool     { return false }
func (gradOp) CallsExtern() bool    { return false }
func (gradOp) OverwritesInput() int { return -1 }

// inputGradOp computes ∂L/∂x from the kernel w and the output gradient g
// (N×Cout×H×W). This is the 'same' convolution of g with the kernel
// flipped in both axes and its channel axes swapped, so a Cout→Cin layer
// with the flipped kernel and a zero bias computes it with Forward, as
// nn.Conv2D.Backward does inside. Calling Backward here would compute the
// kernel gradient a second time.
type inputGradOp struct {
	gradOp
	layer *nn.Conv2D
	g     nn.Tensor
	out   buffer
}

func newInputGradOp(k kernelShape) *inputGradOp {
	return &inputGradOp{gradOp: gradOp{k}, layer: nn.NewConv2D(k.cout, k.cin, k.kh, k.kw)}
}

func (op *inputGradOp) Arity() int { return 2 }

func (op *inputGradOp) Type() hm.Type {
	t4 := gorgonia.TensorType{Dims: 4, Of: tensor.Float32}
	return hm.NewFnType(t4, t4, t4)
}

func (op *inputGradOp) InferShape(inputs ...gorgonia.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("nnop: %v needs 2 input shapes, got %d", op, len(inputs))
	}
	g, err := dimSizes(inputs[1], 4)
	if err != nil {
		return nil, fmt.Errorf("nnop: %v output gradient: %w", op, err)
	}
	return tensor.Shape{g[0], op.shape.cin, g[2], g[3]}, nil
}

// Do computes ∂L/∂x from the values of w and the output gradient.
func (op *inputGradOp) Do(values ...gorgonia.Value) (gorgonia.Value, error) {
	if len(values) != 2 {
		return nil, fmt.Errorf("nnop: %v needs 2 values, got %d", op, len(values))
	}
	w, ws, err := float32Data(values[0])
	if err != nil {
		return nil, fmt.Errorf("nnop: %v kernel: %w", op, err)
	}
	if err := op.shape.checkKernel(op, ws); err != nil {
		return nil, err
	}
	if err := loadGrad(&op.g, values[1], op.shape.cout); err != nil {
		return nil, fmt.Errorf("nnop: %v: %w", op, err)
	}

	// Flip the kernel and swap its channel axes:
	// layer.Weight[c, o, kh-1-u, kw-1-v] = w[o, c, u, v].
	k := op.shape
	taps := k.kh * k.kw
	for o := range k.cout {
		for c := range k.cin {
			src := w[(o*k.cin+c)*taps:][:taps]
			dst := op.layer.Weight[(c*k.cout+o)*taps:][:taps]
			for t, v := range src {
				dst[taps-1-t] = v
			}
		}
	}

	out := op.out.resize(op.g.N, k.cin, op.g.H, op.g.W)
	op.layer.Forward(out, &op.g)
	return op.out.dense, nil
}

func (op *inputGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *inputGradOp) Hashcode() uint32      { return hashOp(op) }
func (op *inputGradOp) String() string {
	return "nnop.Conv2DInputGrad(" + op.shape.String() + ")"
}

// kernelGradOp computes ∂L/∂w from the input x and the output gradient g
// with nn.Conv2D.Backward. Its result is the layer's WeightGrad.
type kernelGradOp struct {
	gradOp
	layer *nn.Conv2D
	x, g  nn.Tensor
	out   *tensor.Dense
}

func newKernelGradOp(k kernelShape) *kernelGradOp {
	return &kernelGradOp{gradOp: gradOp{k}, layer: nn.NewConv2D(k.cin, k.cout, k.kh, k.kw)}
}

func (op *kernelGradOp) Arity() int { return 2 }

func (op *kernelGradOp) Type() hm.Type {
	t4 := gorgonia.TensorType{Dims: 4, Of: tensor.Float32}
	return hm.NewFnType(t4, t4, t4)
}

func (op *kernelGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	k := op.shape
	return tensor.Shape{k.cout, k.cin, k.kh, k.kw}, nil
}

// Do computes ∂L/∂w from the values of x and the output gradient.
func (op *kernelGradOp) Do(values ...gorgonia.Value) (gorgonia.Value, error) {
	if len(values) != 2 {
		return nil, fmt.Errorf("nnop: %v needs 2 values, got %d", op, len(values))
	}
	x, xs, err := float32Data(values[0])
	if err != nil {
		return nil, fmt.Errorf("nnop: %v input: %w", op, err)
	}
	if len(xs) != 4 || xs[1] != op.shape.cin {
		return nil, fmt.Errorf("nnop: %v input has shape %v, expected (N, %d, H, W)", op, xs, op.shape.cin)
	}
	op.x = nn.Tensor{N: xs[0], C: xs[1], H: xs[2], W: xs[3], Data: x}
	if err := loadGrad(&op.g, values[1], op.shape.cout); err != nil {
		return nil, fmt.Errorf("nnop: %v: %w", op, err)
	}
	if op.g.N != op.x.N || op.g.H != op.x.H || op.g.W != op.x.W {
		return nil, fmt.Errorf("nnop: %v input is %v but output gradient is %v, expected equal batch and image sizes", op, xs, op.g.String())
	}

	// With a nil input gradient, Backward computes only the kernel and bias
	// gradients, and adds them to WeightGrad and BiasGrad.
	op.layer.ZeroGrad()
	op.layer.Backward(nil, &op.g, &op.x)
	k := op.shape
	op.out = denseOver(op.out, op.layer.WeightGrad, k.cout, k.cin, k.kh, k.kw)
	return op.out, nil
}

func (op *kernelGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *kernelGradOp) Hashcode() uint32      { return hashOp(op) }
func (op *kernelGradOp) String() string {
	return "nnop.Conv2DKernelGrad(" + op.shape.String() + ")"
}

// biasGradOp computes ∂L/∂b, the sum of the output gradient over the
// batch and the image, per output channel. Each plane is summed in
// float64.
//
// NOTE: the sum runs on one goroutine. It took 5% of the time of a
// forward+backward pass at 360×360 in a CPU profile of BenchmarkConv3x3.
type biasGradOp struct {
	gradOp
	g   nn.Tensor
	sum []float32
	out *tensor.Dense
}

func (op *biasGradOp) Arity() int { return 1 }

func (op *biasGradOp) Type() hm.Type {
	return hm.NewFnType(gorgonia.TensorType{Dims: 4, Of: tensor.Float32}, gorgonia.TensorType{Dims: 1, Of: tensor.Float32})
}

func (op *biasGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.shape.cout}, nil
}

// Do computes ∂L/∂b from the value of the output gradient.
func (op *biasGradOp) Do(values ...gorgonia.Value) (gorgonia.Value, error) {
	if len(values) != 1 {
		return nil, fmt.Errorf("nnop: %v needs 1 value, got %d", op, len(values))
	}
	if err := loadGrad(&op.g, values[0], op.shape.cout); err != nil {
		return nil, fmt.Errorf("nnop: %v: %w", op, err)
	}
	if op.sum == nil {
		op.sum = make([]float32, op.shape.cout)
	}
	for o := range op.shape.cout {
		var s float64
		for n := range op.g.N {
			for _, v := range op.g.Plane(n, o) {
				s += float64(v)
			}
		}
		op.sum[o] = float32(s)
	}
	op.out = denseOver(op.out, op.sum, op.shape.cout)
	return op.out, nil
}

func (op *biasGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *biasGradOp) Hashcode() uint32      { return hashOp(op) }
func (op *biasGradOp) String() string {
	return "nnop.Conv2DBiasGrad(" + op.shape.String() + ")"
}

// loadGrad points g at the output gradient v, which must be N×cout×H×W.
func loadGrad(g *nn.Tensor, v gorgonia.Value, cout int) error {
	data, shape, err := float32Data(v)
	if err != nil {
		return fmt.Errorf("output gradient: %w", err)
	}
	if len(shape) != 4 || shape[1] != cout {
		return fmt.Errorf("output gradient has shape %v, expected (N, %d, H, W)", shape, cout)
	}
	*g = nn.Tensor{N: shape[0], C: shape[1], H: shape[2], W: shape[3], Data: data}
	return nil
}
