package nn

import (
	"fmt"
	"math"
	"runtime"

	"github.com/skyinv/skyinv/internal/parallel"
)

// GroupNorm normalises each group of Channels/Groups consecutive channels
// of each image to zero mean and unit variance over the group's channels
// and pixels, then scales and shifts each channel:
//
//	out[n, c, y, x] = (in[n, c, y, x] - μ[n, g]) / √(σ²[n, g] + Eps) · Weight[c] + Bias[c]
//
// with μ and σ² the mean and the biased variance of group g = c / (Channels/Groups).
// This is PyTorch's GroupNorm (Wu and He, "Group Normalization",
// arXiv:1803.08494, 2018). Statistics are accumulated in float64.
//
// A GroupNorm must not be used by two goroutines at once. After the first
// call for a batch size, Forward and Backward allocate nothing.
type GroupNorm struct {
	Groups, Channels int

	// Eps is added to the variance. NewGroupNorm sets PyTorch's 1e-5.
	Eps float32

	// Weight and Bias hold one scale and one shift per channel.
	Weight, Bias []float32

	// WeightGrad and BiasGrad have the shapes of Weight and Bias. Backward
	// adds to them, and ZeroGrad clears them.
	WeightGrad, BiasGrad []float32

	// Workers is the number of goroutines. Zero means runtime.GOMAXPROCS(0).
	Workers int

	group   parallel.Group
	task    groupNormTask
	partial []float64 // per image and channel: Σ outGrad·x̂ and Σ outGrad
}

// NewGroupNorm returns a group normalisation of channels channels in
// groups groups, with Weight 1, Bias 0 and Eps 1e-5 as in PyTorch. It panics
// unless groups is positive and divides channels.
func NewGroupNorm(groups, channels int) *GroupNorm {
	if groups <= 0 || channels <= 0 || channels%groups != 0 {
		panic(fmt.Sprintf("nn: GroupNorm needs a positive number of groups that divides the channels, got %d groups of %d channels", groups, channels))
	}
	g := &GroupNorm{
		Groups:     groups,
		Channels:   channels,
		Eps:        1e-5,
		Weight:     make([]float32, channels),
		Bias:       make([]float32, channels),
		WeightGrad: make([]float32, channels),
		BiasGrad:   make([]float32, channels),
	}
	for i := range g.Weight {
		g.Weight[i] = 1
	}
	return g
}

// ZeroGrad sets WeightGrad and BiasGrad to zero.
func (g *GroupNorm) ZeroGrad() {
	clear(g.WeightGrad)
	clear(g.BiasGrad)
}

// Forward stores the normalised in in out and returns out. If out is nil,
// Forward allocates it. out may be in itself.
func (g *GroupNorm) Forward(out, in *Tensor) *Tensor {
	g.check(in)
	if out == nil {
		out = NewTensor(in.N, in.C, in.H, in.W)
	}
	checkShape("GroupNorm", "output", out, in.N, in.C, in.H, in.W)
	checkSameOrDisjoint("GroupNorm", "output", out, "input", in)
	g.run(false, out, in, nil)
	return out
}

// Backward adds the gradients with respect to Weight and Bias to WeightGrad
// and BiasGrad and stores the gradient with respect to the input in inGrad,
// for outGrad = ∂L/∂out and the input in of the matching Forward call. It
// recomputes the statistics from in. inGrad may be outGrad or in itself.
func (g *GroupNorm) Backward(inGrad, outGrad, in *Tensor) {
	g.check(in)
	checkShape("GroupNorm", "output gradient", outGrad, in.N, in.C, in.H, in.W)
	checkShape("GroupNorm", "input gradient", inGrad, in.N, in.C, in.H, in.W)
	checkSameOrDisjoint("GroupNorm", "input gradient", inGrad, "output gradient", outGrad)
	checkSameOrDisjoint("GroupNorm", "input gradient", inGrad, "input", in)
	if n := 2 * in.N * in.C; len(g.partial) < n {
		g.partial = make([]float64, n)
	}
	g.run(true, inGrad, in, outGrad)

	// Sum the per-image parameter gradients in image order.
	for c := range g.Channels {
		var dw, db float64
		for n := range in.N {
			dw += g.partial[2*(n*in.C+c)]
			db += g.partial[2*(n*in.C+c)+1]
		}
		g.WeightGrad[c] += float32(dw)
		g.BiasGrad[c] += float32(db)
	}
}

func (g *GroupNorm) check(in *Tensor) {
	checkData("GroupNorm", "input", in)
	if in.C != g.Channels {
		panic(fmt.Sprintf("nn: GroupNorm input has %d channels, expected %d", in.C, g.Channels))
	}
	if g.Groups <= 0 || g.Channels%g.Groups != 0 || len(g.Weight) != g.Channels || len(g.Bias) != g.Channels ||
		len(g.WeightGrad) != g.Channels || len(g.BiasGrad) != g.Channels {
		panic(fmt.Sprintf("nn: GroupNorm with %d groups of %d channels has %d weights, %d biases and %d, %d gradients; use NewGroupNorm",
			g.Groups, g.Channels, len(g.Weight), len(g.Bias), len(g.WeightGrad), len(g.BiasGrad)))
	}
}

func (g *GroupNorm) run(backward bool, dst, in, grad *Tensor) {
	workers := g.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g.task = groupNormTask{layer: g, backward: backward, dst: dst, in: in, grad: grad}
	g.group.For(in.N*g.Groups, workers, &g.task)
	g.task = groupNormTask{}
}

// groupNormTask is the parallel body of GroupNorm. Run(lo, hi) handles the
// (image, group) pairs [lo, hi), numbered image-major.
type groupNormTask struct {
	layer         *GroupNorm
	backward      bool
	dst, in, grad *Tensor
}

func (t *groupNormTask) Run(lo, hi int) {
	g := t.layer
	per := g.Channels / g.Groups
	hw := t.in.H * t.in.W
	for j := lo; j < hi; j++ {
		n, grp := j/g.Groups, j%g.Groups
		c0 := grp * per
		start := (n*g.Channels + c0) * hw
		x := t.in.Data[start : start+per*hw]
		dst := t.dst.Data[start : start+per*hw]
		mean, rstd := meanRstd(x, g.Eps)
		if !t.backward {
			for c := range per {
				scale := float64(g.Weight[c0+c]) * rstd
				shift := float64(g.Bias[c0+c]) - mean*scale
				s, b := float32(scale), float32(shift)
				for i, v := range x[c*hw : (c+1)*hw] {
					dst[c*hw+i] = v*s + b
				}
			}
			continue
		}

		// With x̂ = (x - μ)·rstd and d = outGrad·Weight, the input gradient
		// is rstd·(d - mean(d) - x̂·mean(d·x̂)) over the group.
		dy := t.grad.Data[start : start+per*hw]
		var sumD, sumDX float64
		for c := range per {
			var sdy, sdyx float64
			for i, v := range dy[c*hw : (c+1)*hw] {
				sdy += float64(v)
				sdyx += float64(v) * (float64(x[c*hw+i]) - mean)
			}
			sdyx *= rstd
			t.layer.partial[2*(n*g.Channels+c0+c)] = sdyx
			t.layer.partial[2*(n*g.Channels+c0+c)+1] = sdy
			w := float64(g.Weight[c0+c])
			sumD += w * sdy
			sumDX += w * sdyx
		}
		m := float64(per * hw)
		meanD, meanDX := sumD/m, sumDX/m
		for c := range per {
			w := float64(g.Weight[c0+c])
			// dst = rstd·(w·dy - meanD - (x-μ)·rstd·meanDX) = a·dy + b·x + e.
			a := float32(rstd * w)
			b := float32(-rstd * rstd * meanDX)
			e := float32(rstd * (mean*rstd*meanDX - meanD))
			for i := range dy[c*hw : (c+1)*hw] {
				dst[c*hw+i] = a*dy[c*hw+i] + b*x[c*hw+i] + e
			}
		}
	}
}

// meanRstd returns the mean of x and 1/√(variance + eps), with the biased
// variance computed in two passes in float64.
func meanRstd(x []float32, eps float32) (mean, rstd float64) {
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	mean = sum / float64(len(x))
	var ss float64
	for _, v := range x {
		d := float64(v) - mean
		ss += d * d
	}
	return mean, 1 / math.Sqrt(ss/float64(len(x))+float64(eps))
}
