//go:build !amd64 || purego || openblas

package nn

// gemmKernel is the portable Go kernel. The openblas build has no AVX2
// kernel, because a package that uses cgo cannot contain Go assembly, and
// it calls this kernel only for the k = 0 case of sgemm.
var gemmKernel kernelFunc = goKernel

var gemmKernelName = "go"
