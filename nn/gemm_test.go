package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveGemm computes C = op(A)·op(B) + beta·C in float64, and the sum of the
// magnitudes of the terms of each element, which bounds its rounding error.
func naiveGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (out, magnitude []float64) {
	out = make([]float64, m*n)
	magnitude = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for p := range k {
				av := a[i*lda+p]
				if transA {
					av = a[p*lda+i]
				}
				bv := b[p*ldb+j]
				if transB {
					bv = b[j*ldb+p]
				}
				s += float64(av) * float64(bv)
				abs += math.Abs(float64(av) * float64(bv))
			}
			out[i*n+j] = s + float64(beta)*float64(c[i*ldc+j])
			magnitude[i*n+j] = abs + math.Abs(float64(beta)*float64(c[i*ldc+j]))
		}
	}
	return out, magnitude
}

func randomSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// TestGemmKernels compares both micro-kernels, through the blocked driver,
// with a float64 product. The shapes exercise partial micro-tiles, several
// k blocks, several m and n blocks, transposes and row strides wider than
// the matrices.
func TestGemmKernels(t *testing.T) {
	// Error relative to the sum of the terms' magnitudes: float32 rounding
	// of sums of up to 800 terms, mostly in blocks of 384.
	const tol = 1e-5
	kernels := map[string]kernelFunc{"go": goKernel, gemmKernelName: gemmKernel}
	shapes := [][3]int{{1, 1, 1}, {5, 7, 3}, {6, 16, 10}, {13, 33, 290}, {32, 40, 800}, {130, 1600, 20}}
	rng := rand.New(rand.NewPCG(1, 2))
	for name, kernel := range kernels {
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			for _, transA := range []bool{false, true} {
				for _, transB := range []bool{false, true} {
					for _, beta := range []float32{0, 1} {
						t.Run(fmt.Sprintf("%s/%dx%dx%d/tA=%v,tB=%v,beta=%v", name, m, n, k, transA, transB, beta), func(t *testing.T) {
							lda, ldb, ldc := k+2, n+3, n+1
							if transA {
								lda = m + 2
							}
							if transB {
								ldb = k + 3
							}
							a := randomSlice(rng, max(m, k)*lda)
							b := randomSlice(rng, max(n, k)*ldb)
							c := randomSlice(rng, m*ldc)
							want, magnitude := naiveGemm(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
							padding := c[n]
							var ws gemmWorkspace
							ws.gemmWith(kernel, transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
							for i := range m {
								for j := range n {
									got := float64(c[i*ldc+j])
									if d := math.Abs(got - want[i*n+j]); d > tol*magnitude[i*n+j] {
										t.Fatalf("C[%d,%d] = %g, expected %g", i, j, got, want[i*n+j])
									}
								}
							}
							if c[n] != padding {
								t.Errorf("C[0,%d], past the last column, changed from %g to %g", n, padding, c[n])
							}
						})
					}
				}
			}
		}
	}
}
