package nn

// gradChunks is the number of partial weight gradients that Backward sums.
// The tiles are grouped into this many chunks whatever the number of
// workers, and the chunks' sums are added in a fixed order, so the weight
// gradient is bit-identical for any Workers. It also caps the useful
// number of workers in that step.
const gradChunks = 8

// weightGradient adds ∂L/∂Weight and ∂L/∂Bias for outGrad = ∂L/∂out and
// the input in to c.WeightGrad and c.BiasGrad.
func (c *Conv2D) weightGradient(outGrad, in *Tensor) {
	if useDirect() && directGradKernel != nil {
		c.weightGradDirect(outGrad, in)
		return
	}
	k := in.C * c.KernelH * c.KernelW
	rows := tileRows(k, in.H, in.W)
	perImage := (in.H + rows - 1) / rows
	tiles := in.N * perImage
	if tiles == 0 || in.W == 0 {
		return
	}
	chunks := min(tiles, gradChunks)
	workers := min(c.workers(), chunks)
	c.grow(workers, k*rows*in.W)
	stride := len(c.Weight) + len(c.Bias)
	if len(c.partial) < chunks*stride {
		c.partial = make([]float32, chunks*stride)
	}

	// Each chunk's gradient goes to its own slot of c.partial.
	c.wgrad = weightGradTask{
		layer: c, outGrad: outGrad, in: in,
		rows: rows, perImage: perImage, tiles: tiles, chunks: chunks, workers: workers,
	}
	c.group.For(workers, workers, &c.wgrad)
	c.wgrad = weightGradTask{}

	// Sum the chunks in order, elements in parallel.
	c.reduce = reduceTask{layer: c, chunks: chunks, stride: stride}
	c.group.For(stride, c.workers(), &c.reduce)
	c.reduce = reduceTask{}
}

// weightGradTask is the parallel body of weightGradient: Run(w, w+1)
// computes worker w's contiguous share of the chunks.
type weightGradTask struct {
	layer          *Conv2D
	outGrad, in    *Tensor
	rows, perImage int
	tiles, chunks  int
	workers        int
}

func (t *weightGradTask) Run(lo, hi int) {
	c := t.layer
	stride := len(c.Weight) + len(c.Bias)
	for w := lo; w < hi; w++ {
		s := &c.scratch[w]
		for chunk := w * t.chunks / t.workers; chunk < (w+1)*t.chunks/t.workers; chunk++ {
			part := c.partial[chunk*stride : (chunk+1)*stride]
			clear(part)
			for tile := chunk * t.tiles / t.chunks; tile < (chunk+1)*t.tiles/t.chunks; tile++ {
				t.tile(s, part, tile)
			}
		}
	}
}

// tile adds the gradients of one tile of output rows to part, which holds
// the weight gradient followed by the bias gradient.
func (t *weightGradTask) tile(s *convScratch, part []float32, tile int) {
	c, in, g := t.layer, t.in, t.outGrad
	n := tile / t.perImage
	y0 := tile % t.perImage * t.rows
	y1 := min(in.H, y0+t.rows)
	hw := in.H * in.W
	p := (y1 - y0) * in.W
	k := in.C * c.KernelH * c.KernelW

	img := in.Data[n*in.C*hw : (n+1)*in.C*hw]
	col := s.col[:k*p]
	im2col(col, img, in.C, in.H, in.W, c.KernelH, c.KernelW, y0, y1)

	// ∂L/∂Weight (OutChannels×k) += outGrad tile (OutChannels×p) · colᵀ.
	gt := g.Data[n*g.C*hw+y0*in.W : (n+1)*g.C*hw]
	nw := len(c.Weight)
	s.gemm.sgemm(false, true, g.C, k, p, gt, hw, col, p, 1, part[:nw], k)

	// ∂L/∂Bias[o] += Σ outGrad[n, o, y, x] over the tile.
	for o := range g.C {
		var sum float64
		for _, v := range gt[o*hw : o*hw+p] {
			sum += float64(v)
		}
		part[nw+o] += float32(sum)
	}
}

// reduceTask adds the chunks' partial gradients, in chunk order, to
// WeightGrad and BiasGrad. Run(lo, hi) handles elements [lo, hi).
type reduceTask struct {
	layer          *Conv2D
	chunks, stride int
}

func (t *reduceTask) Run(lo, hi int) {
	c := t.layer
	nw := len(c.Weight)
	for i := lo; i < hi; i++ {
		sum := c.partial[i]
		for chunk := 1; chunk < t.chunks; chunk++ {
			sum += c.partial[chunk*t.stride+i]
		}
		if i < nw {
			c.WeightGrad[i] += sum
		} else {
			c.BiasGrad[i-nw] += sum
		}
	}
}
