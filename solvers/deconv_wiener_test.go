package solvers_test

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/shareddata"
	"github.com/skyinv/skyinv/operators"
	"github.com/skyinv/skyinv/solvers"
)

// With a given, non-flat power spectrum the estimate is
// H* P Y / (|H|² P + σ²) mode by mode.
func TestWienerDeconvMatchesClosedForm(t *testing.T) {
	const (
		nx, ny, kx, ky = 10, 8, 4, 3
		noiseVar       = 0.3
		tol            = 1e-12 // relative to max|x|
	)
	rng := rand.New(rand.NewPCG(4, 4))
	psf := positiveImage(rng, kx*ky)
	y := randomImage(rng, nx*ny)
	power := positiveImage(rng, nx*ny)
	power[7] = 0 // a mode removed from the estimate

	got, err := solvers.WienerDeconvolve(nil, y, nx, ny, psf, kx, ky, solvers.WienerDeconvPrior{NoiseVar: noiseVar, SignalPower: power})
	if err != nil {
		t.Fatal(err)
	}
	h := transferFunction(psf, kx, ky, nx, ny)
	want := fourierFilter(y, nx, ny, func(k int) complex128 {
		h2 := real(h[k])*real(h[k]) + imag(h[k])*imag(h[k])
		return cmplx.Conj(h[k]) * complex(power[k]/(h2*power[k]+noiseVar), 0)
	})
	if d := maxAbsDiff(got, want); d > tol*maxAbs(want) {
		t.Errorf("max |x − closed form| = %.3g, want ≤ %.3g", d, tol*maxAbs(want))
	}

	// In place, dst = y.
	inPlace := append([]float64(nil), y...)
	if _, err := solvers.WienerDeconvolve(inPlace, inPlace, nx, ny, psf, kx, ky, solvers.WienerDeconvPrior{NoiseVar: noiseVar, SignalPower: power}); err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(inPlace, got); d != 0 {
		t.Errorf("in place differs by %.3g", d)
	}
}

// A flat prior S is Tikhonov regularisation with λ = σ²/S.
func TestWienerDeconvFlatPriorIsTikhonov(t *testing.T) {
	const (
		nx, ny, kx, ky = 16, 14, 6, 6
		noiseVar       = 0.02
		signalVar      = 0.5
		tol            = 1e-9
	)
	rng := rand.New(rand.NewPCG(7, 1))
	psf := positiveImage(rng, kx*ky)
	y := randomImage(rng, nx*ny)
	wiener, err := solvers.WienerDeconvolve(nil, y, nx, ny, psf, kx, ky, solvers.WienerDeconvPrior{NoiseVar: noiseVar, SignalVar: signalVar})
	if err != nil {
		t.Fatal(err)
	}
	a, err := operators.NewConvolution(nx, ny, psf, kx, ky, operators.Periodic)
	if err != nil {
		t.Fatal(err)
	}
	tik, _, err := solvers.Tikhonov(nil, a, y, noiseVar/signalVar, solvers.Settings{Tol: 1e-13, MaxIter: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(wiener, tik); d > tol*maxAbs(tik) {
		t.Errorf("max |Wiener − Tikhonov| = %.3g, want ≤ %.3g", d, tol*maxAbs(tik))
	}
}

func TestWienerDeconvRejectsInvalidInput(t *testing.T) {
	const nx, ny = 8, 8
	y := make([]float64, nx*ny)
	psf := []float64{1, 2, 1, 2, 4, 2, 1, 2, 1}
	flat := solvers.WienerDeconvPrior{NoiseVar: 1, SignalVar: 1}
	cases := []struct {
		name   string
		psf    []float64
		kx, ky int
		prior  solvers.WienerDeconvPrior
	}{
		{"zero noise variance", psf, 3, 3, solvers.WienerDeconvPrior{SignalVar: 1}},
		{"NaN noise variance", psf, 3, 3, solvers.WienerDeconvPrior{NoiseVar: math.NaN(), SignalVar: 1}},
		{"zero flat power", psf, 3, 3, solvers.WienerDeconvPrior{NoiseVar: 1}},
		{"negative power", psf, 3, 3, solvers.WienerDeconvPrior{NoiseVar: 1, SignalPower: append(make([]float64, nx*ny-1), -1)}},
		{"power of wrong length", psf, 3, 3, solvers.WienerDeconvPrior{NoiseVar: 1, SignalPower: make([]float64, 5)}},
		{"PSF with NaN", []float64{1, math.NaN(), 1, 1}, 2, 2, flat},
		{"PSF summing to zero", []float64{1, -1, 1, -1}, 2, 2, flat},
		{"PSF larger than image", make([]float64, 81), 9, 9, flat},
		{"PSF of wrong length", psf, 2, 2, flat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := solvers.WienerDeconvolve(nil, y, nx, ny, c.psf, c.kx, c.ky, c.prior); err == nil {
				t.Error("no error")
			}
		})
	}
}

// hstStamp is one galaxy of the AEGIS F814W sample with its PSF.
type hstStamp struct {
	name     string
	nx, ny   int
	image    []float64
	psf      []float64 // 20 x 20, normalised to unit sum
	psfSum   float64   // the sum before normalisation
	noiseVar float64   // per pixel, from the catalogue
}

const hstPSFSide = 20

// loadHST reads the five stamps listed in the catalogue, or skips the test
// when the data set is absent.
func loadHST(t *testing.T) []hstStamp {
	t.Helper()
	catPath := shareddata.Path(t, "hst/AEGIS_F814w_catalog.fits")
	cat, err := fits.ReadTable(catPath, "")
	if err != nil {
		t.Fatal(err)
	}
	galFiles, err := cat.Strings("GAL_FILENAME")
	if err != nil {
		t.Fatal(err)
	}
	psfFiles, err := cat.Strings("PSF_FILENAME")
	if err != nil {
		t.Fatal(err)
	}
	columns := map[string][]float64{}
	for _, name := range []string{"GAL_HDU", "PSF_HDU", "NOISE_VARIANCE"} {
		v, _, err := cat.Float64(name)
		if err != nil {
			t.Fatal(err)
		}
		columns[name] = v
	}

	var stamps []hstStamp
	for i := range galFiles {
		galHDU := strconv.Itoa(int(columns["GAL_HDU"][i]))
		psfHDU := strconv.Itoa(int(columns["PSF_HDU"][i]))
		img, err := fits.ReadImage(shareddata.Path(t, "hst/"+galFiles[i]), galHDU)
		if err != nil {
			t.Fatal(err)
		}
		psf, err := fits.ReadImage(shareddata.Path(t, "hst/"+psfFiles[i]), psfHDU)
		if err != nil {
			t.Fatal(err)
		}
		if len(img.Axes) != 2 || len(psf.Axes) != 2 || psf.Axes[0] != hstPSFSide || psf.Axes[1] != hstPSFSide {
			t.Fatalf("stamp %d: image axes %v, PSF axes %v", i, img.Axes, psf.Axes)
		}
		sum := 0.0
		for _, v := range psf.Data {
			sum += v
		}
		unit := make([]float64, len(psf.Data))
		for k, v := range psf.Data {
			unit[k] = v / sum
		}
		stamps = append(stamps, hstStamp{
			name:     fmt.Sprintf("%s[%s]", galFiles[i], galHDU),
			nx:       img.Axes[0],
			ny:       img.Axes[1],
			image:    img.Data,
			psf:      unit,
			psfSum:   sum,
			noiseVar: columns["NOISE_VARIANCE"][i],
		})
	}
	return stamps
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func rmsDiff(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s / float64(len(a)))
}

func countNonFinite(v []float64) int {
	n := 0
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			n++
		}
	}
	return n
}

// flatSignalVar is the flat signal power that the deconv command uses by
// default: the mean square of the data less the noise variance.
func flatSignalVar(y []float64, noiseVar float64) float64 {
	ms := 0.0
	for _, v := range y {
		ms += v * v
	}
	return ms/float64(len(y)) - noiseVar
}

// rlOffset returns 1.5 times the smallest offset that Richardson-Lucy
// accepts for y, read from the error it returns without one. It fails the
// test when y has negative pixels that the error does not count.
func rlOffset(t *testing.T, a operators.Operator, y []float64) float64 {
	t.Helper()
	negative := 0
	for _, v := range y {
		if v < 0 {
			negative++
		}
	}
	_, _, err := solvers.RichardsonLucy(nil, a, y, 0, solvers.Settings{MaxIter: 1})
	var neg *solvers.NegativeDataError
	if negative == 0 {
		if err != nil {
			t.Fatalf("data without negative pixels: %v", err)
		}
		return 0
	}
	if !errors.As(err, &neg) {
		t.Fatalf("data with %d negative pixels: err = %v, want a *NegativeDataError", negative, err)
	}
	if neg.Count != negative {
		t.Errorf("NegativeDataError counts %d pixels, the data have %d", neg.Count, negative)
	}
	return 1.5 * neg.MinOffset
}

// rlIterations is the fixed iteration count used on the noisy stamps,
// where the iteration is stopped early as its regularisation.
const rlIterations = 10

// Every method returns a finite image of the input's size on each real
// stamp, and Richardson-Lucy conserves the flux.
func TestDeconvHSTStampsFiniteAndFluxConserving(t *testing.T) {
	const fluxTol = 0.01
	for _, st := range loadHST(t) {
		t.Run(st.name, func(t *testing.T) {
			n := st.nx * st.ny
			signalVar := flatSignalVar(st.image, st.noiseVar)
			outputs := map[string][]float64{}

			x, err := solvers.WienerDeconvolve(nil, st.image, st.nx, st.ny, st.psf, hstPSFSide, hstPSFSide, solvers.WienerDeconvPrior{NoiseVar: st.noiseVar, SignalVar: signalVar})
			if err != nil {
				t.Fatalf("wiener: %v", err)
			}
			outputs["wiener"] = x

			zero, err := operators.NewConvolution(st.nx, st.ny, st.psf, hstPSFSide, hstPSFSide, operators.ZeroPad)
			if err != nil {
				t.Fatal(err)
			}
			zero.SetWorkers(1)
			x, res, err := solvers.Tikhonov(nil, zero, st.image, st.noiseVar/signalVar, solvers.Settings{Tol: 1e-6, MaxIter: 200})
			if err != nil {
				t.Fatalf("tikhonov: %v (result %+v)", err, res)
			}
			outputs["tikhonov"] = x

			noise := make([]float64, n)
			for i := range noise {
				noise[i] = st.noiseVar
			}
			x, _, err = solvers.SparseRecover(zero, st.image, noise, solvers.SparseOptions{Seed: 1}, solvers.Settings{Tol: 1e-4, MaxIter: 300})
			if err != nil && !errors.As(err, new(*solvers.NotConvergedError)) {
				t.Fatalf("sparse: %v", err)
			}
			outputs["sparse"] = x

			for _, b := range []operators.Boundary{operators.ZeroPad, operators.Periodic} {
				a, err := operators.NewConvolution(st.nx, st.ny, st.psf, hstPSFSide, hstPSFSide, b)
				if err != nil {
					t.Fatal(err)
				}
				a.SetWorkers(1)
				offset := rlOffset(t, a, st.image)
				x, res, err := solvers.RichardsonLucy(nil, a, st.image, offset, solvers.Settings{Tol: 1e-9, MaxIter: rlIterations})
				if !errors.As(err, new(*solvers.NotConvergedError)) {
					t.Fatalf("rl %v: err = %v, want the iteration cap", b, err)
				}
				outputs["rl "+b.String()] = x

				// Σ A x = Σ y for both boundaries, and Σ x = Σ y for the
				// periodic one; the zero-padded Σ x is logged.
				model := make([]float64, n)
				a.Apply(model, x)
				fy, fx, fm := sum(st.image), sum(x), sum(model)
				if math.Abs(fm-fy) > fluxTol*math.Abs(fy) {
					t.Errorf("rl %v: Σ A x = %.6g, Σ y = %.6g", b, fm, fy)
				}
				if b == operators.Periodic && math.Abs(fx-fy) > fluxTol*math.Abs(fy) {
					t.Errorf("rl %v: Σ x = %.6g, Σ y = %.6g", b, fx, fy)
				}
				t.Logf("rl %v: offset %.4g, Σx/Σy = %.5f, Σ(Ax)/Σy = %.8f, residual %.3f, zero-model pixels %d, clamped %d", b, offset, fx/fy, fm/fy, res.Residual, res.ZeroModel, res.Clamped)
			}

			for name, x := range outputs {
				if len(x) != n {
					t.Errorf("%s: %d values for a %d x %d stamp", name, len(x), st.nx, st.ny)
				}
				if bad := countNonFinite(x); bad > 0 {
					t.Errorf("%s: %d NaN or Inf pixels", name, bad)
				}
			}
		})
	}
}

// Taking a real stamp as the truth, blurring it with its own PSF and adding
// noise of the catalogue's variance, every method must come closer to the
// truth than the blurred data.
func TestDeconvHSTSyntheticLowersRMSError(t *testing.T) {
	for k, st := range loadHST(t) {
		t.Run(st.name, func(t *testing.T) {
			n := st.nx * st.ny
			truth := st.image
			a, err := operators.NewConvolution(st.nx, st.ny, st.psf, hstPSFSide, hstPSFSide, operators.ZeroPad)
			if err != nil {
				t.Fatal(err)
			}
			a.SetWorkers(1)
			y := make([]float64, n)
			a.Apply(y, truth)
			rng := rand.New(rand.NewPCG(2024, uint64(k)))
			sigma := math.Sqrt(st.noiseVar)
			for i := range y {
				y[i] += sigma * rng.NormFloat64()
			}
			blurred := rmsDiff(y, truth)
			signalVar := flatSignalVar(y, st.noiseVar)

			type result struct {
				name string
				x    []float64
			}
			var results []result

			x, err := solvers.WienerDeconvolve(nil, y, st.nx, st.ny, st.psf, hstPSFSide, hstPSFSide, solvers.WienerDeconvPrior{NoiseVar: st.noiseVar, SignalVar: signalVar})
			if err != nil {
				t.Fatal(err)
			}
			results = append(results, result{"wiener, flat power", x})

			// The truth's own periodogram as the power spectrum: the best
			// case for the filter.
			power := periodogram(truth, st.nx, st.ny)
			x, err = solvers.WienerDeconvolve(nil, y, st.nx, st.ny, st.psf, hstPSFSide, hstPSFSide, solvers.WienerDeconvPrior{NoiseVar: st.noiseVar, SignalPower: power})
			if err != nil {
				t.Fatal(err)
			}
			results = append(results, result{"wiener, truth's power", x})

			x, _, err = solvers.Tikhonov(nil, a, y, st.noiseVar/signalVar, solvers.Settings{Tol: 1e-6, MaxIter: 200})
			if err != nil {
				t.Fatal(err)
			}
			results = append(results, result{"tikhonov", x})

			x, _, err = solvers.RichardsonLucy(nil, a, y, rlOffset(t, a, y), solvers.Settings{Tol: 1e-9, MaxIter: rlIterations})
			if !errors.As(err, new(*solvers.NotConvergedError)) {
				t.Fatalf("rl: err = %v, want the iteration cap", err)
			}
			results = append(results, result{"rl", x})

			noise := make([]float64, n)
			for i := range noise {
				noise[i] = st.noiseVar
			}
			x, _, err = solvers.SparseRecover(a, y, noise, solvers.SparseOptions{Seed: 1}, solvers.Settings{Tol: 1e-4, MaxIter: 300})
			if err != nil && !errors.As(err, new(*solvers.NotConvergedError)) {
				t.Fatal(err)
			}
			results = append(results, result{"sparse", x})

			t.Logf("%d x %d, σ = %.4g, λ = σ²/S = %.3g: RMS error of the blurred data %.5f", st.nx, st.ny, sigma, st.noiseVar/signalVar, blurred)
			for _, r := range results {
				e := rmsDiff(r.x, truth)
				t.Logf("  %-22s RMS error %.5f (%.0f%% of the blurred data's)", r.name, e, 100*e/blurred)
				if !(e < blurred) {
					t.Errorf("%s: RMS error %.5f, not below the blurred data's %.5f", r.name, e, blurred)
				}
			}
		})
	}
}

// periodogram returns |X(k)|² / N, the power spectrum normalisation of
// WienerDeconvPrior.
func periodogram(x []float64, nx, ny int) []float64 {
	c := make([]complex128, len(x))
	for i, v := range x {
		c[i] = complex(v, 0)
	}
	f := naiveDFTFast(c, nx, ny)
	p := make([]float64, len(x))
	for i, v := range f {
		p[i] = (real(v)*real(v) + imag(v)*imag(v)) / float64(len(x))
	}
	return p
}

// naiveDFTFast is the 2-D DFT as row transforms then column transforms,
// each summed term by term: O(N (nx + ny)) instead of O(N²), for the
// stamps of up to 156 x 142 pixels.
func naiveDFTFast(v []complex128, nx, ny int) []complex128 {
	dft1 := func(in []complex128) []complex128 {
		n := len(in)
		out := make([]complex128, n)
		for k := range n {
			var acc complex128
			for j, x := range in {
				acc += x * cmplx.Exp(complex(0, -2*math.Pi*float64(k*j%n)/float64(n)))
			}
			out[k] = acc
		}
		return out
	}
	out := make([]complex128, len(v))
	for y := range ny {
		copy(out[y*nx:(y+1)*nx], dft1(v[y*nx:(y+1)*nx]))
	}
	col := make([]complex128, ny)
	for x := range nx {
		for y := range ny {
			col[y] = out[y*nx+x]
		}
		for y, c := range dft1(col) {
			out[y*nx+x] = c
		}
	}
	return out
}

// centroid returns the flux-weighted mean position of an nx-wide image.
func centroid(v []float64, nx int) (cx, cy float64) {
	var s, sx, sy float64
	for i, w := range v {
		s += w
		sx += w * float64(i%nx)
		sy += w * float64(i/nx)
	}
	return sx / s, sy / s
}

// A point source blurred by an even-sized PSF whose light centre is off
// its centre pixel, then deconvolved, must come back to its position: the
// three methods share the PSF centring of operators.Convolution.
func TestDeconvPointSourceKeepsCentroid(t *testing.T) {
	const (
		nx, ny = 64, 60
		srcX   = 29
		srcY   = 33
		tol    = 0.01 // pixel
	)

	// An elliptical Gaussian centred at (9.3, 9.6) on a 20 x 20 grid, so
	// its centroid is neither on the centre pixel (10, 10) nor half-way.
	synthetic := make([]float64, hstPSFSide*hstPSFSide)
	for j := range hstPSFSide {
		for i := range hstPSFSide {
			dx, dy := float64(i)-9.3, float64(j)-9.6
			synthetic[j*hstPSFSide+i] = math.Exp(-dx*dx/(2*2.0*2.0) - dy*dy/(2*1.4*1.4) + 0.2*dx*dy/4)
		}
	}
	s := sum(synthetic)
	for i := range synthetic {
		synthetic[i] /= s
	}
	psfs := []struct {
		name string
		psf  func(t *testing.T) []float64
	}{
		{"elliptical Gaussian", func(*testing.T) []float64 { return synthetic }},
		{"HST F814W", func(t *testing.T) []float64 { return loadHST(t)[0].psf }},
	}

	for _, p := range psfs {
		t.Run(p.name, func(t *testing.T) {
			psf := p.psf(t)
			px, py := centroid(psf, hstPSFSide)
			a, err := operators.NewConvolution(nx, ny, psf, hstPSFSide, hstPSFSide, operators.ZeroPad)
			if err != nil {
				t.Fatal(err)
			}
			a.SetWorkers(1)
			truth := make([]float64, nx*ny)
			truth[srcY*nx+srcX] = 1
			y := make([]float64, nx*ny)
			a.Apply(y, truth)
			bx, by := centroid(y, nx)
			t.Logf("PSF centroid (%.3f, %.3f); blurred source at (%.3f, %.3f)", px, py, bx, by)

			results := map[string][]float64{}
			x, err := solvers.WienerDeconvolve(nil, y, nx, ny, psf, hstPSFSide, hstPSFSide, solvers.WienerDeconvPrior{NoiseVar: 1e-6, SignalVar: 1e-3})
			if err != nil {
				t.Fatal(err)
			}
			results["wiener"] = x
			x, _, err = solvers.Tikhonov(nil, a, y, 1e-3, solvers.Settings{Tol: 1e-10, MaxIter: 500})
			if err != nil {
				t.Fatal(err)
			}
			results["tikhonov"] = x
			// FFT rounding leaves tiny negative pixels in the blurred
			// image, so the offset is not 0.
			x, _, err = solvers.RichardsonLucy(nil, a, y, rlOffset(t, a, y), solvers.Settings{Tol: 1e-9, MaxIter: 100})
			if err != nil && !errors.As(err, new(*solvers.NotConvergedError)) {
				t.Fatal(err)
			}
			results["rl"] = x
			// The data are noise-free: a small noise level keeps the l1
			// penalty from trading position against sparsity, which with
			// a lopsided PSF biases the centroid by about 0.02 pixel at a
			// noise level of 1e-3.
			noise := make([]float64, nx*ny)
			for i := range noise {
				noise[i] = 1e-10
			}
			x, _, err = solvers.SparseRecover(a, y, noise, solvers.SparseOptions{Seed: 1, Stationary: true}, solvers.Settings{Tol: 1e-6, MaxIter: 500})
			if err != nil && !errors.As(err, new(*solvers.NotConvergedError)) {
				t.Fatal(err)
			}
			results["sparse"] = x

			for _, name := range []string{"wiener", "tikhonov", "rl", "sparse"} {
				cx, cy := centroid(results[name], nx)
				t.Logf("%s: centroid (%.5f, %.5f)", name, cx, cy)
				if math.Abs(cx-srcX) > tol || math.Abs(cy-srcY) > tol {
					t.Errorf("%s: centroid (%.4f, %.4f), want (%d, %d) within %g pixel", name, cx, cy, srcX, srcY, tol)
				}
			}
		})
	}
}
