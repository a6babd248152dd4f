package nn

// The direct path computes a convolution as an implicit GEMM. Instead of
// copying kh·kw shifted copies of the input into an im2col matrix, it copies
// each tile's input rows once into a slab with a zero border. The
// micro-kernel reads the row of B for tap (i, u, v) straight from the slab,
// at a fixed offset from the output pixel. Output pixels are taken 32 (or
// 16) at a time along an image row, output channels 8 at a time.

// directMR is the number of output channels in one micro-kernel block.
const directMR = 8

// directKernelFunc computes the directMR×32 (or ×16) block of output
// c[i*ldc+j] = s + Σ_r a[r*directMR+i]·b[off[r]+j] for r < k, where s is
// bias[i], or c[i*ldc+j] itself when accumulate is set.
type directKernelFunc func(k int, a, b []float32, off []int, c []float32, ldc int, bias []float32, accumulate bool)

// directKernel32 and directKernel16 are set when the processor has a
// direct kernel (AVX-512 on amd64). Otherwise convolutions use im2col and
// SGEMM.
//
// TODO: add AVX2 direct kernels. Processors without AVX-512 fall back to
// im2col with the AVX2 SGEMM. On the 2-core machine of the package
// documentation, that path ran BenchmarkConv2D's forward pass at 98 to 110
// GFLOP/s and forward plus backward at 89 to 96, against 270 to 285 and
// 215 to 255 for the AVX-512 direct kernels.
var directKernel32, directKernel16 directKernelFunc

// directEnabled lets tests run the im2col path on a processor with a
// direct kernel.
var directEnabled = true

func useDirect() bool { return directEnabled && directKernel32 != nil }

// directKC is the target number of taps per pass over the output: the
// slab rows of that many taps (about 17 KiB for 3×3 taps and 32 output
// pixels) stay in L1 while the kernel runs over the output channels.
const directKC = 384

// directSlab is the target slab size in floats, 1 MiB.
const directSlab = 1 << 18

// directState is the part of a direct convolution shared by all workers.
type directState struct {
	packed  []float32 // weights, panels of directMR output channels
	off     []int     // slab offset of each tap
	bias    []float32 // bias padded to whole panels, zero where absent
	gradOff []int     // slab offsets of the weight gradient's taps
}

// directScratch is one worker's slab, edge buffer and transposed output
// gradient.
type directScratch struct {
	slab  []float32
	edge  [directMR * 32]float32
	gradT []float32
}

// convolveDirect computes dst = weight ⊛ src + bias like convolve, with the
// direct kernels.
func (c *Conv2D) convolveDirect(dst, src *Tensor, weight, bias []float32) {
	cin, m := src.C, dst.C
	kh, kw := c.KernelH, c.KernelW
	k := cin * kh * kw
	wp := src.W + kw - 1

	// Tiles of rows: as many as fit the slab budget, and at least eight
	// tiles per image so that small images still spread over the workers.
	rows := max(1, min(src.H, (src.H+7)/8, directSlab/(cin*wp)-(kh-1)))
	plane := (rows + kh - 1) * wp
	perImage := (src.H + rows - 1) / rows
	tiles := src.N * perImage
	if tiles == 0 || src.W == 0 {
		return
	}

	// Pack the weights into panels of directMR output channels, tap-major.
	panels := (m + directMR - 1) / directMR
	d := &c.direct
	d.packed = growFloats(d.packed, panels*directMR*k)
	for p := range panels {
		panel := d.packed[p*directMR*k : (p+1)*directMR*k]
		for i := range directMR {
			o := p*directMR + i
			if o >= m {
				for r := range k {
					panel[r*directMR+i] = 0
				}
				continue
			}
			for r, v := range weight[o*k : (o+1)*k] {
				panel[r*directMR+i] = v
			}
		}
	}

	// Tap (i, u, v) of output pixel (y, x) is slab element
	// i·plane + (y-y0+u)·wp + x+v.
	if cap(d.off) < k {
		d.off = make([]int, k)
	}
	d.off = d.off[:k]
	for i := range cin {
		for u := range kh {
			for v := range kw {
				d.off[(i*kh+u)*kw+v] = i*plane + u*wp + v
			}
		}
	}
	d.bias = growFloats(d.bias, panels*directMR)
	clear(d.bias)
	copy(d.bias, bias)

	// Taps are taken in passes of whole input channels.
	perPass := max(1, directKC/(kh*kw))
	passes := (cin + perPass - 1) / perPass
	kc := (cin + passes - 1) / passes * kh * kw

	workers := min(c.workers(), tiles)
	if len(c.directScratch) < workers {
		c.directScratch = append(c.directScratch, make([]directScratch, workers-len(c.directScratch))...)
	}
	for w := range c.directScratch[:workers] {
		// The kernel reads up to 31 floats past the last tap of the last
		// output block, so the slab has that much slack.
		c.directScratch[w].slab = growFloats(c.directScratch[w].slab, cin*plane+32)
	}

	c.directTask = directTask{
		layer: c, dst: dst, src: src,
		rows: rows, plane: plane, wp: wp, perImage: perImage,
		tiles: tiles, workers: workers, kc: kc,
	}
	c.group.For(workers, workers, &c.directTask)
	c.directTask = directTask{}
}

func growFloats(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// directTask is the parallel body of convolveDirect: Run(w, w+1) computes
// worker w's contiguous share of the tiles.
type directTask struct {
	layer           *Conv2D
	dst, src        *Tensor
	rows, plane, wp int
	perImage, tiles int
	workers, kc     int
}

func (t *directTask) Run(lo, hi int) {
	for w := lo; w < hi; w++ {
		s := &t.layer.directScratch[w]
		for tile := w * t.tiles / t.workers; tile < (w+1)*t.tiles/t.workers; tile++ {
			t.tile(s, tile)
		}
	}
}

func (t *directTask) tile(s *directScratch, tile int) {
	c, src, dst := t.layer, t.src, t.dst
	kh, kw := c.KernelH, c.KernelW
	h, w, wp := src.H, src.W, t.wp
	hw := h * w
	n := tile / t.perImage
	y0 := tile % t.perImage * t.rows
	y1 := min(h, y0+t.rows)

	img := src.Data[n*src.C*hw : (n+1)*src.C*hw]
	fillSlab(s.slab, img, src.C, h, w, kh, kw, t.plane, wp, y0, y1)

	d := &c.direct
	m := dst.C
	k := len(d.off)
	out := dst.Data[n*m*hw : (n+1)*m*hw]
	for kb := 0; kb < k; kb += t.kc {
		kcb := min(t.kc, k-kb)
		off := d.off[kb : kb+kcb]
		accumulate := kb > 0
		for y := y0; y < y1; y++ {
			for x := 0; x < w; x += 32 {
				nr := min(32, w-x)
				b := s.slab[(y-y0)*wp+x:]
				for p := 0; p*directMR < m; p++ {
					mr := min(directMR, m-p*directMR)
					a := d.packed[(p*k+kb)*directMR : (p*k+kb+kcb)*directMR]
					bias := d.bias[p*directMR : (p+1)*directMR]
					cOff := p*directMR*hw + y*w + x
					switch {
					case mr == directMR && nr == 32:
						directKernel32(kcb, a, b, off, out[cOff:], hw, bias, accumulate)
					case mr == directMR && nr == 16:
						directKernel16(kcb, a, b, off, out[cOff:], hw, bias, accumulate)
					default:
						t.edge(s, kcb, a, b, off, out[cOff:], hw, bias, accumulate, mr, nr)
					}
				}
			}
		}
	}
}

// edge computes an mr×nr block of output that is smaller than a kernel's
// block through s.edge.
func (t *directTask) edge(s *directScratch, k int, a, b []float32, off []int, c []float32, ldc int, bias []float32, accumulate bool, mr, nr int) {
	width, kernel := 32, directKernel32
	if nr <= 16 {
		width, kernel = 16, directKernel16
	}
	if accumulate {
		for i := range mr {
			copy(s.edge[i*width:i*width+nr], c[i*ldc:i*ldc+nr])
		}
	}
	kernel(k, a, b, off, s.edge[:], width, bias, accumulate)
	for i := range mr {
		copy(c[i*ldc:i*ldc+nr], s.edge[i*width:i*width+nr])
	}
}
