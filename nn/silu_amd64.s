//go:build amd64 && !purego && !openblas

#include "textflag.h"

// Constants of exp32, as float32 bits: log2(e), ln 2 in a high and a low
// part, and the Taylor coefficients 1, 1/2, 1/6, 1/24, 1/120, 1/720,
// 1/5040; then the clamp of the exponent's argument to [-100, 100], wide
// enough that VSCALEFPS overflows to +Inf above 88.7, as exp32 does, and
// narrow enough that n·ln 2 stays exact.
DATA siluconst<>+0(SB)/4, $0x3fb8aa3b
DATA siluconst<>+4(SB)/4, $0x3f317200
DATA siluconst<>+8(SB)/4, $0x35bfbe8e
DATA siluconst<>+12(SB)/4, $0x3f800000
DATA siluconst<>+16(SB)/4, $0x3f000000
DATA siluconst<>+20(SB)/4, $0x3e2aaaab
DATA siluconst<>+24(SB)/4, $0x3d2aaaab
DATA siluconst<>+28(SB)/4, $0x3c088889
DATA siluconst<>+32(SB)/4, $0x3ab60b61
DATA siluconst<>+36(SB)/4, $0x39500d01
DATA siluconst<>+40(SB)/4, $0x42c80000
DATA siluconst<>+44(SB)/4, $0xc2c80000
GLOBL siluconst<>(SB), RODATA|NOPTR, $48

// LOADCONST broadcasts the constants into Z20-Z31 and zeroes Z19.
#define LOADCONST \
	VBROADCASTSS siluconst<>+0(SB), Z20; \
	VBROADCASTSS siluconst<>+4(SB), Z21; \
	VBROADCASTSS siluconst<>+8(SB), Z22; \
	VBROADCASTSS siluconst<>+12(SB), Z23; \
	VBROADCASTSS siluconst<>+16(SB), Z24; \
	VBROADCASTSS siluconst<>+20(SB), Z25; \
	VBROADCASTSS siluconst<>+24(SB), Z26; \
	VBROADCASTSS siluconst<>+28(SB), Z27; \
	VBROADCASTSS siluconst<>+32(SB), Z28; \
	VBROADCASTSS siluconst<>+36(SB), Z29; \
	VBROADCASTSS siluconst<>+40(SB), Z30; \
	VBROADCASTSS siluconst<>+44(SB), Z31; \
	VPXORD       Z19, Z19, Z19

// ONEPLUSEXP sets Z4 = 1 + e^-x for x in Z0, as exp32 does: t = -x clamped
// to [-100, 100], n = round(t·log2 e), r = t - n·ln 2, the degree-7 Taylor
// polynomial of e^r, scaled by 2^n. It uses Z1-Z3.
#define ONEPLUSEXP \
	VSUBPS       Z0, Z19, Z1; \
	VMINPS       Z30, Z1, Z1; \
	VMAXPS       Z31, Z1, Z1; \
	VMULPS       Z20, Z1, Z2; \
	VRNDSCALEPS  $0, Z2, Z2; \
	VMOVAPS      Z1, Z3; \
	VFNMADD231PS Z21, Z2, Z3; \
	VFNMADD231PS Z22, Z2, Z3; \
	VMOVAPS      Z29, Z4; \
	VFMADD213PS  Z28, Z3, Z4; \
	VFMADD213PS  Z27, Z3, Z4; \
	VFMADD213PS  Z26, Z3, Z4; \
	VFMADD213PS  Z25, Z3, Z4; \
	VFMADD213PS  Z24, Z3, Z4; \
	VFMADD213PS  Z23, Z3, Z4; \
	VFMADD213PS  Z23, Z3, Z4; \
	VSCALEFPS    Z2, Z4, Z4; \
	VADDPS       Z23, Z4, Z4

// func siluAVX512(dst, src *float32, n int)
//
// dst[i] = src[i] / (1 + e^-src[i]) for i < n, n a multiple of 16.
TEXT ·siluAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ   siludone
	LOADCONST

siluloop:
	VMOVUPS (SI), Z0
	ONEPLUSEXP
	VDIVPS  Z4, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     siluloop

siludone:
	VZEROUPPER
	RET

// func siluGradAVX512(dst, src, grad *float32, n int)
//
// dst[i] = grad[i]·s·(1 + x·(1 - s)) with x = src[i], s = 1/(1 + e^-x), for
// i < n, n a multiple of 16.
TEXT ·siluGradAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ grad+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   graddone
	LOADCONST

gradloop:
	VMOVUPS     (SI), Z0
	ONEPLUSEXP
	VDIVPS      Z4, Z23, Z5
	VSUBPS      Z5, Z23, Z6
	VFMADD213PS Z23, Z0, Z6
	VMULPS      Z5, Z6, Z6
	VMULPS      (DX), Z6, Z6
	VMOVUPS     Z6, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DX
	ADDQ        $64, DI
	DECQ        CX
	JNZ         gradloop

graddone:
	VZEROUPPER
	RET
