//go:build !amd64 || purego || openblas

package nn

var gemmKernel kernelFunc = goKernel

var gemmKernelName = "go"
