//go:build amd64 && !purego && !openblas

package nn

import "golang.org/x/sys/cpu"

// gemmKernel is the AVX2 and FMA assembly kernel when the processor and
// operating system support both, and the portable Go kernel otherwise.
var gemmKernel kernelFunc = goKernel

// gemmKernelName names gemmKernel in benchmark output.
var gemmKernelName = "go"

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		gemmKernel = avx2Kernel
		gemmKernelName = "avx2"
	}
}

// avx2Kernel checks the slice lengths that kernel6x16AVX2 relies on.
func avx2Kernel(k int, a, b, c []float32, ldc int, accumulate bool) {
	_ = a[k*gemmMR-1]
	_ = b[k*gemmNR-1]
	_ = c[(gemmMR-1)*ldc+gemmNR-1]
	kernel6x16AVX2(k, &a[0], &b[0], &c[0], ldc, accumulate)
}

// kernel6x16AVX2 is goKernel in AVX2 with FMA: twelve YMM accumulators hold
// the 6×16 block, and each step of k broadcasts six A values against two
// eight-wide B vectors. k must be at least 1.
//
//go:noescape
func kernel6x16AVX2(k int, a, b, c *float32, ldc int, accumulate bool)
