package score

import (
	"errors"
	"fmt"
	"math"

	"github.com/skyinv/skyinv/nn"
)

// SizeError reports an image size that a UNet cannot take because its
// height or width is not a positive multiple of 2^Depth.
type SizeError struct {
	H, W     int // the rejected size
	Multiple int // 2^Depth
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("score: invalid image size %d×%d: height and width must be positive multiples of %d, so the nearest valid heights are %s and widths %s",
		e.H, e.W, e.Multiple, nearestText(e.H, e.Multiple), nearestText(e.W, e.Multiple))
}

// Nearest returns the valid sizes closest to n below and above it: the
// multiples of Multiple around n. below is 0 when no positive multiple is
// smaller than or equal to n, and below == above when n is valid.
func (e *SizeError) Nearest(n int) (below, above int) {
	return nearest(n, e.Multiple)
}

func nearest(n, m int) (below, above int) {
	if n <= 0 {
		return 0, m
	}
	below = n / m * m
	if below == n {
		return n, n
	}
	return below, below + m
}

func nearestText(n, m int) string {
	below, above := nearest(n, m)
	switch {
	case below == above:
		return fmt.Sprint(n)
	case below == 0:
		return fmt.Sprint(above)
	}
	return fmt.Sprintf("%d or %d", below, above)
}

// ErrNonFinite is wrapped by the error that Forward returns for a NaN or
// infinite input element or noise level.
var ErrNonFinite = errors.New("score: non-finite value")

// Check returns a *SizeError, which names the nearest valid sizes, unless
// h and w are positive multiples of 2^Depth.
func (u *UNet) Check(h, w int) error {
	m := u.Multiple()
	if h <= 0 || w <= 0 || h%m != 0 || w%m != 0 {
		return &SizeError{H: h, W: w, Multiple: m}
	}
	return nil
}

// Forward computes the network's output for the images in and the noise
// levels sigma, one per image, into out, and keeps the activations for
// Backward.
//
// Forward returns an error, and leaves out unchanged, if Check rejects the
// image size, or if an element of in or sigma is NaN or infinite (an
// error that wraps ErrNonFinite and names the first such element). It
// panics if in does not have InChannels channels, if len(sigma) is not
// in.N, or if out is not N×OutChannels×H×W.
func (u *UNet) Forward(out, in *nn.Tensor, sigma []float32) error {
	cfg := u.cfg
	if in.C != cfg.InChannels {
		panic(fmt.Sprintf("score: input has %d channels, the network takes %d", in.C, cfg.InChannels))
	}
	if len(sigma) != in.N {
		panic(fmt.Sprintf("score: %d noise levels for a batch of %d images", len(sigma), in.N))
	}
	if out.N != in.N || out.C != cfg.OutChannels || out.H != in.H || out.W != in.W {
		panic(fmt.Sprintf("score: output is %d×%d×%d×%d, want %d×%d×%d×%d",
			out.N, out.C, out.H, out.W, in.N, cfg.OutChannels, in.H, in.W))
	}
	if err := u.Check(in.H, in.W); err != nil {
		return err
	}
	if err := checkFinite(in, sigma); err != nil {
		return err
	}
	u.forwardDone = false

	// Input with the noise level as one more channel.
	n, h, w := in.N, in.H, in.W
	ensure(&u.input, n, cfg.InChannels+1, h, w)
	for i := range n {
		for c := range cfg.InChannels {
			copy(u.input.Plane(i, c), in.Plane(i, c))
		}
		plane := u.input.Plane(i, cfg.InChannels)
		for j := range plane {
			plane[j] = sigma[i]
		}
	}

	// Encoder: two blocks, then pooling, at each level.
	x := u.input
	for l, pair := range u.enc {
		x = pair[0].forward(x)
		x = pair[1].forward(x)
		ensure(&u.pooled[l], n, x.C, x.H/2, x.W/2)
		ensure(&u.pooledGrad[l], n, x.C, x.H/2, x.W/2)
		x = u.pools[l].Forward(u.pooled[l], x)
	}

	// Bottleneck.
	x = u.mid[0].forward(x)
	x = u.mid[1].forward(x)

	// Decoder: upsampling, concatenation with the skip, two blocks.
	for l := len(u.dec) - 1; l >= 0; l-- {
		skip := u.enc[l][1].out
		ensure(&u.up[l], n, x.C, skip.H, skip.W)
		ensure(&u.upGrad[l], n, x.C, skip.H, skip.W)
		ensure(&u.cat[l], n, skip.C+x.C, skip.H, skip.W)
		ensure(&u.catGrad[l], n, skip.C+x.C, skip.H, skip.W)
		ensure(&u.skipGrad[l], n, skip.C, skip.H, skip.W)
		u.ups[l].Forward(u.up[l], x)
		nn.ConcatChannels(u.cat[l], skip, u.up[l])
		x = u.dec[l][0].forward(u.cat[l])
		x = u.dec[l][1].forward(x)
	}

	u.final.Forward(out, x)
	u.forwardDone = true
	return nil
}

// checkFinite returns an error wrapping ErrNonFinite for the first NaN or
// infinite value of sigma or in.
func checkFinite(in *nn.Tensor, sigma []float32) error {
	for i, s := range sigma {
		if isNonFinite(s) {
			return fmt.Errorf("%w: noise level %d is %v", ErrNonFinite, i, s)
		}
	}
	for i, v := range in.Data[:in.Len()] {
		if isNonFinite(v) {
			x := i % in.W
			y := i / in.W % in.H
			c := i / (in.W * in.H) % in.C
			n := i / (in.W * in.H * in.C)
			return fmt.Errorf("%w: input element (n, c, y, x) = (%d, %d, %d, %d) is %v", ErrNonFinite, n, c, y, x, v)
		}
	}
	return nil
}

func isNonFinite(v float32) bool {
	return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0)
}

// Backward adds the gradients of a loss L with respect to the parameters
// to their gradient slices (see Parameters) and, unless inGrad is nil,
// stores ∂L/∂in in inGrad. outGrad is ∂L/∂out for the out of the last
// successful Forward, and Backward uses the activations that Forward
// kept. A Forward that returns an error leaves those activations as they
// were. The gradient with respect to the noise levels is not computed.
//
// It panics if no Forward has succeeded, or if outGrad or inGrad does not
// have the shape of the last successful Forward's out or in.
func (u *UNet) Backward(inGrad, outGrad *nn.Tensor) {
	if !u.forwardDone {
		panic("score: Backward called without a successful Forward")
	}
	cfg := u.cfg
	n, h, w := u.input.N, u.input.H, u.input.W
	if outGrad.N != n || outGrad.C != cfg.OutChannels || outGrad.H != h || outGrad.W != w {
		panic(fmt.Sprintf("score: output gradient is %d×%d×%d×%d, want %d×%d×%d×%d",
			outGrad.N, outGrad.C, outGrad.H, outGrad.W, n, cfg.OutChannels, h, w))
	}
	if inGrad != nil && (inGrad.N != n || inGrad.C != cfg.InChannels || inGrad.H != h || inGrad.W != w) {
		panic(fmt.Sprintf("score: input gradient is %d×%d×%d×%d, want %d×%d×%d×%d",
			inGrad.N, inGrad.C, inGrad.H, inGrad.W, n, cfg.InChannels, h, w))
	}

	// Final 1×1 convolution.
	last := u.dec[0][1]
	u.final.Backward(last.outGrad, outGrad, last.out)

	// Decoder, from the top level down to the bottleneck.
	for l := range u.dec {
		u.dec[l][1].backward(u.dec[l][0].outGrad)
		u.dec[l][0].backward(u.catGrad[l])
		nn.SplitChannels(u.skipGrad[l], u.upGrad[l], u.catGrad[l])
		below := u.mid[1]
		if l+1 < len(u.dec) {
			below = u.dec[l+1][1]
		}
		u.ups[l].Backward(below.outGrad, u.upGrad[l])
	}

	// Bottleneck.
	depth := len(u.enc)
	u.mid[1].backward(u.mid[0].outGrad)
	u.mid[0].backward(u.pooledGrad[depth-1])

	// Encoder, back to the input. The output of each level feeds both the
	// pooling and the skip connection, so its gradient is the sum of both.
	for l := depth - 1; l >= 0; l-- {
		top := u.enc[l][1]
		u.pools[l].Backward(top.outGrad, u.pooledGrad[l])
		for i, g := range u.skipGrad[l].Data {
			top.outGrad.Data[i] += g
		}
		top.backward(u.enc[l][0].outGrad)
		var below *nn.Tensor
		switch {
		case l > 0:
			below = u.pooledGrad[l-1]
		case inGrad != nil:
			ensure(&u.inputGrad, n, cfg.InChannels+1, h, w)
			below = u.inputGrad
		}
		u.enc[l][0].backward(below)
	}

	// Drop the gradient of the noise-level channel.
	if inGrad != nil {
		for i := range n {
			for c := range cfg.InChannels {
				copy(inGrad.Plane(i, c), u.inputGrad.Plane(i, c))
			}
		}
	}
}
