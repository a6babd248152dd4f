// Package nn provides float32 building blocks for convolutional networks,
// such as the noise-conditional U-Net of a learned mass-map posterior
// mean: a 2-D convolution with its gradients, run on all cores without
// allocating.
//
// # Layout
//
// A Tensor is a batch in NCHW order: N images of C channels of H rows of W
// pixels, in one []float32, with element (n, c, y, x) at index
// ((n·C + c)·H + y)·W + x. Conv2D.Weight is stored as
// OutChannels×InChannels×KernelH×KernelW, as in PyTorch, so weights can be
// copied between the two unchanged.
//
// # Conventions
//
// Methods take the destination first. Forward allocates its output when
// the destination is nil. Backward writes the gradient with respect to the
// input and adds the gradients with respect to the parameters to the
// layer's gradient fields, as PyTorch does, so ZeroGrad is called between
// optimiser steps. Arguments of the wrong shape, and destinations that
// share memory with a source they would overwrite, cause a panic with an
// "nn: " message.
//
// A layer keeps scratch buffers between calls: after the first call for an
// image size, Forward and Backward allocate nothing, and a layer must not
// be used by two goroutines at once. Work is spread over Conv2D.Workers
// goroutines (default GOMAXPROCS) through the allocation-free pool of
// internal/parallel. Each output and gradient element is computed by the
// same operations in the same order whatever the number of workers, so
// results are bit-identical for any Workers and from run to run on one
// machine and build. The weight gradient keeps this property by summing a
// fixed number of partial sums, eight, in a fixed order, and takes that
// many slices of the layer's weights in scratch memory.
//
// # Algorithm
//
// Conv2D works on tiles of a few image rows. On amd64 processors with
// AVX-512 it uses direct kernels, an implicit GEMM. The tile's input rows
// are copied once into a slab with a zero border. Assembly kernels then
// multiply 8 output channels by 32 pixels at a time, and read each tap's
// inputs from the slab at a fixed offset. The weight gradient kernel
// multiplies slab values by a pixel-major copy of the output gradient. The
// input gradient is the forward convolution with the kernel flipped and
// the channel axes swapped, so it runs through the same code.
//
// Without AVX-512, each tile is copied into an im2col matrix (one row per
// input channel and tap) and multiplied by the weights with SGEMM, as in
// Chellapilla, Puri and Simard, "High performance convolutional neural
// networks for document processing", 10th International Workshop on
// Frontiers in Handwriting Recognition (2006). The SGEMM is blocked after
// Goto and van de Geijn (ACM TOMS 34(3), 2008), with a 6×16 AVX2 and FMA
// micro-kernel where the processor has them and a portable Go micro-kernel
// elsewhere.
//
// SiLU computes e^x with a degree-7 polynomial after reducing the argument
// by multiples of ln 2, in an AVX-512 kernel where the processor has one
// and in Go otherwise. Its relative error stays below 2e-7.
//
// Build tags select other routes. With purego, the package has no assembly:
// convolutions use the im2col path with the portable Go kernel, and SiLU the
// Go exponential. With openblas
// (needs cgo and OpenBLAS, Debian's libopenblas-dev), the im2col path calls
// cblas_sgemm, and an init function limits OpenBLAS to one thread for the
// whole process, because every worker goroutine calls it.
//
// # Performance
//
// bench/conv_run.sh times a 3×3 convolution from 32 to 32 channels,
// forward and forward plus backward, against the same layer in PyTorch
// (bench/conv_torch.py). On a 2-core Intel Xeon with AVX-512 (Go 1.26.8,
// Debian's PyTorch 1.13 with two threads), medians over three rounds at
// 360×360 were:
//
//	                          batch 1               batch 8
//	forward, default build    TODO
//
// The portable Go kernel reaches about 4.5 GFLOP/s per core, the AVX2
// kernel about 80, and gonum's blas32 Sgemm about 20 on both cores, on the
// shapes of BenchmarkGemm; gonum's Sgemm also starts goroutines, and so
// allocates, on every call above a small size.
package nn
