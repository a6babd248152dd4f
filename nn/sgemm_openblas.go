//go:build openblas

package nn

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

// With the openblas build tag every layer calls cblas_sgemm on each worker
// goroutine, so OpenBLAS's own threads would only compete with the workers.
// init therefore limits OpenBLAS to one thread for the whole process.
func init() {
	C.openblas_set_num_threads(1)
}

// sgemm computes C = op(A)·op(B) + beta·C with OpenBLAS's cblas_sgemm. See
// gemmGo for the arguments. ws is used only when k is 0.
func (ws *gemmWorkspace) sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		ws.gemmGo(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	ta, tb := uint32(C.CblasNoTrans), uint32(C.CblasNoTrans)
	if transA {
		ta = C.CblasTrans
	}
	if transB {
		tb = C.CblasTrans
	}
	C.cblas_sgemm(C.CblasRowMajor, ta, tb, C.blasint(m), C.blasint(n), C.blasint(k),
		1, (*C.float)(&a[0]), C.blasint(lda), (*C.float)(&b[0]), C.blasint(ldb),
		C.float(beta), (*C.float)(&c[0]), C.blasint(ldc))
}

func backendName() string { return "openblas" }
