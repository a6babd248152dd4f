//go:build amd64 && !purego && !openblas

#include "textflag.h"

// The kernels below compute an 8×32 (or 8×16) block of a convolution's
// output as Σ_r A[r]·B[r], where A[r] holds 8 packed weights and B[r] is the
// row of 32 (or 16) input values at b + off[r]. Arguments:
//   k: number of taps r (at least 1);
//   a: packed weights, 8 per tap;
//   b: input slab; off: k element offsets into it;
//   c: first output element, ldc: output row stride in elements;
//   bias: 8 values that start the sums unless accumulate is set, in which
//   case the sums start from c.

// BIAS2 starts the accumulators of one row from the bias at BX+off.
#define BIAS2(off, lo, hi) \
	VBROADCASTSS off(BX), lo; \
	VMOVAPS      lo, hi

// LOAD2 starts the accumulators of one row from c and moves DX to the next row.
#define LOAD2(lo, hi) \
	VMOVUPS (DX), lo; \
	VMOVUPS 64(DX), hi; \
	ADDQ    R8, DX

#define STORE2(lo, hi) \
	VMOVUPS lo, (DX); \
	VMOVUPS hi, 64(DX); \
	ADDQ    R8, DX

// FMA2 adds the weight at SI+off times the two B vectors Z16, Z17.
#define FMA2(off, w, lo, hi) \
	VBROADCASTSS off(SI), w; \
	VFMADD231PS  Z16, w, lo; \
	VFMADD231PS  Z17, w, hi

// func conv8x32AVX512(k int, a, b *float32, off *int, c *float32, ldc int, bias *float32, accumulate bool)
TEXT ·conv8x32AVX512(SB), NOSPLIT, $0-57
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ off+24(FP), R10
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	MOVQ bias+48(FP), BX
	MOVQ DX, R9

	MOVBLZX accumulate+56(FP), AX
	TESTB   AL, AL
	JNZ     load32
	BIAS2(0, Z0, Z1)
	BIAS2(4, Z2, Z3)
	BIAS2(8, Z4, Z5)
	BIAS2(12, Z6, Z7)
	BIAS2(16, Z8, Z9)
	BIAS2(20, Z10, Z11)
	BIAS2(24, Z12, Z13)
	BIAS2(28, Z14, Z15)
	JMP loop32

load32:
	LOAD2(Z0, Z1)
	LOAD2(Z2, Z3)
	LOAD2(Z4, Z5)
	LOAD2(Z6, Z7)
	LOAD2(Z8, Z9)
	LOAD2(Z10, Z11)
	LOAD2(Z12, Z13)
	LOAD2(Z14, Z15)

loop32:
	MOVQ    (R10), R11
	VMOVUPS (DI)(R11*4), Z16
	VMOVUPS 64(DI)(R11*4), Z17
	FMA2(0, Z18, Z0, Z1)
	FMA2(4, Z19, Z2, Z3)
	FMA2(8, Z20, Z4, Z5)
	FMA2(12, Z21, Z6, Z7)
	FMA2(16, Z22, Z8, Z9)
	FMA2(20, Z23, Z10, Z11)
	FMA2(24, Z24, Z12, Z13)
	FMA2(28, Z25, Z14, Z15)
	ADDQ $32, SI
	ADDQ $8, R10
	DECQ CX
	JNZ  loop32

	MOVQ R9, DX
	STORE2(Z0, Z1)
	STORE2(Z2, Z3)
	STORE2(Z4, Z5)
	STORE2(Z6, Z7)
	STORE2(Z8, Z9)
	STORE2(Z10, Z11)
	STORE2(Z12, Z13)
	STORE2(Z14, Z15)
	VZEROUPPER
	RET

#define BIAS1(off, acc) \
	VBROADCASTSS off(BX), acc

#define LOAD1(acc) \
	VMOVUPS (DX), acc; \
	ADDQ    R8, DX

#define STORE1(acc) \
	VMOVUPS acc, (DX); \
	ADDQ    R8, DX

#define FMA1(off, w, acc) \
	VBROADCASTSS off(SI), w; \
	VFMADD231PS  Z16, w, acc

// func conv8x16AVX512(k int, a, b *float32, off *int, c *float32, ldc int, bias *float32, accumulate bool)
TEXT ·conv8x16AVX512(SB), NOSPLIT, $0-57
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ off+24(FP), R10
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	MOVQ bias+48(FP), BX
	MOVQ DX, R9

	MOVBLZX accumulate+56(FP), AX
	TESTB   AL, AL
	JNZ     load16
	BIAS1(0, Z0)
	BIAS1(4, Z1)
	BIAS1(8, Z2)
	BIAS1(12, Z3)
	BIAS1(16, Z4)
	BIAS1(20, Z5)
	BIAS1(24, Z6)
	BIAS1(28, Z7)
	JMP loop16

load16:
	LOAD1(Z0)
	LOAD1(Z1)
	LOAD1(Z2)
	LOAD1(Z3)
	LOAD1(Z4)
	LOAD1(Z5)
	LOAD1(Z6)
	LOAD1(Z7)

loop16:
	MOVQ    (R10), R11
	VMOVUPS (DI)(R11*4), Z16
	FMA1(0, Z18, Z0)
	FMA1(4, Z19, Z1)
	FMA1(8, Z20, Z2)
	FMA1(12, Z21, Z3)
	FMA1(16, Z22, Z4)
	FMA1(20, Z23, Z5)
	FMA1(24, Z24, Z6)
	FMA1(28, Z25, Z7)
	ADDQ $32, SI
	ADDQ $8, R10
	DECQ CX
	JNZ  loop16

	MOVQ R9, DX
	STORE1(Z0)
	STORE1(Z1)
	STORE1(Z2)
	STORE1(Z3)
	STORE1(Z4)
	STORE1(Z5)
	STORE1(Z6)
	STORE1(Z7)
	VZEROUPPER
	RET

// WFMA2 adds the slab value at AX + 4·off times the gradient vectors Z16,
// Z17 to one tap's two accumulators.
#define WFMA2(off, w, lo, hi) \
	VBROADCASTSS (AX)(off*4), w; \
	VFMADD231PS  Z16, w, lo; \
	VFMADD231PS  Z17, w, hi

// ACC2 adds two accumulators to the row of 32 floats at DX and moves DX to
// the next row.
#define ACC2(lo, hi) \
	VADDPS  (DX), lo, lo; \
	VADDPS  64(DX), hi, hi; \
	VMOVUPS lo, (DX); \
	VMOVUPS hi, 64(DX); \
	ADDQ    R8, DX

// func wgrad8x32AVX512(nrows, ncols int, b *float32, bRowBytes int, off *int, grad *float32, gStride int, acc *float32, ldacc int)
//
// For 8 taps r and 32 channels o it adds
//   Σ_{j<nrows, x<ncols} b[off[r] + j·bRowBytes/4 + x] · grad[(j·ncols+x)·gStride + o]
// to acc[r·ldacc + o]. nrows and ncols must be at least 1.
TEXT ·wgrad8x32AVX512(SB), NOSPLIT, $0-72
	MOVQ b+16(FP), DI
	MOVQ grad+40(FP), SI
	MOVQ gStride+48(FP), BX
	SHLQ $2, BX
	MOVQ off+32(FP), AX
	MOVQ 0(AX), R8
	MOVQ 8(AX), R9
	MOVQ 16(AX), R10
	MOVQ 24(AX), R11
	MOVQ 32(AX), R12
	MOVQ 40(AX), R13
	MOVQ 48(AX), R14
	MOVQ 56(AX), R15
	MOVQ nrows+0(FP), DX

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

wrow:
	MOVQ ncols+8(FP), CX
	MOVQ DI, AX

wcol:
	VMOVUPS (SI), Z16
	VMOVUPS 64(SI), Z17
	WFMA2(R8, Z18, Z0, Z1)
	WFMA2(R9, Z19, Z2, Z3)
	WFMA2(R10, Z20, Z4, Z5)
	WFMA2(R11, Z21, Z6, Z7)
	WFMA2(R12, Z22, Z8, Z9)
	WFMA2(R13, Z23, Z10, Z11)
	WFMA2(R14, Z24, Z12, Z13)
	WFMA2(R15, Z25, Z14, Z15)
	ADDQ BX, SI
	ADDQ $4, AX
	DECQ CX
	JNZ  wcol

	ADDQ bRowBytes+24(FP), DI
	DECQ DX
	JNZ  wrow

	MOVQ acc+56(FP), DX
	MOVQ ldacc+64(FP), R8
	SHLQ $2, R8
	ACC2(Z0, Z1)
	ACC2(Z2, Z3)
	ACC2(Z4, Z5)
	ACC2(Z6, Z7)
	ACC2(Z8, Z9)
	ACC2(Z10, Z11)
	ACC2(Z12, Z13)
	ACC2(Z14, Z15)
	VZEROUPPER
	RET
