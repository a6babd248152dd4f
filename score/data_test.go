package score_test

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/score"
	"github.com/skyinv/skyinv/simulate"
)

// writeLabelledCube writes an nx × ny × nz cube whose pixel (x, y) of
// plane z has the value label(x, y, z), exact in float32, so that every
// pixel of a batch identifies its source pixel.
func writeLabelledCube(t *testing.T, nx, ny, nz int) string {
	t.Helper()
	data := make([]float64, nx*ny*nz)
	for z := 0; z < nz; z++ {
		for y := 0; y < ny; y++ {
			for x := 0; x < nx; x++ {
				data[(z*ny+y)*nx+x] = float64(label(x, y, z))
			}
		}
	}
	path := filepath.Join(t.TempDir(), "cube.fits")
	if err := fits.WriteImages(path, false, fits.ImageHDU{Axes: []int{nx, ny, nz}, Data: data, Bitpix: -32}); err != nil {
		t.Fatal(err)
	}
	return path
}

func label(x, y, z int) int { return z*10000 + y*100 + x }

func unlabel(v float32) (x, y, z int) {
	n := int(v)
	return n % 100, n / 100 % 100, n / 10000
}

// windowOrientation returns the window of the cube that image img (h × w)
// of a labelled cube shows, and which of the 8 symmetries maps the window
// onto the image, numbered as in orientPixel. ok is false if the image is
// not a transformed window of one plane.
func windowOrientation(img []float32, h, w int) (x0, y0, z, orient int, ok bool) {
	x0, y0, z = math.MaxInt, math.MaxInt, -1
	for _, v := range img {
		x, y, zz := unlabel(v)
		x0, y0 = min(x0, x), min(y0, y)
		if z >= 0 && zz != z {
			return 0, 0, 0, 0, false
		}
		z = zz
	}
	for o := 0; o < 8; o++ {
		if o >= 4 && h != w {
			break
		}
		match := true
		for y := 0; y < h && match; y++ {
			for x := 0; x < w; x++ {
				u, v := orientPixel(o, x, y, h, w)
				if img[y*w+x] != float32(label(x0+u, y0+v, z)) {
					match = false
					break
				}
			}
		}
		if match {
			return x0, y0, z, o, true
		}
	}
	return 0, 0, 0, 0, false
}

// orientPixel returns the window pixel shown at image pixel (x, y) under
// symmetry o: bit 0 mirrors x, bit 1 mirrors y, bit 2 swaps x and y.
func orientPixel(o, x, y, h, w int) (u, v int) {
	u, v = x, y
	if o&1 != 0 {
		u = w - 1 - u
	}
	if o&2 != 0 {
		v = h - 1 - v
	}
	if o&4 != 0 {
		u, v = v, u
	}
	return u, v
}

func TestCubeMapsWindowsAndTransforms(t *testing.T) {
	const nx, ny, nz = 12, 9, 5
	path := writeLabelledCube(t, nx, ny, nz)
	cases := []struct {
		name string
		crop score.Crop
		want []int // the orientations the crop must draw, all of them
	}{
		{"none", score.Crop{Height: 4, Width: 6}, []int{0}},
		{"flip", score.Crop{Height: 4, Width: 6, Flip: true}, []int{0, 1, 2, 3}},
		{"rotate", score.Crop{Height: 5, Width: 5, Rotate: true}, []int{0, 3, 5, 6}},
		{"flip and rotate", score.Crop{Height: 5, Width: 5, Flip: true, Rotate: true}, []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{"whole plane", score.Crop{Height: ny, Width: nx, Flip: true}, []int{0, 1, 2, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			train, _, err := score.NewCubeMaps(path, "", score.CubeConfig{Crop: tc.crop, BatchSize: 16, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			h, w := tc.crop.Height, tc.crop.Width
			seen := map[int]bool{}
			var batch *nn.Tensor
			for i := 0; i < 20; i++ {
				batch = train.Batch(batch, i)
				for n := 0; n < batch.N; n++ {
					img := batch.Plane(n, 0)
					x0, y0, z, o, ok := windowOrientation(img, h, w)
					if !ok {
						t.Fatalf("batch %d image %d is not a transformed window of one plane: %v", i, n, img)
					}
					if x0 < 0 || y0 < 0 || x0+w > nx || y0+h > ny || z < 0 || z >= nz {
						t.Fatalf("batch %d image %d: window at (%d, %d) of plane %d lies outside the %d×%d×%d cube", i, n, x0, y0, z, nx, ny, nz)
					}
					seen[o] = true

					// The pixel values are those of the window, in another order.
					window := make([]float32, 0, h*w)
					for y := y0; y < y0+h; y++ {
						for x := x0; x < x0+w; x++ {
							window = append(window, float32(label(x, y, z)))
						}
					}
					got := slices.Clone(img)
					slices.Sort(got)
					slices.Sort(window)
					if !slices.Equal(got, window) {
						t.Fatalf("batch %d image %d: pixel values differ from those of its window", i, n)
					}
				}
			}
			for o := range seen {
				if !slices.Contains(tc.want, o) {
					t.Errorf("orientation %d drawn, want only %v", o, tc.want)
				}
			}
			if len(seen) != len(tc.want) {
				t.Errorf("drew %d of the %d orientations %v in 320 images", len(seen), len(tc.want), tc.want)
			}
		})
	}
}

func TestCubeMapsValidationSplit(t *testing.T) {
	const nx, ny, nz = 8, 8, 7
	path := writeLabelledCube(t, nx, ny, nz)
	cfg := score.CubeConfig{Crop: score.Crop{Height: 4, Width: 4, Flip: true, Rotate: true}, ValidationPlanes: 2, BatchSize: 8, Seed: 11}
	train, validation, err := score.NewCubeMaps(path, "", cfg)
	if err != nil {
		t.Fatal(err)
	}

	if got, want := train.Planes(), []int{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("training planes = %v, want %v", got, want)
	}
	if got, want := validation.Planes(), []int{5, 6}; !slices.Equal(got, want) {
		t.Errorf("validation planes = %v, want %v", got, want)
	}

	// Every pixel drawn from a split comes from one of its planes, and
	// over many batches every plane of the split is drawn.
	for _, split := range []struct {
		name   string
		source *score.CubeMaps
	}{{"training", train}, {"validation", validation}} {
		drawn := map[int]bool{}
		for i := 0; i < 30; i++ {
			for _, v := range split.source.Batch(nil, i).Data {
				_, _, z := unlabel(v)
				drawn[z] = true
			}
		}
		planes := split.source.Planes()
		for z := range drawn {
			if !slices.Contains(planes, z) {
				t.Errorf("%s batch contains a pixel of plane %d, not one of its planes %v", split.name, z, planes)
			}
		}
		if len(drawn) != len(planes) {
			t.Errorf("%s batches drew %d planes, want all %d", split.name, len(drawn), len(planes))
		}
	}

	// The batches of the two splits differ even in their windows.
	a, b := train.Batch(nil, 0), validation.Batch(nil, 0)
	if slices.Equal(a.Data, b.Data) {
		t.Error("training and validation batch 0 are equal")
	}

	// Without validation planes there is no validation source.
	cfg.ValidationPlanes = 0
	train, validation, err = score.NewCubeMaps(path, "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if validation != nil {
		t.Errorf("validation source = %v, want nil for ValidationPlanes 0", validation)
	}
	if got := len(train.Planes()); got != nz {
		t.Errorf("training split has %d planes, want all %d", got, nz)
	}
}

func TestCubeMapsReproducible(t *testing.T) {
	path := writeLabelledCube(t, 10, 10, 4)
	cfg := score.CubeConfig{Crop: score.Crop{Height: 6, Width: 6, Flip: true, Rotate: true}, ValidationPlanes: 1, BatchSize: 4, Seed: 5}
	train, validation, err := score.NewCubeMaps(path, "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := score.NewCubeMaps(path, "", cfg)
	if err != nil {
		t.Fatal(err)
	}

	first := train.Batch(nil, 3)
	train.Batch(nil, 7)
	validation.Batch(nil, 3)
	if got := train.Batch(nil, 3); !slices.Equal(got.Data, first.Data) {
		t.Error("batch 3 differs when drawn again after other batches")
	}
	if got := again.Batch(nil, 3); !slices.Equal(got.Data, first.Data) {
		t.Error("batch 3 differs between two sources with one seed")
	}
	if got := train.Batch(nil, 4); slices.Equal(got.Data, first.Data) {
		t.Error("batches 3 and 4 are equal")
	}

	cfg.Seed++
	other, _, err := score.NewCubeMaps(path, "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := other.Batch(nil, 3); slices.Equal(got.Data, first.Data) {
		t.Error("batch 3 is equal for seeds 5 and 6")
	}

	dst := nn.NewTensor(4, 1, 6, 6)
	if allocs := testing.AllocsPerRun(10, func() { train.Batch(dst, 2) }); allocs != 0 {
		t.Errorf("Batch allocated %v times per call, want 0", allocs)
	}
}

func TestNewCubeMapsErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, axes []int, data []float64) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := fits.WriteImages(path, false, fits.ImageHDU{Axes: axes, Data: data}); err != nil {
			t.Fatal(err)
		}
		return path
	}
	flat := write("flat.fits", []int{4, 4}, make([]float64, 16))
	nanData := make([]float64, 4*4*2)
	nanData[16+4*2+3] = math.NaN() // plane 1, x 3, y 2
	withNaN := write("nan.fits", []int{4, 4, 2}, nanData)
	small := write("small.fits", []int{4, 4, 2}, make([]float64, 32))
	crop := score.Crop{Height: 4, Width: 4}

	cases := []struct {
		name string
		path string
		cfg  score.CubeConfig
		want []string // substrings of the message besides the path
	}{
		{"2-D image", flat, score.CubeConfig{Crop: crop, BatchSize: 1}, []string{"the first image HDU has 2 axes", "3-D"}},
		{"NaN pixel", withNaN, score.CubeConfig{Crop: crop, BatchSize: 1}, []string{"(x 3, y 2) of plane 1", "NaN"}},
		{"crop too large", small, score.CubeConfig{Crop: score.Crop{Height: 5, Width: 4}, BatchSize: 1}, []string{"5×4", "does not fit"}},
		{"non-square rotation", small, score.CubeConfig{Crop: score.Crop{Height: 2, Width: 4, Rotate: true}, BatchSize: 1}, []string{"Height == Width"}},
		{"empty crop", small, score.CubeConfig{BatchSize: 1}, []string{"0×0"}},
		{"no training plane", small, score.CubeConfig{Crop: crop, BatchSize: 1, ValidationPlanes: 2}, []string{"2 validation planes of 2"}},
		{"negative validation", small, score.CubeConfig{Crop: crop, BatchSize: 1, ValidationPlanes: -1}, []string{"-1 validation planes"}},
		{"zero batch size", small, score.CubeConfig{Crop: crop}, []string{"batch size 0"}},
		{"missing file", filepath.Join(dir, "missing.fits"), score.CubeConfig{Crop: crop, BatchSize: 1}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			train, validation, err := score.NewCubeMaps(tc.path, "", tc.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			if train != nil || validation != nil {
				t.Errorf("sources (%v, %v) returned with an error", train, validation)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.path) {
				t.Errorf("error %q does not name the file %s", msg, tc.path)
			}
			for _, s := range tc.want {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
		})
	}
}

// testPowerMap returns the power map of a C_ℓ ∝ ℓ⁻² spectrum on an n × n
// grid of 2-arcmin pixels.
func testPowerMap(n int) []float64 {
	const pixelRad = 2.0 / 60 * math.Pi / 180
	return powerspec.PowerMap(func(ell float64) float64 { return 1e-9 / (ell * ell) }, n, n, pixelRad)
}

func TestSimulatedMapsBatches(t *testing.T) {
	const grid = 32
	power := testPowerMap(grid)
	for _, tc := range []struct {
		name  string
		shift float64
	}{{"gaussian", 0}, {"lognormal", testShift}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := score.SimulatedConfig{
				Power: power, NX: grid, NY: grid, Shift: tc.shift,
				Crop:      score.Crop{Height: 16, Width: 16, Flip: true, Rotate: true},
				BatchSize: 3, Seed: 9,
			}
			maps, err := score.NewSimulatedMaps(cfg)
			if err != nil {
				t.Fatal(err)
			}

			// Shape, and finite values that are not all equal.
			first := maps.Batch(nil, 2)
			if first.N != 3 || first.C != 1 || first.H != 16 || first.W != 16 {
				t.Fatalf("batch shape %d×%d×%d×%d, want 3×1×16×16", first.N, first.C, first.H, first.W)
			}
			lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
			for _, v := range first.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("batch contains %v", v)
				}
				lo, hi = min(lo, v), max(hi, v)
			}
			if lo == hi {
				t.Fatalf("every pixel of the batch is %v", lo)
			}
			if tc.shift > 0 && float64(lo) <= -tc.shift {
				t.Errorf("lognormal pixel %v is not above −λ = %v", lo, -tc.shift)
			}
			if slices.Equal(first.Plane(0, 0), first.Plane(1, 0)) {
				t.Error("images 0 and 1 of a batch are equal")
			}

			// Reproducibility by batch index, also across sources.
			maps.Batch(nil, 5)
			if got := maps.Batch(nil, 2); !slices.Equal(got.Data, first.Data) {
				t.Error("batch 2 differs when drawn again after batch 5")
			}
			again, err := score.NewSimulatedMaps(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := again.Batch(nil, 2); !slices.Equal(got.Data, first.Data) {
				t.Error("batch 2 differs between two sources with one seed")
			}
			if got := maps.Batch(nil, 3); slices.Equal(got.Data, first.Data) {
				t.Error("batches 2 and 3 are equal")
			}

			dst := nn.NewTensor(3, 1, 16, 16)
			maps.Batch(dst, 0)
			if allocs := testing.AllocsPerRun(5, func() { maps.Batch(dst, 1) }); allocs != 0 {
				t.Errorf("Batch allocated %v times per call, want 0", allocs)
			}
		})
	}
}

func TestNewSimulatedMapsErrors(t *testing.T) {
	power := testPowerMap(16)
	valid := score.SimulatedConfig{Power: power, NX: 16, NY: 16, Crop: score.Crop{Height: 8, Width: 8}, BatchSize: 2}
	cases := []struct {
		name   string
		modify func(*score.SimulatedConfig)
		want   string
	}{
		{"crop larger than grid", func(c *score.SimulatedConfig) { c.Crop.Width = 17 }, "does not fit"},
		{"non-square rotation", func(c *score.SimulatedConfig) { c.Crop.Width, c.Crop.Rotate = 4, true }, "Height == Width"},
		{"zero batch size", func(c *score.SimulatedConfig) { c.BatchSize = 0 }, "batch size 0"},
		{"negative shift", func(c *score.SimulatedConfig) { c.Shift = -1 }, "negative"},
		{"NaN shift", func(c *score.SimulatedConfig) { c.Shift = math.NaN() }, ""},
		{"power map of wrong length", func(c *score.SimulatedConfig) { c.Power = power[:10] }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid
			tc.modify(&cfg)
			maps, err := score.NewSimulatedMaps(cfg)
			if err == nil {
				t.Fatalf("no error, source %v", maps)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
	if _, err := score.NewSimulatedMaps(valid); err != nil {
		t.Errorf("valid settings: %v", err)
	}
}

func TestBatchWrongShapePanics(t *testing.T) {
	maps, err := score.NewSimulatedMaps(score.SimulatedConfig{Power: testPowerMap(8), NX: 8, NY: 8, Crop: score.Crop{Height: 4, Width: 4}, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "score: ") {
			t.Errorf("recovered %v, want a panic with a \"score: \" message", r)
		}
	}()
	maps.Batch(nn.NewTensor(2, 1, 4, 5), 0)
}

// TestSimulatedMapsVariance compares the pixel variance and skewness of the
// crops with those of the fields, as the documentation of package simulate
// gives them: variance Σ_k P(k)/(nx ny)² for Gaussian fields and
// λ²(exp(σ_g²) − 1) for lognormal ones.
func TestSimulatedMapsVariance(t *testing.T) {
	const (
		grid    = 32
		batches = 200
		seed    = 21
	)
	power := testPowerMap(grid)
	var gaussVar float64
	for _, p := range power {
		gaussVar += p
	}
	gaussVar /= grid * grid * grid * grid

	logn, err := simulate.NewLognormal(power, grid, grid, testShift)
	if err != nil {
		t.Fatal(err)
	}

	// The lognormal skewness is (e^{σ_g²} + 2) √(e^{σ_g²} − 1).
	expSigma2 := math.Exp(logn.GaussianVariance())
	lognSkew := (expSigma2 + 2) * math.Sqrt(expSigma2-1)

	// The tolerances are 3.5 or more standard deviations of the estimates.
	// For seeds 1 to 16 the ratio of variance to expectation lay within
	// 0.99 to 1.02 (Gaussian) and 0.97 to 1.09 (lognormal). For seeds 1 to
	// 12 the skewness lay within −0.04 to 0.08 (Gaussian) and 3.36 to 3.81
	// (lognormal, expected 3.54).
	for _, tc := range []struct {
		name    string
		shift   float64
		want    float64
		relTol  float64
		skew    float64
		skewTol float64
	}{
		{"gaussian", 0, gaussVar, 0.04, 0, 0.25},
		{"lognormal", testShift, logn.Variance(), 0.12, lognSkew, 0.6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			maps, err := score.NewSimulatedMaps(score.SimulatedConfig{
				Power: power, NX: grid, NY: grid, Shift: tc.shift,
				Crop:      score.Crop{Height: 16, Width: 16, Flip: true, Rotate: true},
				BatchSize: 4, Seed: seed,
			})
			if err != nil {
				t.Fatal(err)
			}
			var sum, sum3 float64
			var count int
			var batch *nn.Tensor
			for i := 0; i < batches; i++ {
				batch = maps.Batch(batch, i)
				for _, v := range batch.Data {
					sum += float64(v) * float64(v)
					sum3 += float64(v) * float64(v) * float64(v)
				}
				count += len(batch.Data)
			}
			got := sum / float64(count)
			skew := sum3 / float64(count) / math.Pow(got, 1.5)
			if math.Abs(skew-tc.skew) > tc.skewTol {
				t.Errorf("pixel skewness = %.3g, want %.3g ± %.2g", skew, tc.skew, tc.skewTol)
			}
			if math.Abs(got/tc.want-1) > tc.relTol {
				t.Errorf("pixel variance = %.4g, want %.4g within %.0f%%", got, tc.want, 100*tc.relTol)
			}
		})
	}
}

// testShift is a lognormal shift λ of about the pixel standard deviation
// of testPowerMap's fields, so the fields are clearly skewed.
const testShift = 2.5e-5
