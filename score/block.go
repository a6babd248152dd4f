package score

import (
	"math/rand/v2"

	"github.com/skyinv/skyinv/nn"
)

// block is a 3×3 convolution, an optional group normalisation and an
// activation. It keeps its input, its intermediate tensors and its output
// from the last forward call for backward.
type block struct {
	conv *nn.Conv2D
	norm *nn.GroupNorm // nil without normalisation
	act  *nn.Activation

	in      *nn.Tensor // the caller's tensor, not owned
	convOut *nn.Tensor
	normOut *nn.Tensor // nil without normalisation
	out     *nn.Tensor
	outGrad *nn.Tensor // filled by the caller before backward
}

func newBlock(cfg UNetConfig, inChannels, outChannels int, rng *rand.Rand) *block {
	b := &block{
		conv: nn.NewConv2D(inChannels, outChannels, 3, 3),
		act:  nn.NewActivation(cfg.Activation, cfg.LeakySlope),
	}
	b.conv.InitUniform(rng)
	if cfg.GroupNorm {
		b.norm = nn.NewGroupNorm(groupCount(outChannels), outChannels)
	}
	return b
}

// groupCount returns the fewest groups g that divide channels with at most
// 8 channels in each.
func groupCount(channels int) int {
	for g := 1; ; g++ {
		if channels%g == 0 && channels/g <= 8 {
			return g
		}
	}
}

// forward applies the block to in, which must stay unchanged until
// backward, and returns its output.
func (b *block) forward(in *nn.Tensor) *nn.Tensor {
	n, c, h, w := in.N, b.conv.OutChannels, in.H, in.W
	b.in = in
	ensure(&b.convOut, n, c, h, w)
	ensure(&b.out, n, c, h, w)
	ensure(&b.outGrad, n, c, h, w)

	b.conv.Forward(b.convOut, in)
	pre := b.convOut
	if b.norm != nil {
		ensure(&b.normOut, n, c, h, w)
		b.norm.Forward(b.normOut, b.convOut)
		pre = b.normOut
	}
	b.act.Forward(b.out, pre)
	return b.out
}

// backward adds the parameter gradients for the loss gradient in
// b.outGrad, which it overwrites, and stores the gradient with respect to
// the input in inGrad unless inGrad is nil.
func (b *block) backward(inGrad *nn.Tensor) {
	g := b.outGrad
	if b.norm != nil {
		b.act.Backward(g, g, b.normOut)
		b.norm.Backward(g, g, b.convOut)
	} else {
		b.act.Backward(g, g, b.convOut)
	}
	b.conv.Backward(inGrad, g, b.in)
}

func (b *block) zeroGrad() {
	b.conv.ZeroGrad()
	if b.norm != nil {
		b.norm.ZeroGrad()
	}
}

// ensure makes *t a tensor of shape n×c×h×w, reusing it when it already
// has that shape.
func ensure(t **nn.Tensor, n, c, h, w int) {
	if x := *t; x != nil && x.N == n && x.C == c && x.H == h && x.W == w {
		return
	}
	*t = nn.NewTensor(n, c, h, w)
}
