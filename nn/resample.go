package nn

import (
	"fmt"
	"runtime"

	"github.com/skyinv/skyinv/internal/parallel"
)

// AvgPool2 averages non-overlapping 2×2 blocks, halving the height and
// width, like PyTorch's AvgPool2d(2). An odd last row or column is dropped,
// as PyTorch does, and gets a zero gradient. An AvgPool2 must not be used by
// two goroutines at once, and it allocates nothing after construction.
type AvgPool2 struct {
	// Workers is the number of goroutines. Zero means runtime.GOMAXPROCS(0).
	Workers int

	group parallel.Group
	task  resampleTask
}

// Forward stores the 2×2 averages of in in out, of shape N×C×(H/2)×(W/2),
// and returns out. If out is nil, Forward allocates it.
func (p *AvgPool2) Forward(out, in *Tensor) *Tensor {
	checkData("AvgPool2", "input", in)
	if out == nil {
		out = NewTensor(in.N, in.C, in.H/2, in.W/2)
	}
	checkShape("AvgPool2", "output", out, in.N, in.C, in.H/2, in.W/2)
	checkDisjoint("AvgPool2", "output", out, "input", in)
	runResample(&p.group, &p.task, p.Workers, poolForward, out, in)
	return out
}

// Backward stores in inGrad, which has the shape of the pooled input, the
// gradient with respect to the input: each element of outGrad spread as a
// quarter over its 2×2 block.
func (p *AvgPool2) Backward(inGrad, outGrad *Tensor) {
	checkData("AvgPool2", "input gradient", inGrad)
	checkShape("AvgPool2", "output gradient", outGrad, inGrad.N, inGrad.C, inGrad.H/2, inGrad.W/2)
	checkDisjoint("AvgPool2", "input gradient", inGrad, "output gradient", outGrad)
	runResample(&p.group, &p.task, p.Workers, poolBackward, inGrad, outGrad)
}

// Upsample2 repeats each pixel in a 2×2 block, doubling the height and
// width, like PyTorch's Upsample(scale_factor=2, mode="nearest"). An
// Upsample2 must not be used by two goroutines at once, and it allocates
// nothing after construction.
type Upsample2 struct {
	// Workers is the number of goroutines. Zero means runtime.GOMAXPROCS(0).
	Workers int

	group parallel.Group
	task  resampleTask
}

// Forward stores in out, of shape N×C×2H×2W, each pixel of in repeated over
// a 2×2 block, and returns out. If out is nil, Forward allocates it.
func (u *Upsample2) Forward(out, in *Tensor) *Tensor {
	checkData("Upsample2", "input", in)
	if out == nil {
		out = NewTensor(in.N, in.C, 2*in.H, 2*in.W)
	}
	checkShape("Upsample2", "output", out, in.N, in.C, 2*in.H, 2*in.W)
	checkDisjoint("Upsample2", "output", out, "input", in)
	runResample(&u.group, &u.task, u.Workers, upsampleForward, out, in)
	return out
}

// Backward stores in inGrad the gradient with respect to the input: the sum
// of outGrad over each 2×2 block.
func (u *Upsample2) Backward(inGrad, outGrad *Tensor) {
	checkData("Upsample2", "input gradient", inGrad)
	checkShape("Upsample2", "output gradient", outGrad, inGrad.N, inGrad.C, 2*inGrad.H, 2*inGrad.W)
	checkDisjoint("Upsample2", "input gradient", inGrad, "output gradient", outGrad)
	runResample(&u.group, &u.task, u.Workers, upsampleBackward, inGrad, outGrad)
}

type resampleKind int

const (
	poolForward resampleKind = iota
	poolBackward
	upsampleForward
	upsampleBackward
)

// runResample runs one of the four resampling loops over the N·C planes of
// dst and src.
func runResample(group *parallel.Group, task *resampleTask, workers int, kind resampleKind, dst, src *Tensor) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Split only work big enough to pay for waking the workers.
	workers = min(workers, max(1, dst.Len()/(1<<15)))
	*task = resampleTask{kind: kind, dst: dst, src: src}
	group.For(dst.N*dst.C, workers, task)
	*task = resampleTask{}
}

// resampleTask is the parallel body of runResample. Run(lo, hi) handles
// planes [lo, hi) of the batch.
type resampleTask struct {
	kind     resampleKind
	dst, src *Tensor
}

func (t *resampleTask) Run(lo, hi int) {
	for plane := lo; plane < hi; plane++ {
		dst := t.dst.Data[plane*t.dst.H*t.dst.W : (plane+1)*t.dst.H*t.dst.W]
		src := t.src.Data[plane*t.src.H*t.src.W : (plane+1)*t.src.H*t.src.W]
		switch t.kind {
		case poolForward:
			pool2(dst, src, t.src.W, t.dst.H, t.dst.W)
		case poolBackward:
			unpool2(dst, src, t.dst.H, t.dst.W, t.src.W)
		case upsampleForward:
			upsample2(dst, src, t.src.H, t.src.W)
		case upsampleBackward:
			downsum2(dst, src, t.dst.H, t.dst.W)
		default:
			panic(fmt.Sprintf("nn: internal error: resample kind %d", t.kind))
		}
	}
}

// pool2 stores in dst (h×w) the 2×2 averages of src, whose rows have
// width srcW ≥ 2w.
func pool2(dst, src []float32, srcW, h, w int) {
	for y := range h {
		top := src[2*y*srcW : 2*y*srcW+2*w]
		bottom := src[(2*y+1)*srcW : (2*y+1)*srcW+2*w]
		row := dst[y*w : (y+1)*w]
		for x := range row {
			row[x] = 0.25 * ((top[2*x] + top[2*x+1]) + (bottom[2*x] + bottom[2*x+1]))
		}
	}
}

// unpool2 stores in dst (h×w) a quarter of src (h/2 × srcW) over each
// 2×2 block, and zero in an odd last row or column.
func unpool2(dst, src []float32, h, w, srcW int) {
	for y := range h {
		row := dst[y*w : (y+1)*w]
		if y >= 2*(h/2) {
			clear(row)
			continue
		}
		g := src[(y/2)*srcW : (y/2)*srcW+srcW]
		for x := range 2 * srcW {
			row[x] = 0.25 * g[x/2]
		}
		clear(row[2*srcW:])
	}
}

// upsample2 stores in dst (2h×2w) each pixel of src (h×w) repeated over a
// 2×2 block.
func upsample2(dst, src []float32, h, w int) {
	for y := range h {
		s := src[y*w : (y+1)*w]
		top := dst[2*y*2*w : (2*y+1)*2*w]
		for x, v := range s {
			top[2*x] = v
			top[2*x+1] = v
		}
		copy(dst[(2*y+1)*2*w:(2*y+2)*2*w], top)
	}
}

// downsum2 stores in dst (h×w) the sums of the 2×2 blocks of src (2h×2w).
func downsum2(dst, src []float32, h, w int) {
	pool2(dst, src, 2*w, h, w)
	for i := range dst[:h*w] {
		dst[i] *= 4
	}
}
