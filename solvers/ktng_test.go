package solvers

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/catalog"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/shareddata"
	"github.com/skyinv/skyinv/internal/spin2"
	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/shearmap"
	"github.com/skyinv/skyinv/skymap"
)

// ktngField is the kappaTNG test field: true convergence, noisy shear inside
// the COSMOS mask, and the noise variance per pixel from the COSMOS
// catalogue binned on the same grid. All are in the arrays' own orientation,
// with RA increasing with x: the mirror image of the toolkit's maps.
type ktngField struct {
	nx, ny      int
	pixelArcmin float64
	truth       []float64
	g1, g2      []float64
	noiseVar    []float64 // +Inf outside the mask
	mask        []bool
	power       []float64
}

func loadKTNG(t *testing.T) *ktngField {
	t.Helper()
	read := func(rel string) *fits.ImageHDU {
		img, err := fits.ReadImage(shareddata.Path(t, rel), "")
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	truth := read("ktng/kappa_truth_360.fits")
	shear := read("ktng/shear_cosmos_noise_360.fits")
	mask := read("cosmos/cosmos_mask_360.fits")
	catPath := shareddata.Path(t, "cosmos/cosmos_shear_cat.fits")
	psPath := shareddata.Path(t, "ktng/ps_theory.txt")

	const n, pixelArcmin = 360, 0.29
	f := &ktngField{nx: n, ny: n, pixelArcmin: pixelArcmin, truth: truth.Data}
	f.g1, f.g2 = make([]float64, n*n), make([]float64, n*n)
	f.noiseVar = make([]float64, n*n)
	f.mask = make([]bool, n*n)

	// The noise of the mean shear per pixel, from the real catalogue on the
	// published grid. The binned maps have East to the left; the kappaTNG
	// arrays are their mirror image.
	cat, err := catalog.Read(catPath, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	grid, _ := skymap.NewGrid(n, n, pixelArcmin, skymap.PlateCarree, 150.1161025, 2.247490268)
	field, err := shearmap.Bin(grid, cat.RA, cat.Dec, cat.E1, cat.E2, cat.Weight)
	if err != nil {
		t.Fatal(err)
	}
	for y := range n {
		for x := range n {
			i := y*n + x
			f.noiseVar[i] = math.Inf(1)
			if mask.Data[i] > 0 {
				f.mask[i] = true
				f.g1[i], f.g2[i] = shear.Data[2*i], shear.Data[2*i+1]
				std := field.Std[y*n+(n-1-x)]
				if !math.IsNaN(std) {
					f.noiseVar[i] = std * std
				}
			}
		}
	}

	// The prior: C_ℓ from the theory table, log-log interpolated.
	ell, cl := readTable(t, psPath)
	p := pixelArcmin / 60 * math.Pi / 180
	fx, fy := spin2.Frequencies(n), spin2.Frequencies(n)
	f.power = make([]float64, n*n)
	for y := range n {
		for x := range n {
			k := math.Hypot(fx[x], fy[y])
			if k == 0 {
				continue
			}
			f.power[y*n+x] = interpLogLog(ell, cl, 2*math.Pi*k/p) * float64(n*n) / (p * p)
		}
	}
	return f
}

func readTable(t *testing.T, path string) (x, y []float64) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		a, _ := strconv.ParseFloat(f[0], 64)
		b, _ := strconv.ParseFloat(f[1], 64)
		x, y = append(x, a), append(y, b)
	}
	return x, y
}

func interpLogLog(x, y []float64, v float64) float64 {
	if v <= x[0] {
		return y[0]
	}
	for i := 1; i < len(x); i++ {
		if v <= x[i] {
			u := math.Log(v/x[i-1]) / math.Log(x[i]/x[i-1])
			return math.Exp(math.Log(y[i-1]) + u*math.Log(y[i]/y[i-1]))
		}
	}
	return y[len(y)-1]
}

func maskedStats(est, truth []float64, mask []bool) (r, rmse float64) {
	var n, se, st float64
	for i, m := range mask {
		if m {
			n++
			se += est[i]
			st += truth[i]
		}
	}
	me, mt := se/n, st/n
	var cov, ve, vt, sq float64
	for i, m := range mask {
		if m {
			de, dt := est[i]-me, truth[i]-mt
			cov += de * dt
			ve += de * de
			vt += dt * dt
			sq += (est[i] - truth[i]) * (est[i] - truth[i])
		}
	}
	return cov / math.Sqrt(ve*vt), math.Sqrt(sq / n)
}

func TestWienerOnKappaTNG(t *testing.T) {
	const minR = 0.56
	f := loadKTNG(t)
	p := WienerProblem{NX: f.nx, NY: f.ny, Power: f.power, NoiseVar: f.noiseVar, PixelFrame: true}

	m, err := NewMessenger(p)
	if err != nil {
		t.Fatal(err)
	}
	mf, mres, err := m.Solve(f.g1, f.g2, Settings{Tol: 1e-7, MaxIter: 5000})
	if err != nil {
		t.Fatal(err)
	}
	cg, cres, err := WienerCG(p, f.g1, f.g2, Settings{Tol: 1e-8, MaxIter: 2000})
	if err != nil {
		t.Fatal(err)
	}

	ks := func(smooth float64) []float64 {
		tr, _ := kaiser.New(f.nx, f.ny, kaiser.Options{SmoothArcmin: smooth, PixelArcmin: f.pixelArcmin, PixelFrame: true})
		k := make([]float64, f.nx*f.ny)
		tr.Convergence(k, nil, f.g1, f.g2)
		return k
	}
	rWF, eWF := maskedStats(mf, f.truth, f.mask)
	rCG, eCG := maskedStats(cg, f.truth, f.mask)
	rKS, eKS := maskedStats(ks(0), f.truth, f.mask)
	rKS1, eKS1 := maskedStats(ks(1), f.truth, f.mask)
	sp, sres, err := Sparse(SparseProblem{NX: f.nx, NY: f.ny, NoiseVar: f.noiseVar, PixelFrame: true, Seed: 1}, f.g1, f.g2, Settings{Tol: 1e-3, MaxIter: 1000})
	if err != nil {
		t.Fatal(err)
	}
	rSp, eSp := maskedStats(sp, f.truth, f.mask)
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
