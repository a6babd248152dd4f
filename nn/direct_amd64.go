//go:build amd64 && !purego && !openblas

package nn

import "golang.org/x/sys/cpu"

func init() {
	if cpu.X86.HasAVX512F {
		directKernel32 = conv8x32
		directKernel16 = conv8x16
		directGradKernel = wgrad8x32
	}
}

// conv8x32 checks the slice lengths that conv8x32AVX512 relies on. The
// offsets must be increasing, as those of convolveDirect are.
func conv8x32(k int, a, b []float32, off []int, c []float32, ldc int, bias []float32, accumulate bool) {
	_ = a[k*directMR-1]
	_ = b[off[k-1]+31]
	_ = c[(directMR-1)*ldc+31]
	_ = bias[directMR-1]
	conv8x32AVX512(k, &a[0], &b[0], &off[0], &c[0], ldc, &bias[0], accumulate)
}

func conv8x16(k int, a, b []float32, off []int, c []float32, ldc int, bias []float32, accumulate bool) {
	_ = a[k*directMR-1]
	_ = b[off[k-1]+15]
	_ = c[(directMR-1)*ldc+15]
	_ = bias[directMR-1]
	conv8x16AVX512(k, &a[0], &b[0], &off[0], &c[0], ldc, &bias[0], accumulate)
}

// conv8x32AVX512 computes an 8×32 block of output in AVX-512: sixteen ZMM
// accumulators, two 16-wide input vectors per tap and eight broadcast
// weights. See directKernelFunc for the arguments.
//
//go:noescape
func conv8x32AVX512(k int, a, b *float32, off *int, c *float32, ldc int, bias *float32, accumulate bool)

// conv8x16AVX512 is conv8x32AVX512 for an 8×16 block.
//
//go:noescape
func conv8x16AVX512(k int, a, b *float32, off *int, c *float32, ldc int, bias *float32, accumulate bool)

// wgrad8x32 checks the slice lengths that wgrad8x32AVX512 relies on. The
// offsets must be increasing.
func wgrad8x32(nrows, ncols int, b []float32, bRow int, off []int, g []float32, gStride int, acc []float32, ldacc int) {
	_ = b[off[directMR-1]+(nrows-1)*bRow+ncols-1]
	_ = g[(nrows*ncols-1)*gStride+31]
	_ = acc[(directMR-1)*ldacc+31]
	wgrad8x32AVX512(nrows, ncols, &b[0], 4*bRow, &off[0], &g[0], gStride, &acc[0], ldacc)
}

// wgrad8x32AVX512 accumulates the weight gradient of 8 taps and 32 output
// channels over a tile of pixels. See directGradKernelFunc.
//
//go:noescape
func wgrad8x32AVX512(nrows, ncols int, b *float32, bRowBytes int, off *int, grad *float32, gStride int, acc *float32, ldacc int)
