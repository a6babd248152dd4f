package nn

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemmBenchShapes are the products of a 3×3 convolution with 32 and 128
// channels on a tile of 4 rows of 360 pixels: the forward pass and the input
// gradient (m = output channels, n = pixels, k = taps) and the weight
// gradient (n and k swapped, B transposed).
var gemmBenchShapes = []struct {
	name    string
	m, n, k int
	transB  bool
}{
	{"fwd32", 32, 1440, 288, false},
	{"wgrad32", 32, 288, 1440, true},
	{"fwd128", 128, 1440, 1152, false},
}

func BenchmarkGemm(b *testing.B) {
	for _, s := range gemmBenchShapes {
		ldb := s.n
		if s.transB {
			ldb = s.k
		}
		a := make([]float32, s.m*s.k)
		bm := make([]float32, s.k*s.n)
		c := make([]float32, s.m*s.n)
		for i := range a {
			a[i] = float32(i%7) * 0.1
		}
		for i := range bm {
			bm[i] = float32(i%5) * 0.1
		}
		flops := 2 * float64(s.m*s.n*s.k)
		report := func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		kernels := map[string]kernelFunc{"go": goKernel, gemmKernelName: gemmKernel}
		for name, kernel := range kernels {
			b.Run(fmt.Sprintf("%s/%s", s.name, name), func(b *testing.B) {
				var ws gemmWorkspace
				for b.Loop() {
					ws.gemmWith(kernel, false, s.transB, s.m, s.n, s.k, a, s.k, bm, ldb, 0, c, s.n)
				}
				report(b)
			})
		}
		b.Run(s.name+"/gonum", func(b *testing.B) {
			tB := blas.NoTrans
			if s.transB {
				tB = blas.Trans
			}
			for b.Loop() {
				gonum.Implementation{}.Sgemm(blas.NoTrans, tB, s.m, s.n, s.k, 1, a, s.k, bm, ldb, 0, c, s.n)
			}
			report(b)
		})
	}
}
