// Package nn provides float32 building blocks for convolutional networks,
// such as the noise-conditional U-Net of a learned mass-map posterior
// mean. It has a 2-D convolution, activations, 2×2 pooling and upsampling,
// channel concatenation and group normalisation, each with its backward
// pass, and runs them on all cores without allocating.
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
// A layer keeps scratch buffers between calls, so it must not be used by
// two goroutines at once. Once the buffers have grown to the largest shape
// the layer has seen, Forward and Backward allocate nothing. Each layer
// spreads its work over Workers goroutines (default GOMAXPROCS) through the
// allocation-free pool of internal/parallel. ConcatChannels and
// SplitChannels copy on the calling goroutine.
//
// Each output and gradient element is computed by the same operations in
// the same order whatever the number of workers, so results are
// bit-identical for any Workers and from run to run on one machine and
// build. Conv2D's weight gradient keeps this property by adding up to eight
// partial sums in a fixed order, and it keeps that many weight-sized
// buffers of scratch memory.
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
// and in Go otherwise. Both evaluate the same polynomial, whose relative
// error TestExp32 bounds by 2e-7.
//
// Build tags select other routes. With purego, the package has no
// assembly: convolutions use the im2col path with the portable Go kernel,
// and SiLU the Go exponential. With openblas (needs cgo and OpenBLAS,
// Debian's libopenblas-dev), the im2col path calls cblas_sgemm. An init
// function then limits OpenBLAS to one thread for the whole process,
// because every worker goroutine calls it.
//
// # Performance
//
// bench/conv_run.sh times a 3×3 convolution from 32 to 32 channels,
// forward and forward plus backward, against the same layer in PyTorch
// (bench/conv_torch.py). Medians of three rounds on a 2-core Intel Xeon
// with AVX-512 (Go 1.26.8, Debian's PyTorch 1.13 on two threads, OpenBLAS
// 0.3.21), on an idle machine, in December 2026, in ms and GFLOP/s at
// 360×360:
//
//	                              batch 1        batch 8
//	forward, default build        8.4 (284)      68 (279)
//	forward, openblas             18.7 (128)     167 (114)
//	forward, purego               261 (9)        2051 (9)
//	forward, PyTorch              7.5 (318)      141 (135)
//	forward+backward, default     28.5 (252)     265 (216)
//	forward+backward, openblas    65.8 (109)     611 (94)
//	forward+backward, PyTorch     30.4 (236)     438 (131)
//
// PyTorch's batch-1 forward time varied from one run of the script to the
// next, between 7.5 and 18.9 ms. The other PyTorch figures varied less.
//
// On the products of BenchmarkGemm, on one goroutine, the portable Go
// kernel reaches 4.1 to 4.8 GFLOP/s and the AVX2 kernel 46 to 82. gonum's
// blas32 Sgemm (v0.17) reaches 21 to 28 GFLOP/s on both cores, because it
// starts goroutines of its own, and allocates 12 to 94 times per call.
package nn
