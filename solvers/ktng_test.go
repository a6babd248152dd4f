package solvers

import (
	"testing"

	"github.com/skyinv/skyinv/internal/ktng"
	"github.com/skyinv/skyinv/kaiser"
)

func TestWienerOnKappaTNG(t *testing.T) {
	const minR = 0.56
	f := ktng.Load(t)
	p := WienerProblem{NX: f.NX, NY: f.NY, Power: f.Power, NoiseVar: f.NoiseVar, PixelFrame: true}

	m, err := NewMessenger(p)
	if err != nil {
		t.Fatal(err)
	}
	mf, mres, err := m.Solve(f.G1, f.G2, Settings{Tol: 1e-7, MaxIter: 5000})
	if err != nil {
		t.Fatal(err)
	}
	cg, cres, err := WienerCG(p, f.G1, f.G2, Settings{Tol: 1e-8, MaxIter: 2000})
	if err != nil {
		t.Fatal(err)
	}

	ks := func(smooth float64) []float64 {
		tr, _ := kaiser.New(f.NX, f.NY, kaiser.Options{SmoothArcmin: smooth, PixelArcmin: f.PixelArcmin, PixelFrame: true})
		k := make([]float64, f.NX*f.NY)
		tr.Convergence(k, nil, f.G1, f.G2)
		return k
	}
	rWF, eWF := f.Stats(mf)
	rCG, eCG := f.Stats(cg)
	rKS, eKS := f.Stats(ks(0))
	rKS1, eKS1 := f.Stats(ks(1))
	sp, sres, err := Sparse(SparseProblem{NX: f.NX, NY: f.NY, NoiseVar: f.NoiseVar, PixelFrame: true, Seed: 1}, f.G1, f.G2, Settings{Tol: 1e-3, MaxIter: 1000})
	if err != nil {
		t.Fatal(err)
	}
	rSp, eSp := f.Stats(sp)
	diff := make([]float64, len(mf))
	for i := range mf {
		diff[i] = mf[i] - cg[i]
	}
	agree := rmsOf(diff) / rmsOf(cg)
	t.Logf("messenger: %d iterations (residual %.2g); CG: %d iterations (residual %.2g); difference %.2g of the map rms", mres.Iterations, mres.Residual, cres.Iterations, cres.Residual, agree)
	t.Logf("inside the mask:   Pearson r   RMSE")
	t.Logf("KS, raw            %.4f   %.5f", rKS, eKS)
	t.Logf("KS, 1 arcmin       %.4f   %.5f", rKS1, eKS1)
	t.Logf("Wiener, messenger  %.4f   %.5f", rWF, eWF)
	t.Logf("Wiener, CG         %.4f   %.5f", rCG, eCG)
	t.Logf("sparse, K = 3      %.4f   %.5f   (%d iterations)", rSp, eSp, sres.Iterations)

	if !(rWF >= minR) {
		t.Errorf("Wiener filter Pearson r = %.4f, want >= %.2f", rWF, minR)
	}
	if !(eWF < eKS) {
		t.Errorf("Wiener RMSE %.5f is not below the raw KS RMSE %.5f", eWF, eKS)
	}
	if !(rSp > 0.4) {
		t.Errorf("sparse Pearson r = %.4f, want > 0.4", rSp)
	}
	if !(agree < 1e-4) {
		t.Errorf("messenger and CG differ by %.3g of the map rms, want < 1e-4", agree)
	}
}
