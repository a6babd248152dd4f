// Package nnop provides the 2-D convolution of package nn as an op for
// gorgonia.org/gorgonia v0.9.18, so that networks built with gorgonia can
// run their convolutions on nn's kernels.
//
// # Why
//
// gorgonia's own Conv2d copies the input into an im2col tensor, multiplies
// it by the kernel with gonum's pure-Go BLAS, and transposes the product
// back into NCHW order. A TapeMachine allocates every one of these tensors
// again at each run. For one 3×3 convolution from 32 to 32 channels on a
// 360×360 image, BenchmarkConv3x3 measured (medians of three runs on a
// 2-core Intel Xeon with AVX-512, Go 1.26.8, December 2026):
//
//	                                   forward            forward+backward
//	gorgonia Conv2d + bias, TapeMachine  241 ms, 216 MB     941 ms, 434 MB
//	nnop.Conv2D, TapeMachine             10.5 ms, 0 MB      50.3 ms, 16.6 MB
//	nn.Conv2D alone                      8.0 ms, 0 MB       28.8 ms, 0 MB
//
// with the bytes allocated per run after the first. The forward+backward
// graphs also compute L = Σ y and its gradients with respect to the
// input, the kernel and the bias. The 16.6 MB of the nnop graph is
// gorgonia's gradient of Σ y, a tensor of y's size that the TapeMachine
// allocates at each run. The README of this module has the full table.
//
// # Use
//
// Conv2D(x, w, b) adds a convolution node to x's graph. gorgonia.Grad
// differentiates through it, and so does a LispMachine. The kernel and
// bias values are copied into the op's nn.Conv2D at each run, so a solver
// may update them in place between runs.
//
// # Results
//
// Each op returns a tensor that it owns and overwrites at its next run,
// instead of allocating a new one. A caller who needs a value after the
// next run copies it, for example with a gorgonia.Read node. As with
// gorgonia's own ops, a later op of the same run may compute its result in
// that memory, so Read is also the way to keep an intermediate value.
// Because an op's buffers are shared between runs, two machines must not
// run one graph at the same time.
//
// # Gradients
//
// SymDiff adds three ops to the graph. The gradient with respect to x is a
// convolution of the output gradient with the kernel flipped in both axes
// and its channel axes swapped, computed by nn.Conv2D.Forward. The kernel
// gradient comes from nn.Conv2D.Backward, and the bias gradient is the sum
// of the output gradient over the batch and the image. These ops have no
// derivatives of their own, so gradients of gradients are not available.
// DoDiff, which the LispMachine calls, computes all three with one call of
// nn.Conv2D.Backward.
//
// # Limits
//
// Conv2D handles float32 tensors in NCHW order, stride 1, no dilation,
// 'same' zero padding and odd kernel sizes, on the CPU. Its results are
// not bit-identical to those of gorgonia's Conv2d, because the two add the
// products in different orders. The tests require agreement to 1e-5
// relative for outputs and 1e-4 for gradients.
package nnop
