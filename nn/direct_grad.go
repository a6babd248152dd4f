package nn

// directGradKernelFunc adds, for directMR taps r and 32 output channels o,
//
//	Σ_{j<nrows, x<ncols} b[off[r] + j·bRow + x] · g[(j·ncols+x)·gStride + o]
//
// to acc[r·ldacc + o]: the weight gradient of those taps and channels over
// a tile of nrows×ncols pixels, with g the tile's output gradient stored
// pixel-major.
type directGradKernelFunc func(nrows, ncols int, b []float32, bRow int, off []int, g []float32, gStride int, acc []float32, ldacc int)

// directGradKernel is set when the processor has a direct weight-gradient
// kernel (AVX-512 on amd64).
var directGradKernel directGradKernelFunc

// directGradTile is the target size in floats of a tile's transposed output
// gradient, 512 KiB, so that it stays in L2 while the kernel runs over the
// taps.
const directGradTile = 1 << 17

// weightGradDirect adds ∂L/∂Weight and ∂L/∂Bias to WeightGrad and BiasGrad
// like weightGradient, with the direct kernel. Tiles are grouped into
// chunks as there, each chunk's gradient goes to its own slot of c.partial,
// laid out taps × channels, and the slots are added in order.
func (c *Conv2D) weightGradDirect(g, in *Tensor) {
	cin, m := in.C, g.C
	kh, kw := c.KernelH, c.KernelW
	h, w := in.H, in.W
	k := cin * kh * kw
	kPad := roundUp(k, directMR)
	mPad := roundUp(m, 32)
	wp := w + kw - 1
	rows := max(1, min(h, (h+7)/8, directSlab/(cin*wp)-(kh-1), directGradTile/(mPad*w)))
	plane := (rows + kh - 1) * wp
	perImage := (h + rows - 1) / rows
	tiles := in.N * perImage
	if tiles == 0 || w == 0 {
		return
	}
	chunks := min(tiles, gradChunks)
	workers := min(c.workers(), chunks)

	// Tap (i, u, v) of pixel (y, x) is slab element i·plane + (y-y0+u)·wp + x+v.
	// Padding taps repeat the last offset, so the offsets stay increasing.
	// Their sums land in rows past k of the partial gradient and are unused.
	d := &c.direct
	if cap(d.gradOff) < kPad {
		d.gradOff = make([]int, kPad)
	}
	d.gradOff = d.gradOff[:kPad]
	for i := range cin {
		for u := range kh {
			for v := range kw {
				d.gradOff[(i*kh+u)*kw+v] = i*plane + u*wp + v
			}
		}
	}
	for r := k; r < kPad; r++ {
		d.gradOff[r] = d.gradOff[k-1]
	}

	stride := kPad*mPad + m
	c.partial = growFloats(c.partial, chunks*stride)
	if len(c.directScratch) < workers {
		c.directScratch = append(c.directScratch, make([]directScratch, workers-len(c.directScratch))...)
	}
	for i := range c.directScratch[:workers] {
		s := &c.directScratch[i]
		s.slab = growFloats(s.slab, cin*plane+32)
		s.gradT = growFloats(s.gradT, rows*w*mPad)
	}

	c.directGradTask = directGradTask{
		layer: c, g: g, in: in,
		rows: rows, plane: plane, wp: wp, perImage: perImage,
		tiles: tiles, chunks: chunks, workers: workers,
		kPad: kPad, mPad: mPad, stride: stride,
	}
	c.group.For(workers, workers, &c.directGradTask)
	c.directGradTask = directGradTask{}

	c.directReduce = directReduceTask{layer: c, k: k, kPad: kPad, mPad: mPad, chunks: chunks, stride: stride}
	c.group.For(m, c.workers(), &c.directReduce)
	c.directReduce = directReduceTask{}
}

// directGradTask is the parallel body of weightGradDirect: Run(w, w+1)
// computes worker w's contiguous share of the chunks.
type directGradTask struct {
	layer           *Conv2D
	g, in           *Tensor
	rows, plane, wp int
	perImage, tiles int
	chunks, workers int
	kPad, mPad      int
	stride          int
}

func (t *directGradTask) Run(lo, hi int) {
	c := t.layer
	for w := lo; w < hi; w++ {
		s := &c.directScratch[w]
		for chunk := w * t.chunks / t.workers; chunk < (w+1)*t.chunks/t.workers; chunk++ {
			part := c.partial[chunk*t.stride : (chunk+1)*t.stride]
			clear(part)
			for tile := chunk * t.tiles / t.chunks; tile < (chunk+1)*t.tiles/t.chunks; tile++ {
				t.tile(s, part, tile)
			}
		}
	}
}

// tile adds the gradients of one tile to part: taps × channels (row
// stride mPad) for the weights, then the bias.
func (t *directGradTask) tile(s *directScratch, part []float32, tile int) {
	c, in, g := t.layer, t.in, t.g
	h, w := in.H, in.W
	hw := h * w
	m := g.C
	n := tile / t.perImage
	y0 := tile % t.perImage * t.rows
	y1 := min(h, y0+t.rows)
	p := (y1 - y0) * w

	img := in.Data[n*in.C*hw : (n+1)*in.C*hw]
	fillSlab(s.slab, img, in.C, h, w, c.KernelH, c.KernelW, t.plane, t.wp, y0, y1)

	// Transpose the tile's output gradient to pixel-major order, in blocks
	// of 16 channels by 64 pixels that stay in L1.
	gradT := s.gradT[:p*t.mPad]
	gt := g.Data[n*m*hw+y0*w : (n+1)*m*hw]
	for o0 := 0; o0 < m; o0 += 16 {
		for q0 := 0; q0 < p; q0 += 64 {
			for o := o0; o < min(o0+16, m); o++ {
				for j, v := range gt[o*hw+q0 : o*hw+min(q0+64, p)] {
					gradT[(q0+j)*t.mPad+o] = v
				}
			}
		}
	}
	if m < t.mPad {
		for q := range p {
			clear(gradT[q*t.mPad+m : (q+1)*t.mPad])
		}
	}

	// ∂L/∂Bias[o] is the sum of the output gradient over the pixels.
	bias := part[t.kPad*t.mPad:]
	for o := range m {
		var sum float64
		for _, v := range gt[o*hw : o*hw+p] {
			sum += float64(v)
		}
		bias[o] += float32(sum)
	}

	off := c.direct.gradOff
	for rb := 0; rb < t.kPad; rb += directMR {
		for ob := 0; ob < t.mPad; ob += 32 {
			directGradKernel(y1-y0, w, s.slab, t.wp, off[rb:rb+directMR], gradT[ob:], t.mPad, part[rb*t.mPad+ob:], t.mPad)
		}
	}
}

// directReduceTask adds the chunks' partial gradients, in chunk order, to
// WeightGrad and BiasGrad. Run(lo, hi) handles output channels [lo, hi).
type directReduceTask struct {
	layer          *Conv2D
	k, kPad, mPad  int
	chunks, stride int
}

func (t *directReduceTask) Run(lo, hi int) {
	c := t.layer
	for o := lo; o < hi; o++ {
		dw := c.WeightGrad[o*t.k : (o+1)*t.k]
		for r := range dw {
			sum := c.partial[r*t.mPad+o]
			for chunk := 1; chunk < t.chunks; chunk++ {
				sum += c.partial[chunk*t.stride+r*t.mPad+o]
			}
			dw[r] += sum
		}
		b := t.kPad*t.mPad + o
		sum := c.partial[b]
		for chunk := 1; chunk < t.chunks; chunk++ {
			sum += c.partial[chunk*t.stride+b]
		}
		c.BiasGrad[o] += sum
	}
}

// fillSlab copies input rows y0-kh/2 to y1-1+kh/2 of each of the cin
// channels of img (cin×h×w) into slab, channel i at i·plane with row stride
// wp. Each row gets a zero border of kw/2 columns on each side, and rows
// outside the image are zero.
func fillSlab(slab, img []float32, cin, h, w, kh, kw, plane, wp, y0, y1 int) {
	hw := h * w
	for i := range cin {
		for sr := range y1 - y0 + kh - 1 {
			row := slab[i*plane+sr*wp : i*plane+(sr+1)*wp]
			iy := y0 - kh/2 + sr
			if iy < 0 || iy >= h {
				clear(row)
				continue
			}
			clear(row[:kw/2])
			copy(row[kw/2:kw/2+w], img[i*hw+iy*w:i*hw+(iy+1)*w])
			clear(row[kw/2+w:])
		}
	}
}
