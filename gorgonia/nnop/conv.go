package nnop

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/skyinv/skyinv/nn"
)

// Conv2D returns a node that computes the 2-D convolution of x with the
// kernel w plus the bias b, with stride 1 and 'same' zero padding:
//
//	y[n, o, i, j] = b[o] + Σ_{c, u, v} w[o, c, u, v] · x[n, c, i+u-kh/2, j+v-kw/2]
//
// with x taken as zero outside the image. x is N×C×H×W, w is
// Cout×C×kh×kw with odd kh and kw, b has Cout elements, and y is
// N×Cout×H×W. All three must be float32 nodes of one graph. The result is
// gorgonia.Conv2d(x, w, tensor.Shape{kh, kw}, []int{kh/2, kw/2},
// []int{1, 1}, nil) with the bias added per output channel.
//
// Conv2D returns an error if a node has the wrong number of dimensions or
// type, the channel counts of x and w differ, a kernel size is even, or b
// does not have Cout elements.
func Conv2D(x, w, b *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil || w == nil || b == nil {
		return nil, fmt.Errorf("nnop: Conv2D input, kernel or bias node is nil: got %v, %v, %v", x, w, b)
	}
	for _, arg := range []struct {
		name string
		node *gorgonia.Node
		dims int
	}{{"input", x, 4}, {"kernel", w, 4}, {"bias", b, 1}} {
		if arg.node.Dims() != arg.dims {
			return nil, fmt.Errorf("nnop: Conv2D %s %v has shape %v, expected %d dimensions", arg.name, arg.node, arg.node.Shape(), arg.dims)
		}
		if arg.node.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("nnop: Conv2D %s %v has element type %v, expected float32", arg.name, arg.node, arg.node.Dtype())
		}
	}

	xs, ws := x.Shape(), w.Shape()
	cout, cin, kh, kw := ws[0], ws[1], ws[2], ws[3]
	if xs[1] != cin {
		return nil, fmt.Errorf("nnop: Conv2D input %v has %d channels but kernel %v of shape %v expects %d", x, xs[1], w, ws, cin)
	}
	if cout <= 0 || cin <= 0 || kh <= 0 || kw <= 0 || kh%2 == 0 || kw%2 == 0 {
		return nil, fmt.Errorf("nnop: Conv2D kernel %v has shape %v, expected positive channel counts and odd kernel sizes for 'same' padding", w, ws)
	}
	if b.Shape()[0] != cout {
		return nil, fmt.Errorf("nnop: Conv2D bias %v has %d elements, expected %d, one per output channel", b, b.Shape()[0], cout)
	}

	op := &convOp{
		shape: kernelShape{cin: cin, cout: cout, kh: kh, kw: kw},
		layer: nn.NewConv2D(cin, cout, kh, kw),
	}
	y, err := gorgonia.ApplyOp(op, x, w, b)
	if err != nil {
		return nil, fmt.Errorf("nnop: Conv2D failed to add the convolution of %v to the graph: %w", x, err)
	}
	return y, nil
}

// kernelShape is the shape of a convolution kernel, Cout×Cin×kh×kw.
type kernelShape struct {
	cin, cout, kh, kw int
}

func (k kernelShape) String() string {
	return fmt.Sprintf("%d×%d, %d→%d channels", k.kh, k.kw, k.cin, k.cout)
}

// checkKernel returns an error naming op unless shape is k.
func (k kernelShape) checkKernel(op fmt.Stringer, shape tensor.Shape) error {
	if !hasShape(shape, k.cout, k.cin, k.kh, k.kw) {
		return fmt.Errorf("nnop: %s kernel has shape %v, expected (%d, %d, %d, %d)", op, shape, k.cout, k.cin, k.kh, k.kw)
	}
	return nil
}

// convOp is the forward convolution. Its layer computes the output from
// the kernel and bias that each run copies in from the op's inputs.
type convOp struct {
	shape kernelShape
	layer *nn.Conv2D

	in, outGrad nn.Tensor // headers over the caller's values
	out         buffer    // output, reused from run to run
	inGrad      buffer    // input gradient of DoDiff
}

var (
	_ gorgonia.SDOp = (*convOp)(nil)
	_ gorgonia.ADOp = (*convOp)(nil)
)

// Arity returns 3: the input, the kernel and the bias.
func (op *convOp) Arity() int { return 3 }

// Type returns the type float32 tensor-4 → tensor-4 → vector → tensor-4.
func (op *convOp) Type() hm.Type {
	t4 := gorgonia.TensorType{Dims: 4, Of: tensor.Float32}
	t1 := gorgonia.TensorType{Dims: 1, Of: tensor.Float32}
	return hm.NewFnType(t4, t4, t1, t4)
}

// InferShape returns N×Cout×H×W for an N×C×H×W input.
func (op *convOp) InferShape(inputs ...gorgonia.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("nnop: %v needs 3 input shapes, got %d", op, len(inputs))
	}
	dims, err := dimSizes(inputs[0], 4)
	if err != nil {
		return nil, fmt.Errorf("nnop: %v input: %w", op, err)
	}
	return tensor.Shape{dims[0], op.shape.cout, dims[2], dims[3]}, nil
}

// Do computes the convolution of the input values x, w and b. The result
// is a tensor that the op owns and overwrites at its next run.
func (op *convOp) Do(values ...gorgonia.Value) (gorgonia.Value, error) {
	if err := op.load(values); err != nil {
		return nil, err
	}
	out := op.out.resize(op.in.N, op.shape.cout, op.in.H, op.in.W)
	op.layer.Forward(out, &op.in)
	return op.out.dense, nil
}

// load checks the values of x, w and b, points op.in at x and copies w and
// b into the layer.
func (op *convOp) load(values []gorgonia.Value) error {
	if len(values) != 3 {
		return fmt.Errorf("nnop: %v needs 3 values, got %d", op, len(values))
	}
	x, xs, err := float32Data(values[0])
	if err != nil {
		return fmt.Errorf("nnop: %v input: %w", op, err)
	}
	w, ws, err := float32Data(values[1])
	if err != nil {
		return fmt.Errorf("nnop: %v kernel: %w", op, err)
	}
	b, bs, err := float32Data(values[2])
	if err != nil {
		return fmt.Errorf("nnop: %v bias: %w", op, err)
	}
	if len(xs) != 4 || xs[1] != op.shape.cin {
		return fmt.Errorf("nnop: %v input has shape %v, expected (N, %d, H, W)", op, xs, op.shape.cin)
	}
	if err := op.shape.checkKernel(op, ws); err != nil {
		return err
	}
	if !hasShape(bs, op.shape.cout) {
		return fmt.Errorf("nnop: %v bias has shape %v, expected (%d)", op, bs, op.shape.cout)
	}

	op.in = nn.Tensor{N: xs[0], C: xs[1], H: xs[2], W: xs[3], Data: x}
	copy(op.layer.Weight, w)
	copy(op.layer.Bias, b)
	return nil
}

// ReturnsPtr returns false, so that gorgonia gives the op's result a
// register of its own.
func (op *convOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op makes no BLAS or CUDA calls through
// gorgonia, so a TapeMachine need not preallocate its result or flush
// batched calls before it.
func (op *convOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op never writes to its inputs.
func (op *convOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and kernel shape to h.
func (op *convOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }

// Hashcode returns the FNV-1a hash of the op's name and kernel shape.
func (op *convOp) Hashcode() uint32 { return hashOp(op) }

func (op *convOp) String() string { return "nnop.Conv2D(" + op.shape.String() + ")" }

// DiffWRT returns true for each of the three inputs.
func (op *convOp) DiffWRT(inputs int) []bool {
	diff := make([]bool, inputs)
	for i := range diff {
		diff[i] = true
	}
	return diff
}

// SymDiff returns the nodes of the gradients with respect to x, w and b
// for the output gradient grad. The gradient with respect to x is itself a
// convolution, of grad with the kernel flipped in both axes and the channel
// axes swapped. The one with respect to w comes from nn.Conv2D.Backward, and
// the one with respect to b sums grad over the batch and the image.
func (op *convOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("nnop: %v needs 3 inputs, got %d", op, len(inputs))
	}
	x, w := inputs[0], inputs[1]
	dx, err := gorgonia.ApplyOp(newInputGradOp(op.shape), w, grad)
	if err != nil {
		return nil, fmt.Errorf("nnop: %v failed to add its input gradient to the graph: %w", op, err)
	}
	dw, err := gorgonia.ApplyOp(newKernelGradOp(op.shape), x, grad)
	if err != nil {
		return nil, fmt.Errorf("nnop: %v failed to add its kernel gradient to the graph: %w", op, err)
	}
	db, err := gorgonia.ApplyOp(&biasGradOp{gradOp: gradOp{op.shape}}, grad)
	if err != nil {
		return nil, fmt.Errorf("nnop: %v failed to add its bias gradient to the graph: %w", op, err)
	}
	return gorgonia.Nodes{dx, dw, db}, nil
}

// DoDiff adds the gradients with respect to x, w and b to the derivatives
// of the input nodes, for gorgonia's LispMachine. One call of
// nn.Conv2D.Backward computes all three.
func (op *convOp) DoDiff(_ gorgonia.ExecutionContext, inputs gorgonia.Nodes, output *gorgonia.Node) error {
	if len(inputs) != 3 {
		return fmt.Errorf("nnop: %v needs 3 inputs, got %d", op, len(inputs))
	}
	values := []gorgonia.Value{inputs[0].Value(), inputs[1].Value(), inputs[2].Value()}
	if err := op.load(values); err != nil {
		return err
	}
	outGradValue, err := output.Grad()
	if err != nil {
		return fmt.Errorf("nnop: %v has no output gradient: %w", op, err)
	}
	g, gs, err := float32Data(outGradValue)
	if err != nil {
		return fmt.Errorf("nnop: %v output gradient: %w", op, err)
	}
	if !hasShape(gs, op.in.N, op.shape.cout, op.in.H, op.in.W) {
		return fmt.Errorf("nnop: %v output gradient has shape %v, expected (%d, %d, %d, %d)", op, gs, op.in.N, op.shape.cout, op.in.H, op.in.W)
	}

	// Collect the derivatives before computing, so that a missing one
	// leaves them all unchanged.
	var derivs [3][]float32
	sizes := [3]int{len(op.in.Data), len(op.layer.Weight), len(op.layer.Bias)}
	for i, in := range inputs {
		d, err := in.Grad()
		if err != nil {
			return fmt.Errorf("nnop: %v input %d has no derivative: %w", op, i, err)
		}
		if derivs[i], err = writableFloat32Data(d, sizes[i]); err != nil {
			return fmt.Errorf("nnop: %v derivative of input %d: %w", op, i, err)
		}
	}

	op.outGrad = nn.Tensor{N: op.in.N, C: op.shape.cout, H: op.in.H, W: op.in.W, Data: g}
	inGrad := op.inGrad.resize(op.in.N, op.in.C, op.in.H, op.in.W)
	op.layer.ZeroGrad()
	op.layer.Backward(inGrad, &op.outGrad, &op.in)
	addTo(derivs[0], inGrad.Data)
	addTo(derivs[1], op.layer.WeightGrad)
	addTo(derivs[2], op.layer.BiasGrad)
	return nil
}

func addTo(dst, src []float32) {
	for i, v := range src {
		dst[i] += v
	}
}

// hashOp returns the FNV-1a hash of what op writes with WriteHash.
func hashOp(op gorgonia.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
