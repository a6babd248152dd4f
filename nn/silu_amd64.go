//go:build amd64 && !purego && !openblas

package nn

import "golang.org/x/sys/cpu"

func init() {
	if cpu.X86.HasAVX512F {
		siluBlocks = siluBlocksAVX512
		siluGradBlocks = siluGradBlocksAVX512
	}
}

func siluBlocksAVX512(dst, src []float32) int {
	n := len(src) &^ 15
	if n > 0 {
		_ = dst[n-1]
		siluAVX512(&dst[0], &src[0], n)
	}
	return n
}

func siluGradBlocksAVX512(dst, src, grad []float32) int {
	n := len(src) &^ 15
	if n > 0 {
		_ = dst[n-1]
		_ = grad[n-1]
		siluGradAVX512(&dst[0], &src[0], &grad[0], n)
	}
	return n
}

// siluAVX512 is SiLU's forward pass over n elements, n a multiple of 16,
// with exp32 computed 16 lanes at a time.
//
//go:noescape
func siluAVX512(dst, src *float32, n int)

// siluGradAVX512 is SiLU's backward pass over n elements, n a multiple of 16.
//
//go:noescape
func siluGradAVX512(dst, src, grad *float32, n int)
