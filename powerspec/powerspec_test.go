package powerspec_test

import (
	"bufio"
	"bytes"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fft"
	"github.com/skyinv/skyinv/powerspec"
)

const arcmin = math.Pi / (180 * 60) // radians

// whiteNoise returns n Gaussian values of standard deviation sigma.
func whiteNoise(rng *rand.Rand, n int, sigma float64) []float64 {
	m := make([]float64, n)
	for i := range m {
		m[i] = sigma * rng.NormFloat64()
	}
	return m
}

// negIndex returns the FFT index of −k for index i of an nx × ny transform.
func negIndex(i, nx, ny int) int {
	kx, ky := i%nx, i/nx
	return ((ny-ky)%ny)*nx + (nx-kx)%nx
}

func TestPowerMapLayout(t *testing.T) {
	const nx, ny = 90, 64
	const tol = 1e-14
	p := 0.5 * arcmin
	cl := func(ell float64) float64 { return 1e-9 * math.Pow(ell/1000, -1.2) }
	power := powerspec.PowerMap(cl, nx, ny, p)

	if power[0] != 0 {
		t.Errorf("P(0) = %g, want 0", power[0])
	}
	cases := []struct{ kx, ky, fx, fy int }{
		{1, 0, 1, 0},
		{0, 1, 0, 1},
		{nx - 1, 1, -1, 1},                 // negative x frequency
		{3, ny - 2, 3, -2},                 // negative y frequency
		{nx / 2, ny / 2, -nx / 2, -ny / 2}, // Nyquist on both axes
	}
	for _, c := range cases {
		ell := 2 * math.Pi * math.Hypot(float64(c.fx)/(nx*p), float64(c.fy)/(ny*p))
		want := cl(ell) * nx * ny / (p * p)
		got := power[c.ky*nx+c.kx]
		if math.Abs(got-want) > tol*want {
			t.Errorf("P(kx=%d, ky=%d) = %.15g, want C(ℓ=%.6g) nx ny / p² = %.15g", c.kx, c.ky, got, ell, want)
		}
	}
	for i := range power {
		if j := negIndex(i, nx, ny); power[j] != power[i] {
			t.Fatalf("P(%d) = %g differs from P(−k) = %g", i, power[i], power[j])
		}
	}
}

func TestPowerMapPanicsOnNegativeCl(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("PowerMap accepted a negative C_ell")
		}
		if msg, _ := r.(string); !strings.HasPrefix(msg, "powerspec:") {
			t.Errorf("panic %q lacks the powerspec: prefix", r)
		}
	}()
	powerspec.PowerMap(func(float64) float64 { return -1 }, 8, 8, arcmin)
}

// flatThenFalling is a spectrum that is flat below ℓ = 500 and falls as
// ℓ^-2 above, for the tests that measure maps of exactly known power.
func flatThenFalling(ell float64) float64 { return 3e-9 * math.Pow(1+ell/500, -2) }

// mapWithPower returns a real nx × ny map with |F(m)(k)|² = power(k)
// exactly: the coefficients √P get random phases with φ(−k) = −φ(k), and a
// random sign for the self-conjugate modes, which makes the map real.
func mapWithPower(power []float64, nx, ny int, rng *rand.Rand) []float64 {
	coef := make([]complex128, nx*ny)
	for i := range coef {
		j := negIndex(i, nx, ny)
		switch {
		case i == j:
			sign := 1.0
			if rng.IntN(2) == 0 {
				sign = -1
			}
			coef[i] = complex(sign*math.Sqrt(power[i]), 0)
		case i < j:
			phase := 2 * math.Pi * rng.Float64()
			coef[i] = cmplx.Rect(math.Sqrt(power[i]), phase)
			coef[j] = cmplx.Conj(coef[i])
		}
	}
	fft.NewPlan2D(nx, ny).Inverse(coef, coef)
	m := make([]float64, nx*ny)
	for i, c := range coef {
		m[i] = real(c) / float64(nx*ny)
	}
	return m
}

// A map built from unit-amplitude Fourier coefficients scaled by √P has
// |F(m)|² = P exactly, so the measured spectrum equals the binned C_ℓ to
// rounding.
func TestMeasurePowerMapExactly(t *testing.T) {
	const nx, ny = 90, 64
	const tol = 1e-10
	p := 0.5 * arcmin
	cl := flatThenFalling
	power := powerspec.PowerMap(cl, nx, ny, p)

	m := mapWithPower(power, nx, ny, rand.New(rand.NewPCG(3, 4)))

	lmin, lmax := powerspec.EllRange(nx, ny, p)
	est, err := powerspec.NewEstimator(nx, ny, p, powerspec.LogBins(lmin, math.Sqrt2*lmax, 15), powerspec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := est.Measure(m)
	if err != nil {
		t.Fatal(err)
	}
	want := est.BinTheory(cl)
	for b, band := range s.Bands {
		if band.Modes == 0 {
			continue
		}
		if d := math.Abs(band.Cl-want[b]) / want[b]; d > tol {
			t.Errorf("band %d (ℓ %.0f–%.0f): C_ℓ = %.12g, want %.12g (relative error %.2g)", b, band.EllMin, band.EllMax, band.Cl, want[b], d)
		}
	}
}

func TestMeasureWhiteNoise(t *testing.T) {
	const n, realisations, sigma = 128, 8, 2.0
	p := arcmin
	want := sigma * sigma * p * p // C_ℓ of white noise
	lmin, lmax := powerspec.EllRange(n, n, p)
	bins := powerspec.LogBins(lmin, lmax, 12)

	cases := []struct {
		name string
		opt  powerspec.Options
	}{
		{"full map", powerspec.Options{}},
		{"sharp mask", powerspec.Options{Mask: holedMask(n)}},
		{"apodised mask", powerspec.Options{Mask: holedMask(n), ApodizeArcmin: 6}},
		{"apodised border", powerspec.Options{ApodizeArcmin: 10}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			est, err := powerspec.NewEstimator(n, n, p, bins, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			est.SetWorkers(1)
			rng := rand.New(rand.NewPCG(5, 6))
			mean := make([]float64, bins.Len())
			errs := make([]float64, bins.Len())
			chi2, terms := 0.0, 0
			for range realisations {
				s, err := est.Measure(whiteNoise(rng, n*n, sigma))
				if err != nil {
					t.Fatal(err)
				}
				for b, band := range s.Bands {
					mean[b] += band.Cl / realisations
					// The error of one band at the true C_ℓ.
					errs[b] = want * band.Err / band.Cl
					z := (band.Cl - want) / errs[b]
					chi2 += z * z
					terms++
				}
			}
			maxZ := 0.0
			for b := range mean {
				se := errs[b] / math.Sqrt(realisations)
				z := (mean[b] - want) / se
				maxZ = math.Max(maxZ, math.Abs(z))
				if math.Abs(z) > 3 {
					t.Errorf("band %d: mean C_ℓ / (σ² p²) = %.4f, %.1f standard errors from 1", b, mean[b]/want, z)
				}
			}
			t.Logf("max |mean C_ℓ − σ² p²| = %.2f standard errors over %d bands; mean z² of single maps %.2f", maxZ, len(mean), chi2/float64(terms))
			// The scatter of single measurements matches Err: exactly for the
			// full map, approximately with a window.
			if r := chi2 / float64(terms); r < 0.6 || r > 1.5 {
				t.Errorf("mean of ((C_ℓ − σ² p²) / Err)² = %.2f over %d measurements, want 0.6–1.5", r, terms)
			}
		})
	}
}

// holedMask returns an n × n mask without its right quarter and with three
// circular holes.
func holedMask(n int) []bool {
	mask := make([]bool, n*n)
	holes := [][3]float64{{30, 40, 6}, {70, 90, 10}, {50, 15, 4}}
	for y := range n {
		for x := range n {
			mask[y*n+x] = x < 3*n/4
			for _, h := range holes {
				if math.Hypot(float64(x)-h[0], float64(y)-h[1]) < h[2] {
					mask[y*n+x] = false
				}
			}
		}
	}
	return mask
}

func TestMeasureSingleMode(t *testing.T) {
	const nx, ny, amplitude = 96, 64, 0.7
	const tol = 1e-12
	p := 2 * arcmin
	_, lmax := powerspec.EllRange(nx, ny, p)
	bins := powerspec.LinBins(0, math.Sqrt2*lmax, 24)
	est, err := powerspec.NewEstimator(nx, ny, p, bins, powerspec.Options{})
	if err != nil {
		t.Fatal(err)
	}

	// The same frequency indices on swapped axes give another ℓ because
	// nx ≠ ny.
	for _, k := range [][2]int{{5, 3}, {3, 5}, {0, 7}, {11, 0}} {
		kx, ky := k[0], k[1]
		m := make([]float64, nx*ny)
		for y := range ny {
			for x := range nx {
				m[y*nx+x] = amplitude * math.Cos(2*math.Pi*(float64(kx*x)/nx+float64(ky*y)/ny))
			}
		}
		s, err := est.Measure(m)
		if err != nil {
			t.Fatal(err)
		}

		// The cosine puts |F|² = (A nx ny / 2)² into k and −k.
		ell := 2 * math.Pi * math.Hypot(float64(kx)/(nx*p), float64(ky)/(ny*p))
		found := false
		for b, band := range s.Bands {
			if ell >= band.EllMin && ell < band.EllMax {
				found = true
				want := amplitude * amplitude * nx * ny * p * p / (2 * float64(band.Modes))
				if math.Abs(band.Cl-want) > tol*want {
					t.Errorf("k = (%d, %d), ℓ = %.1f: band %d has C_ℓ = %.12g, want %.12g", kx, ky, ell, b, band.Cl, want)
				}
				continue
			}
			if band.Modes > 0 && band.Cl > 1e-20 {
				t.Errorf("k = (%d, %d), ℓ = %.1f: band %d (ℓ %.1f–%.1f) has C_ℓ = %g, want 0", kx, ky, ell, b, band.EllMin, band.EllMax, band.Cl)
			}
		}
		if !found {
			t.Errorf("k = (%d, %d): no band contains ℓ = %.1f", kx, ky, ell)
		}
	}
}

func TestBinsIncludeUpperEdge(t *testing.T) {
	const n = 64
	p := arcmin
	_, nyquist := powerspec.EllRange(n, n, p)
	s, err := powerspec.Measure(make([]float64, n*n), n, n, p, powerspec.LinBins(0, nyquist, 4), powerspec.Options{})
	if err != nil {
		t.Fatal(err)
	}

	// Count by hand the modes with 0 < ℓ ≤ π/p, the axes' Nyquist modes
	// included.
	want := 0
	for ky := range n {
		for kx := range n {
			fx, fy := min(kx, n-kx), min(ky, n-ky)
			if (fx > 0 || fy > 0) && fx*fx+fy*fy <= n*n/4 {
				want++
			}
		}
	}
	got := 0
	for _, band := range s.Bands {
		got += band.Modes
	}
	if got != want {
		t.Errorf("the bands hold %d modes, want %d (0 < ℓ ≤ π/p)", got, want)
	}
}

// The window must follow the cosine taper of the exact Euclidean distance
// to the nearest unobserved pixel, the map's outside included.
func TestWindowMatchesBruteForceDistance(t *testing.T) {
	const nx, ny = 37, 23
	const widthPix, tol = 6.5, 1e-12
	p := 0.25 * arcmin
	rng := rand.New(rand.NewPCG(7, 8))
	mask := make([]bool, nx*ny)
	for i := range mask {
		mask[i] = rng.Float64() > 0.03
	}
	est, err := powerspec.NewEstimator(nx, ny, p, powerspec.LinBins(0, 1e5, 2),
		powerspec.Options{Mask: mask, ApodizeArcmin: widthPix * 0.25})
	if err != nil {
		t.Fatal(err)
	}
	w := est.Window()

	for y := range ny {
		for x := range nx {
			i := y*nx + x
			if !mask[i] {
				if w[i] != 0 {
					t.Errorf("unobserved pixel (%d, %d) has weight %g, want 0", x, y, w[i])
				}
				continue
			}
			// Distance to the outside of the map, then to every hole.
			d := float64(min(x+1, nx-x, y+1, ny-y))
			for j, ok := range mask {
				if !ok {
					d = math.Min(d, math.Hypot(float64(x-j%nx), float64(y-j/nx)))
				}
			}
			want := 1.0
			if d < widthPix {
				want = 0.5 * (1 - math.Cos(math.Pi*d/widthPix))
			}
			if math.Abs(w[i]-want) > tol {
				t.Errorf("pixel (%d, %d) at distance %.3f: weight %.15g, want %.15g", x, y, d, w[i], want)
			}
		}
	}
}

func TestMeasureSkipsUnobservedNaN(t *testing.T) {
	const n = 32
	mask := make([]bool, n*n)
	m := make([]float64, n*n)
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range m {
		mask[i] = i%n < n/2
		m[i] = rng.NormFloat64()
		if !mask[i] {
			m[i] = math.NaN()
		}
	}
	s, err := powerspec.Measure(m, n, n, arcmin, powerspec.LinBins(0, 1e4, 3), powerspec.Options{Mask: mask})
	if err != nil {
		t.Fatal(err)
	}
	for b, band := range s.Bands {
		if band.Modes > 0 && (math.IsNaN(band.Cl) || band.Cl <= 0) {
			t.Errorf("band %d: C_ℓ = %g, want a positive number", b, band.Cl)
		}
	}

	m[3] = math.Inf(1) // an observed pixel
	if _, err := powerspec.Measure(m, n, n, arcmin, powerspec.LinBins(0, 1e4, 3), powerspec.Options{Mask: mask}); err == nil {
		t.Error("Measure accepted an infinite observed pixel")
	}
}

func TestNewEstimatorErrors(t *testing.T) {
	bins := powerspec.LinBins(0, 1e4, 3)
	cases := []struct {
		name     string
		nx, ny   int
		pixelRad float64
		bins     powerspec.Bins
		opt      powerspec.Options
		want     string
	}{
		{"zero width", 0, 8, arcmin, bins, powerspec.Options{}, "invalid map size"},
		{"negative pixel", 8, 8, -arcmin, bins, powerspec.Options{}, "invalid pixel size"},
		{"one edge", 8, 8, arcmin, powerspec.Bins{Edges: []float64{1}}, powerspec.Options{}, "at least two edges"},
		{"decreasing edges", 8, 8, arcmin, powerspec.Bins{Edges: []float64{10, 5}}, powerspec.Options{}, "not strictly increasing"},
		{"NaN edge", 8, 8, arcmin, powerspec.Bins{Edges: []float64{0, math.NaN()}}, powerspec.Options{}, "bin edge 1"},
		{"short mask", 8, 8, arcmin, bins, powerspec.Options{Mask: make([]bool, 63)}, "mask of 63 pixels"},
		{"empty mask", 8, 8, arcmin, bins, powerspec.Options{Mask: make([]bool, 64)}, "no observed pixel"},
		{"negative taper", 8, 8, arcmin, bins, powerspec.Options{ApodizeArcmin: -1}, "invalid apodisation width"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := powerspec.NewEstimator(c.nx, c.ny, c.pixelRad, c.bins, c.opt)
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestLogBinsEdges(t *testing.T) {
	const tol = 1e-12
	b := powerspec.LogBins(100, 1e4, 4)
	want := []float64{100, 316.22776601683796, 1000, 3162.2776601683795, 1e4}
	if len(b.Edges) != len(want) {
		t.Fatalf("%d edges, want %d", len(b.Edges), len(want))
	}
	for i := range want {
		if math.Abs(b.Edges[i]-want[i]) > tol*want[i] {
			t.Errorf("edge %d = %.15g, want %.15g", i, b.Edges[i], want[i])
		}
	}
	if b.Edges[0] != 100 || b.Edges[4] != 1e4 {
		t.Errorf("end edges %g and %g, want exactly 100 and 10000", b.Edges[0], b.Edges[4])
	}
}

func TestWriteTextRoundTrip(t *testing.T) {
	const n = 48
	rng := rand.New(rand.NewPCG(11, 12))
	// Bands past the corner of the Fourier plane hold no mode.
	s, err := powerspec.Measure(whiteNoise(rng, n*n, 1), n, n, arcmin, powerspec.LinBins(0, 2e5, 8), powerspec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteText(&buf); err != nil {
		t.Fatal(err)
	}

	sc := bufio.NewScanner(&buf)
	sc.Scan()
	if got, want := sc.Text(), "# ell_min ell_max ell_mean C_ell error n_modes"; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	rows := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 6 {
			t.Fatalf("row %d has %d fields, want 6: %q", rows, len(fields), sc.Text())
		}
		band := s.Bands[rows]
		wantValues := []float64{band.EllMin, band.EllMax, band.EllMean, band.Cl, band.Err, float64(band.Modes)}
		for i, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatalf("row %d field %d: %v", rows, i, err)
			}
			w := wantValues[i]
			if math.IsNaN(w) != math.IsNaN(v) || (!math.IsNaN(w) && math.Abs(v-w) > 1e-10*math.Abs(w)) {
				t.Errorf("row %d field %d = %s, want %g", rows, i, f, w)
			}
		}
		rows++
	}
	if rows != len(s.Bands) {
		t.Errorf("%d rows, want %d", rows, len(s.Bands))
	}
	if last := s.Bands[len(s.Bands)-1]; last.Modes != 0 || !math.IsNaN(last.Cl) {
		t.Errorf("band above the corner ℓ: %d modes, C_ℓ = %g; want 0 modes and NaN", last.Modes, last.Cl)
	}
}

func TestMeasureAllocatesOnlyBands(t *testing.T) {
	const n = 64
	est, err := powerspec.NewEstimator(n, n, arcmin, powerspec.LinBins(0, 1e4, 5), powerspec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	est.SetWorkers(1)
	m := whiteNoise(rand.New(rand.NewPCG(1, 1)), n*n, 1)
	if a := testing.AllocsPerRun(5, func() { est.Measure(m) }); a > 1 {
		t.Errorf("Measure allocates %.0f times per call, want 1 (the bands)", a)
	}
}

// gaussianField returns a Gaussian random field with the given power map:
// white noise filtered by √(P / (nx ny)) in Fourier space.
func gaussianField(rng *rand.Rand, plan *fft.Plan2D, power []float64) []float64 {
	nx, ny := plan.Size()
	buf := make([]complex128, nx*ny)
	for i := range buf {
		buf[i] = complex(rng.NormFloat64(), 0)
	}
	plan.Forward(buf, buf)
	for i := range buf {
		buf[i] *= complex(math.Sqrt(power[i]/float64(nx*ny)), 0)
	}
	plan.Inverse(buf, buf)
	m := make([]float64, nx*ny)
	for i, c := range buf {
		m[i] = real(c) / float64(nx*ny)
	}
	return m
}

// With a mask, power of a steep spectrum leaks from low ℓ into the high-ℓ
// bands, less so when the mask edges are tapered.
func TestApodisationReducesLeakage(t *testing.T) {
	const n, realisations = 128, 4
	p := arcmin
	cl := func(ell float64) float64 { return 1e-9 * math.Pow(ell/300, -3) }
	power := powerspec.PowerMap(cl, n, n, p)
	plan := fft.NewPlan2D(n, n)
	plan.SetWorkers(1)
	_, lmax := powerspec.EllRange(n, n, p)
	bins := powerspec.LogBins(lmax/4, lmax, 3)

	bias := map[float64]float64{} // taper width in arcmin → mean C_ℓ / theory in the top band
	for _, apodize := range []float64{0, 8} {
		est, err := powerspec.NewEstimator(n, n, p, bins, powerspec.Options{Mask: holedMask(n), ApodizeArcmin: apodize})
		if err != nil {
			t.Fatal(err)
		}
		est.SetWorkers(1)
		theory := est.BinTheory(cl)
		rng := rand.New(rand.NewPCG(13, 14))
		top := len(theory) - 1
		for range realisations {
			s, err := est.Measure(gaussianField(rng, plan, power))
			if err != nil {
				t.Fatal(err)
			}
			bias[apodize] += s.Bands[top].Cl / theory[top] / realisations
		}
	}
	t.Logf("mean C_ℓ / theory for ℓ %.0f–%.0f: sharp mask %.2f, 8-arcmin taper %.2f", bins.Edges[2], bins.Edges[3], bias[0], bias[8])
	if !(bias[0] > 1.25) {
		t.Errorf("sharp mask: C_ℓ / theory = %.2f at high ℓ, want > 1.25 (leakage)", bias[0])
	}
	if !(math.Abs(bias[8]-1) < 0.1) {
		t.Errorf("8-arcmin taper: C_ℓ / theory = %.2f at high ℓ, want within 0.1 of 1", bias[8])
	}
}

// TestPixelWindowIsPixelAverage averages plane waves over each pixel,
// numerically on a 64 × 64 sub-grid, and checks that the average is the
// wave at the pixel's centre times √W of PixelWindow, for modes up to the
// Nyquist frequency of both axes.
func TestPixelWindowIsPixelAverage(t *testing.T) {
	const nx, ny, sub = 12, 10, 64
	w := make([]float64, nx*ny)
	for i := range w {
		w[i] = 1
	}
	powerspec.PixelWindow(w, nx, ny)
	for _, k := range [][2]int{{1, 0}, {0, 3}, {-5, 2}, {6, -5}, {3, 4}} {
		kx, ky := k[0], k[1]
		idx := ((ky+ny)%ny)*nx + (kx+nx)%nx
		fx, fy := float64(kx)/nx, float64(ky)/ny
		wave := func(x, y float64) float64 { return math.Cos(2*math.Pi*(fx*x+fy*y) + 0.3) }
		want := math.Sqrt(w[idx])
		for py := range ny {
			for px := range nx {
				var avg float64
				for sy := range sub {
					for sx := range sub {
						avg += wave(float64(px)+(float64(sx)+0.5)/sub-0.5, float64(py)+(float64(sy)+0.5)/sub-0.5)
					}
				}
				avg /= sub * sub
				if got := want * wave(float64(px), float64(py)); math.Abs(avg-got) > 1e-4 {
					t.Fatalf("mode (%d, %d), pixel (%d, %d): pixel average %.6f, √W times the centre value %.6f", kx, ky, px, py, avg, got)
				}
			}
		}
	}
	// At the Nyquist frequency of one axis, W = (2/π)².
	if got, want := w[nx/2], 4/(math.Pi*math.Pi); math.Abs(got-want) > 1e-15 {
		t.Errorf("W at the x Nyquist index = %.15f, want (2/π)² = %.15f", got, want)
	}
}

func TestPixelWindowPanicsOnSizeMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("PixelWindow accepted 10 values for a 4 x 4 grid")
		}
	}()
	powerspec.PixelWindow(make([]float64, 10), 4, 4)
}

// A map whose power is C_ℓ times the pixel window, exactly, measures as
// BinModes of that power per coefficient; BinModes of C(ℓ_k) alone is
// BinTheory, and the window lowers the highest band by more than a third.
func TestBinModesWithPixelWindow(t *testing.T) {
	const nx, ny = 72, 60
	const tol = 1e-10
	p := 0.5 * arcmin
	cl := flatThenFalling
	power := powerspec.PowerMap(cl, nx, ny, p)
	powerspec.PixelWindow(power, nx, ny)
	m := mapWithPower(power, nx, ny, rand.New(rand.NewPCG(5, 6)))

	lmin, lmax := powerspec.EllRange(nx, ny, p)
	est, err := powerspec.NewEstimator(nx, ny, p, powerspec.LogBins(lmin, lmax, 10), powerspec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := est.Measure(m)
	if err != nil {
		t.Fatal(err)
	}
	perMode := make([]float64, nx*ny)
	for i, v := range power {
		perMode[i] = v * p * p / (nx * ny)
	}
	want := est.BinModes(perMode)
	ellMap := powerspec.EllMap(nx, ny, p)
	for i := range perMode {
		perMode[i] = 0
		if i > 0 {
			perMode[i] = cl(ellMap[i])
		}
	}
	plain, theory := est.BinModes(perMode), est.BinTheory(cl)
	for b, band := range s.Bands {
		if band.Modes == 0 {
			continue
		}
		if d := math.Abs(band.Cl-want[b]) / want[b]; d > tol {
			t.Errorf("band %d: measured C_ℓ %.12g, BinModes %.12g (relative error %.2g)", b, band.Cl, want[b], d)
		}
		if d := math.Abs(plain[b]-theory[b]) / theory[b]; d > tol {
			t.Errorf("band %d: BinModes of C(ℓ_k) %.12g, BinTheory %.12g", b, plain[b], theory[b])
		}
	}
	last := len(want) - 1
	if r := want[last] / theory[last]; !(r < 2.0/3) {
		t.Errorf("highest band: windowed / plain C_ℓ = %.3f, want below 2/3", r)
	}
}
