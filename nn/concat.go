package nn

import "fmt"

// ConcatChannels stores in out, for each image, the channels of a followed
// by those of b, and returns out. This is torch.cat((a, b), dim=1). If out
// is nil, ConcatChannels allocates it. It panics unless a and b have the
// same batch size and image size and out has a.C + b.C channels.
func ConcatChannels(out, a, b *Tensor) *Tensor {
	checkData("ConcatChannels", "first input", a)
	checkData("ConcatChannels", "second input", b)
	if a.N != b.N || a.H != b.H || a.W != b.W {
		panic(fmt.Sprintf("nn: ConcatChannels inputs of shapes %d×%d×%d×%d and %d×%d×%d×%d differ in batch or image size",
			a.N, a.C, a.H, a.W, b.N, b.C, b.H, b.W))
	}
	if out == nil {
		out = NewTensor(a.N, a.C+b.C, a.H, a.W)
	}
	checkShape("ConcatChannels", "output", out, a.N, a.C+b.C, a.H, a.W)
	checkDisjoint("ConcatChannels", "output", out, "first input", a)
	checkDisjoint("ConcatChannels", "output", out, "second input", b)
	sa, sb := a.C*a.H*a.W, b.C*b.H*b.W
	for n := range a.N {
		copy(out.Data[n*(sa+sb):], a.Data[n*sa:(n+1)*sa])
		copy(out.Data[n*(sa+sb)+sa:], b.Data[n*sb:(n+1)*sb])
	}
	return out
}

// SplitChannels is the backward pass of ConcatChannels: it copies, for
// each image, the first aGrad.C channels of grad into aGrad and the rest
// into bGrad. Either destination may be nil, and its channels are then
// skipped. It panics unless the shapes match as in ConcatChannels.
func SplitChannels(aGrad, bGrad, grad *Tensor) {
	checkData("SplitChannels", "gradient", grad)
	ca, cb := 0, 0
	if aGrad != nil {
		ca = aGrad.C
	}
	if bGrad != nil {
		cb = bGrad.C
	}
	switch {
	case aGrad == nil && bGrad == nil:
		return
	case aGrad == nil:
		ca = grad.C - cb
	case bGrad == nil:
		cb = grad.C - ca
	}
	if ca < 0 || cb < 0 || ca+cb != grad.C {
		panic(fmt.Sprintf("nn: SplitChannels cannot split %d channels into %d and %d", grad.C, ca, cb))
	}
	hw := grad.H * grad.W
	if aGrad != nil {
		checkShape("SplitChannels", "first gradient", aGrad, grad.N, ca, grad.H, grad.W)
		checkDisjoint("SplitChannels", "first gradient", aGrad, "gradient", grad)
		for n := range grad.N {
			copy(aGrad.Data[n*ca*hw:(n+1)*ca*hw], grad.Data[n*(ca+cb)*hw:])
		}
	}
	if bGrad != nil {
		checkShape("SplitChannels", "second gradient", bGrad, grad.N, cb, grad.H, grad.W)
		checkDisjoint("SplitChannels", "second gradient", bGrad, "gradient", grad)
		for n := range grad.N {
			copy(bGrad.Data[n*cb*hw:(n+1)*cb*hw], grad.Data[(n*(ca+cb)+ca)*hw:])
		}
	}
}
