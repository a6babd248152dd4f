//go:build !openblas

package nn

// sgemm computes C = op(A)·op(B) + beta·C with the pure-Go SGEMM. See
// gemmGo for the arguments.
func (ws *gemmWorkspace) sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ws.gemmGo(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

// backendName names the SGEMM that sgemm calls, for benchmark output.
func backendName() string { return gemmKernelName }
