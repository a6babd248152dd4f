package nn

// The pure-Go SGEMM follows the loop structure of Goto and van de Geijn,
// "Anatomy of high-performance matrix multiplication", ACM Transactions on
// Mathematical Software 34(3) (2008), doi:10.1145/1356052.1356053. It is
// laid out as in BLIS (Van Zee and van de Geijn, "BLIS: A framework for
// rapidly instantiating BLAS functionality", ACM TOMS 41(3), 2015). B is
// copied into panels of gemmNR columns and A into panels of gemmMR rows,
// both k-major. A register-blocked micro-kernel multiplies one A panel by
// one B panel into a gemmMR×gemmNR block of C.

// Micro-tile and block sizes. A B micro-panel (gemmKC×gemmNR floats, 24 KiB)
// stays in a 48 KiB L1 data cache while the micro-kernel runs through the A
// panels of one block (gemmMC×gemmKC floats, 180 KiB) held in L2.
const (
	gemmMR = 6
	gemmNR = 16
	gemmKC = 384
	gemmMC = 120
	gemmNC = 1536
)

// gemmWorkspace holds the packed panels of one goroutine's SGEMM calls.
type gemmWorkspace struct {
	packedA []float32
	packedB []float32
	edge    [gemmMR * gemmNR]float32
}

// kernelFunc computes the gemmMR×gemmNR block C = A·B, or C += A·B when
// accumulate is set, from a packed A panel (k columns of gemmMR values) and a
// packed B panel (k rows of gemmNR values). C has row stride ldc.
type kernelFunc func(k int, a, b, c []float32, ldc int, accumulate bool)

// gemmGo computes C = op(A)·op(B) + beta·C for row-major matrices, where
// op(A) is m×k and op(B) is k×n, with the kernel of this build. op(A) is A
// (m×k, row stride lda) or, when transA is set, the transpose of A stored
// k×m; likewise for B. beta must be 0 or 1; with beta 0 the old contents of C
// are ignored, so they may be NaN.
func (ws *gemmWorkspace) gemmGo(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ws.gemmWith(gemmKernel, transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

func (ws *gemmWorkspace) gemmWith(kernel kernelFunc, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if beta != 0 && beta != 1 {
		panic("nn: internal error: gemm beta must be 0 or 1")
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if beta == 0 {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}

	// Split k into blocks of equal size, so that K = 288 (3×3 taps of 32
	// channels) runs as one block rather than as 256 + 32.
	kBlocks := (k + gemmKC - 1) / gemmKC
	kcMax := (k + kBlocks - 1) / kBlocks
	ws.grow(min(m, gemmMC), min(n, gemmNC), kcMax)

	for jc := 0; jc < n; jc += gemmNC {
		nc := min(gemmNC, n-jc)
		for pc := 0; pc < k; pc += kcMax {
			kc := min(kcMax, k-pc)
			packB(ws.packedB, transB, b, ldb, pc, kc, jc, nc)
			accumulate := pc > 0 || beta == 1
			for ic := 0; ic < m; ic += gemmMC {
				mc := min(gemmMC, m-ic)
				packA(ws.packedA, transA, a, lda, ic, mc, pc, kc)
				ws.macroKernel(kernel, mc, nc, kc, c[ic*ldc+jc:], ldc, accumulate)
			}
		}
	}
}

func (ws *gemmWorkspace) grow(mc, nc, kc int) {
	if n := roundUp(mc, gemmMR) * kc; len(ws.packedA) < n {
		ws.packedA = make([]float32, n)
	}
	if n := roundUp(nc, gemmNR) * kc; len(ws.packedB) < n {
		ws.packedB = make([]float32, n)
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// macroKernel multiplies the packed mc×kc block of A by the packed kc×nc
// block of B into C. Blocks of C that extend past mc or nc are computed in
// ws.edge and copied.
func (ws *gemmWorkspace) macroKernel(kernel kernelFunc, mc, nc, kc int, c []float32, ldc int, accumulate bool) {
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		bp := ws.packedB[jr*kc : (jr+gemmNR)*kc]
		for ir := 0; ir < mc; ir += gemmMR {
			mr := min(gemmMR, mc-ir)
			ap := ws.packedA[ir*kc : (ir+gemmMR)*kc]
			if mr == gemmMR && nr == gemmNR {
				kernel(kc, ap, bp, c[ir*ldc+jr:], ldc, accumulate)
				continue
			}
			kernel(kc, ap, bp, ws.edge[:], gemmNR, false)
			for i := range mr {
				dst := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+nr]
				src := ws.edge[i*gemmNR : i*gemmNR+nr]
				if accumulate {
					for j := range dst {
						dst[j] += src[j]
					}
				} else {
					copy(dst, src)
				}
			}
		}
	}
}

// packA copies rows [ic, ic+mc) and columns [pc, pc+kc) of op(A) into
// panels of gemmMR rows. Panel i holds, for each column p, the gemmMR values
// of that column contiguously; rows past mc are zero.
func packA(dst []float32, trans bool, a []float32, lda, ic, mc, pc, kc int) {
	for i := 0; i < mc; i += gemmMR {
		panel := dst[i*kc : (i+gemmMR)*kc]
		mr := min(gemmMR, mc-i)
		if trans {
			// Column p of op(A) is row pc+p of A: contiguous.
			for p := range kc {
				src := a[(pc+p)*lda+ic+i:]
				d := panel[p*gemmMR : p*gemmMR+gemmMR]
				n := copy(d[:mr], src[:mr])
				clear(d[n:])
			}
			continue
		}
		for ii := range gemmMR {
			if ii >= mr {
				for p := range kc {
					panel[p*gemmMR+ii] = 0
				}
				continue
			}
			src := a[(ic+i+ii)*lda+pc : (ic+i+ii)*lda+pc+kc]
			for p, v := range src {
				panel[p*gemmMR+ii] = v
			}
		}
	}
}

// packB copies rows [pc, pc+kc) and columns [jc, jc+nc) of op(B) into
// panels of gemmNR columns. Panel j holds, for each row p, the gemmNR values
// of that row contiguously; columns past nc are zero.
func packB(dst []float32, trans bool, b []float32, ldb, pc, kc, jc, nc int) {
	for j := 0; j < nc; j += gemmNR {
		panel := dst[j*kc : (j+gemmNR)*kc]
		nr := min(gemmNR, nc-j)
		if !trans {
			for p := range kc {
				src := b[(pc+p)*ldb+jc+j:]
				d := panel[p*gemmNR : p*gemmNR+gemmNR]
				n := copy(d[:nr], src[:nr])
				clear(d[n:])
			}
			continue
		}
		// Row p of op(B) is column pc+p of B: gather it from nr rows of B.
		for jj := range gemmNR {
			if jj >= nr {
				for p := range kc {
					panel[p*gemmNR+jj] = 0
				}
				continue
			}
			src := b[(jc+j+jj)*ldb+pc : (jc+j+jj)*ldb+pc+kc]
			for p, v := range src {
				panel[p*gemmNR+jj] = v
			}
		}
	}
}
