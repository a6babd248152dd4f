package nn

import (
	"fmt"
	"math"
	"runtime"

	"github.com/skyinv/skyinv/internal/parallel"
)

// ActivationKind selects the function of an Activation.
type ActivationKind int

const (
	// ReLU is max(x, 0). Its derivative is taken as 0 at x = 0, as in
	// PyTorch.
	ReLU ActivationKind = iota
	// LeakyReLU is x for x > 0 and Slope·x otherwise.
	LeakyReLU
	// SiLU, also called swish, is x·σ(x) = x / (1 + e^-x).
	SiLU
)

func (k ActivationKind) String() string {
	switch k {
	case ReLU:
		return "ReLU"
	case LeakyReLU:
		return "LeakyReLU"
	case SiLU:
		return "SiLU"
	}
	return fmt.Sprintf("ActivationKind(%d)", int(k))
}

// Activation applies a function to every element of a tensor. The output
// may be the input itself, and in Backward the input gradient may be the
// output gradient or the input. An Activation must not be used by two
// goroutines at once, and it allocates nothing after construction.
type Activation struct {
	Kind ActivationKind

	// Slope is the factor of LeakyReLU for negative inputs.
	Slope float32

	// Workers is the number of goroutines. Zero means runtime.GOMAXPROCS(0).
	Workers int

	group parallel.Group
	task  activationTask
}

// NewActivation returns an activation of the given kind. slope is used
// only by LeakyReLU. PyTorch's default slope is 0.01.
func NewActivation(kind ActivationKind, slope float32) *Activation {
	if kind != ReLU && kind != LeakyReLU && kind != SiLU {
		panic(fmt.Sprintf("nn: unknown activation kind %d", int(kind)))
	}
	return &Activation{Kind: kind, Slope: slope}
}

// Forward stores f(in) in out and returns out. If out is nil, Forward
// allocates it. It panics if out's shape differs from in's.
func (a *Activation) Forward(out, in *Tensor) *Tensor {
	checkData(a.Kind.String(), "input", in)
	if out == nil {
		out = NewTensor(in.N, in.C, in.H, in.W)
	}
	checkShape(a.Kind.String(), "output", out, in.N, in.C, in.H, in.W)
	checkSameOrDisjoint(a.Kind.String(), "output", out, "input", in)
	a.run(false, out.Data, in.Data, nil)
	return out
}

// Backward stores f'(in)·outGrad in inGrad. in is the input of the matching
// Forward call. It panics unless all three have the same shape.
func (a *Activation) Backward(inGrad, outGrad, in *Tensor) {
	checkData(a.Kind.String(), "input", in)
	checkShape(a.Kind.String(), "output gradient", outGrad, in.N, in.C, in.H, in.W)
	checkShape(a.Kind.String(), "input gradient", inGrad, in.N, in.C, in.H, in.W)
	checkSameOrDisjoint(a.Kind.String(), "input gradient", inGrad, "output gradient", outGrad)
	checkSameOrDisjoint(a.Kind.String(), "input gradient", inGrad, "input", in)
	a.run(true, inGrad.Data, in.Data, outGrad.Data)
}

// siluBlocks and siluGradBlocks compute SiLU's forward and backward passes
// over the whole blocks of 16 elements at the start of src, where this
// processor has a vector kernel for them. They return how many elements
// they computed, len(src) rounded down to a multiple of 16 or else 0.
var (
	siluBlocks     = func(dst, src []float32) int { return 0 }
	siluGradBlocks = func(dst, src, grad []float32) int { return 0 }
)

// activationBlock is the unit in which work is split over workers. Only
// the last block of a tensor can be partial, so every element goes through
// the vector kernel or the scalar loop whatever the number of workers.
const activationBlock = 16

func (a *Activation) run(backward bool, dst, in, grad []float32) {
	workers := a.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Split only work big enough to pay for waking the workers.
	workers = min(workers, max(1, len(in)/(1<<15)))
	a.task = activationTask{kind: a.Kind, slope: a.Slope, backward: backward, dst: dst, in: in, grad: grad}
	a.group.For((len(in)+activationBlock-1)/activationBlock, workers, &a.task)
	a.task = activationTask{}
}

type activationTask struct {
	kind          ActivationKind
	slope         float32
	backward      bool
	dst, in, grad []float32
}

// Run computes blocks [lo, hi) of activationBlock elements.
func (t *activationTask) Run(lo, hi int) {
	lo *= activationBlock
	hi = min(hi*activationBlock, len(t.in))
	in := t.in[lo:hi]
	dst := t.dst[lo:hi]
	dst = dst[:len(in)]
	var grad []float32
	if t.backward {
		grad = t.grad[lo:hi]
		grad = grad[:len(in)]
	}
	switch {
	case t.kind == ReLU && !t.backward:
		for i, x := range in {
			dst[i] = max(x, 0)
		}
	case t.kind == ReLU:
		for i, x := range in {
			if x > 0 {
				dst[i] = grad[i]
			} else {
				dst[i] = 0
			}
		}
	case t.kind == LeakyReLU && !t.backward:
		for i, x := range in {
			if x <= 0 {
				x *= t.slope
			}
			dst[i] = x
		}
	case t.kind == LeakyReLU:
		for i, x := range in {
			if x > 0 {
				dst[i] = grad[i]
			} else {
				dst[i] = t.slope * grad[i]
			}
		}
	case t.kind == SiLU && !t.backward:
		for i := siluBlocks(dst, in); i < len(in); i++ {
			x := in[i]
			dst[i] = x / (1 + exp32(-x))
		}
	case t.kind == SiLU:
		// d/dx x·σ(x) = σ(x)·(1 + x·(1 - σ(x))).
		for i := siluGradBlocks(dst, in, grad); i < len(in); i++ {
			x := in[i]
			s := 1 / (1 + exp32(-x))
			dst[i] = grad[i] * s * (1 + x*(1-s))
		}
	}
}

// exp32 returns e^x in float32 with a relative error below 2e-7 for x in
// [-87.3, 88.7], 0 below that range and +Inf above it. NaN gives NaN.
//
// It reduces x to r = x - n·ln 2 with |r| ≤ ln 2 / 2, splitting ln 2 into a
// short high part and a correction as Cody and Waite do, evaluates the
// Taylor polynomial of e^r to degree 7, whose truncation error is below
// 6e-9, and scales by 2^n through the exponent bits.
func exp32(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2Hi = 0.693145751953125 // ln 2 to 16 bits, so that n·ln2Hi is exact
		ln2Lo = 1.42860682030941723212e-6
	)
	switch {
	case x != x:
		return x
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -87.33654:
		return 0
	}

	// Round x·log2(e) to the nearest integer n, halves away from zero.
	half := float32(0.5)
	if x < 0 {
		half = -0.5
	}
	n := int32(x*log2e + half)
	nf := float32(n)
	r := x - nf*ln2Hi - nf*ln2Lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))

	// 2^128 overflows float32, so near the top of the range scale by 2^127
	// and then by 2.
	if n > 127 {
		p *= 2
		n--
	}
	return p * math.Float32frombits(uint32(n+127)<<23)
}
