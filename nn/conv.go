package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/skyinv/skyinv/internal/parallel"
)

// Conv2D is a 2-D convolution with stride 1 and 'same' zero padding, as in
// PyTorch's Conv2d(padding="same") (strictly a cross-correlation):
//
//	out[n, o, y, x] = Bias[o] + Σ_{i, u, v} Weight[o, i, u, v] · in[n, i, y+u-KernelH/2, x+v-KernelW/2]
//
// with in taken as zero outside the image. Kernel sizes are odd, so the
// output has the input's height and width.
//
// Forward and Backward split the images into tiles of a few rows and spread
// the tiles over Workers goroutines. With AVX-512 the direct kernels read
// each tile's inputs from a zero-bordered copy of its rows. Otherwise each
// tile's shifted inputs are copied into a matrix (im2col) and multiplied by
// the weights with SGEMM. Every output element is computed by the same
// sequence of operations whatever the number of workers, so results are
// bit-identical for any Workers.
//
// A Conv2D holds scratch buffers and must not be used by two goroutines at
// once. After the first call with a given image size, Forward and Backward
// allocate nothing.
type Conv2D struct {
	InChannels, OutChannels int
	KernelH, KernelW        int

	// Weight holds OutChannels×InChannels×KernelH×KernelW values in that
	// order, the layout of PyTorch's Conv2d.weight. Bias holds OutChannels
	// values.
	Weight, Bias []float32

	// WeightGrad and BiasGrad have the shapes of Weight and Bias. Backward
	// adds to them, and ZeroGrad clears them.
	WeightGrad, BiasGrad []float32

	// Workers is the number of goroutines of Forward and Backward. Zero
	// means runtime.GOMAXPROCS(0).
	Workers int

	group   parallel.Group
	fwd     convTask
	wgrad   weightGradTask
	reduce  reduceTask
	scratch []convScratch
	flipped []float32 // weights of the input gradient, see Backward
	partial []float32 // per-chunk weight and bias gradients

	direct         directState
	directTask     directTask
	directGradTask directGradTask
	directReduce   directReduceTask
	directScratch  []directScratch
}

// convScratch is one worker's im2col tile and SGEMM panels.
type convScratch struct {
	col  []float32
	gemm gemmWorkspace
}

// NewConv2D returns a convolution from inChannels to outChannels with a
// kernelH×kernelW kernel, zero weights and bias. It panics if a count is
// not positive or a kernel size is even.
func NewConv2D(inChannels, outChannels, kernelH, kernelW int) *Conv2D {
	if inChannels <= 0 || outChannels <= 0 {
		panic(fmt.Sprintf("nn: Conv2D channel counts %d, %d must be positive", inChannels, outChannels))
	}
	if kernelH <= 0 || kernelW <= 0 || kernelH%2 == 0 || kernelW%2 == 0 {
		panic(fmt.Sprintf("nn: Conv2D kernel %d×%d must have odd positive sizes for 'same' padding", kernelH, kernelW))
	}
	nw := outChannels * inChannels * kernelH * kernelW
	return &Conv2D{
		InChannels:  inChannels,
		OutChannels: outChannels,
		KernelH:     kernelH,
		KernelW:     kernelW,
		Weight:      make([]float32, nw),
		Bias:        make([]float32, outChannels),
		WeightGrad:  make([]float32, nw),
		BiasGrad:    make([]float32, outChannels),
	}
}

// InitUniform sets the weights and bias to independent draws from
// U(-b, b), b = 1/√(InChannels·KernelH·KernelW), PyTorch's default
// initialisation of Conv2d (Kaiming uniform with a = √5).
func (c *Conv2D) InitUniform(rng *rand.Rand) {
	bound := 1 / math.Sqrt(float64(c.InChannels*c.KernelH*c.KernelW))
	for i := range c.Weight {
		c.Weight[i] = float32((2*rng.Float64() - 1) * bound)
	}
	for i := range c.Bias {
		c.Bias[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// ZeroGrad sets WeightGrad and BiasGrad to zero.
func (c *Conv2D) ZeroGrad() {
	clear(c.WeightGrad)
	clear(c.BiasGrad)
}

// Forward computes the convolution of in into out and returns out. If out
// is nil, Forward allocates it. It panics if in does not have InChannels
// channels, if out does not have in's batch size and image size and
// OutChannels channels, or if out and in share memory.
func (c *Conv2D) Forward(out, in *Tensor) *Tensor {
	c.checkParams()
	checkData("Conv2D", "input", in)
	if in.C != c.InChannels {
		panic(fmt.Sprintf("nn: Conv2D input has %d channels, expected %d", in.C, c.InChannels))
	}
	if out == nil {
		out = NewTensor(in.N, c.OutChannels, in.H, in.W)
	}
	checkShape("Conv2D", "output", out, in.N, c.OutChannels, in.H, in.W)
	checkDisjoint("Conv2D", "output", out, "input", in)
	c.convolve(out, in, c.Weight, c.Bias)
	return out
}

// Backward adds the gradients of a loss L with respect to Weight and Bias
// to WeightGrad and BiasGrad and, if inGrad is not nil, stores the gradient
// with respect to the input in inGrad. outGrad is ∂L/∂out and in is the
// input of the matching Forward call. inGrad must not share memory with
// outGrad; it may be in itself, because in is read only before inGrad is
// written.
//
// The input gradient is itself a 'same' convolution of outGrad, with the
// kernel flipped in both axes and the channel axes swapped:
//
//	∂L/∂in[n, i, y, x] = Σ_{o, u, v} Weight[o, i, KernelH-1-u, KernelW-1-v] · outGrad[n, o, y+u-KernelH/2, x+v-KernelW/2]
//
// so it runs through the same tiled im2col and SGEMM as Forward.
func (c *Conv2D) Backward(inGrad, outGrad, in *Tensor) {
	c.checkParams()
	checkData("Conv2D", "input", in)
	if in.C != c.InChannels {
		panic(fmt.Sprintf("nn: Conv2D input has %d channels, expected %d", in.C, c.InChannels))
	}
	checkShape("Conv2D", "output gradient", outGrad, in.N, c.OutChannels, in.H, in.W)
	if inGrad != nil {
		checkShape("Conv2D", "input gradient", inGrad, in.N, in.C, in.H, in.W)
		checkDisjoint("Conv2D", "input gradient", inGrad, "output gradient", outGrad)
	}

	c.weightGradient(outGrad, in)
	if inGrad == nil {
		return
	}

	// Flip the kernel and swap the channel axes.
	kh, kw := c.KernelH, c.KernelW
	n := len(c.Weight)
	if len(c.flipped) < n {
		c.flipped = make([]float32, n)
	}
	for o := range c.OutChannels {
		for i := range c.InChannels {
			src := c.Weight[(o*c.InChannels+i)*kh*kw:][:kh*kw]
			dst := c.flipped[(i*c.OutChannels+o)*kh*kw:][:kh*kw]
			for t, v := range src {
				dst[kh*kw-1-t] = v
			}
		}
	}
	c.convolve(inGrad, outGrad, c.flipped[:n], nil)
}

func (c *Conv2D) checkParams() {
	nw := c.OutChannels * c.InChannels * c.KernelH * c.KernelW
	if len(c.Weight) != nw || len(c.WeightGrad) != nw || len(c.Bias) != c.OutChannels || len(c.BiasGrad) != c.OutChannels {
		panic(fmt.Sprintf("nn: Conv2D has %d weights, %d weight gradients, %d biases and %d bias gradients, expected %d, %d, %d, %d; use NewConv2D",
			len(c.Weight), len(c.WeightGrad), len(c.Bias), len(c.BiasGrad), nw, nw, c.OutChannels, c.OutChannels))
	}
	if c.KernelH%2 == 0 || c.KernelW%2 == 0 {
		panic(fmt.Sprintf("nn: Conv2D kernel %d×%d must have odd sizes", c.KernelH, c.KernelW))
	}
}

func (c *Conv2D) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// tileColumns is the size in floats of one im2col tile: 2^18 floats, 1 MiB,
// so that the tile stays in a core's L2 cache while SGEMM packs it.
const tileColumns = 1 << 18

// tileRows returns the number of image rows per tile for k taps (input
// channels × kernel size) and rows of width w: as many as fit in
// tileColumns, at least one. It depends only on the layer and the image
// size, never on the number of workers, which keeps results independent of
// Workers.
func tileRows(k, h, w int) int {
	return max(1, min(h, tileColumns/(k*w)))
}

// grow makes sure there is scratch for the given number of workers and
// im2col tiles of colLen floats.
func (c *Conv2D) grow(workers, colLen int) {
	if len(c.scratch) < workers {
		c.scratch = append(c.scratch, make([]convScratch, workers-len(c.scratch))...)
	}
	for i := range c.scratch[:workers] {
		if len(c.scratch[i].col) < colLen {
			c.scratch[i].col = make([]float32, colLen)
		}
	}
}

// convolve computes dst = weight ⊛ src + bias ('same' padding), where
// weight is a dst.C×(src.C·KernelH·KernelW) row-major matrix and bias is
// dst.C values or nil for none.
func (c *Conv2D) convolve(dst, src *Tensor, weight, bias []float32) {
	if useDirect() {
		c.convolveDirect(dst, src, weight, bias)
		return
	}
	k := src.C * c.KernelH * c.KernelW
	rows := tileRows(k, src.H, src.W)
	perImage := (src.H + rows - 1) / rows
	tiles := src.N * perImage
	if tiles == 0 || src.W == 0 {
		return
	}
	workers := min(c.workers(), tiles)
	c.grow(workers, k*rows*src.W)

	c.fwd = convTask{
		layer: c, dst: dst, src: src, weight: weight, bias: bias,
		rows: rows, perImage: perImage, tiles: tiles, workers: workers,
	}
	c.group.For(workers, workers, &c.fwd)
	c.fwd = convTask{}
}

// convTask is the parallel body of convolve: Run(w, w+1) computes worker
// w's contiguous share of the tiles.
type convTask struct {
	layer          *Conv2D
	dst, src       *Tensor
	weight, bias   []float32
	rows, perImage int
	tiles, workers int
}

func (t *convTask) Run(lo, hi int) {
	for w := lo; w < hi; w++ {
		s := &t.layer.scratch[w]
		for tile := w * t.tiles / t.workers; tile < (w+1)*t.tiles/t.workers; tile++ {
			t.tile(s, tile)
		}
	}
}

func (t *convTask) tile(s *convScratch, tile int) {
	c, src, dst := t.layer, t.src, t.dst
	n := tile / t.perImage
	y0 := tile % t.perImage * t.rows
	y1 := min(src.H, y0+t.rows)
	hw := src.H * src.W
	p := (y1 - y0) * src.W
	k := src.C * c.KernelH * c.KernelW

	img := src.Data[n*src.C*hw : (n+1)*src.C*hw]
	col := s.col[:k*p]
	im2col(col, img, src.C, src.H, src.W, c.KernelH, c.KernelW, y0, y1)

	// Start each output row at its bias, then add weight·col.
	out := dst.Data[n*dst.C*hw+y0*src.W : (n+1)*dst.C*hw]
	for o := range dst.C {
		var b float32
		if t.bias != nil {
			b = t.bias[o]
		}
		row := out[o*hw : o*hw+p]
		for i := range row {
			row[i] = b
		}
	}
	s.gemm.sgemm(false, false, dst.C, p, k, t.weight, k, col, p, 1, out, hw)
}

// im2col copies rows [y0, y1) of the kh·kw shifted copies of each of the
// cin channels of img (cin×h×w) into col, a (cin·kh·kw)×((y1-y0)·w)
// row-major matrix. Row (i·kh+u)·kw+v of col is channel i shifted by
// (u-kh/2, v-kw/2), with zeros where the shift reaches outside the image.
func im2col(col, img []float32, cin, h, w, kh, kw, y0, y1 int) {
	p := (y1 - y0) * w
	for i := range cin {
		plane := img[i*h*w : (i+1)*h*w]
		for u := range kh {
			for v := range kw {
				row := col[((i*kh+u)*kw+v)*p:][:p]
				shift := v - kw/2
				xlo, xhi := max(0, -shift), min(w, w-shift)
				for y := y0; y < y1; y++ {
					dst := row[(y-y0)*w : (y-y0+1)*w]
					sy := y + u - kh/2
					if sy < 0 || sy >= h || xlo >= xhi {
						clear(dst)
						continue
					}
					src := plane[sy*w : (sy+1)*w]
					clear(dst[:xlo])
					copy(dst[xlo:xhi], src[xlo+shift:xhi+shift])
					clear(dst[xhi:])
				}
			}
		}
	}
}
