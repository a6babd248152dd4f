package simulate_test

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/catalog"
	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/shearmap"
	"github.com/skyinv/skyinv/simulate"
	"github.com/skyinv/skyinv/skymap"
)

// blob returns a Gaussian convergence peak of the given amplitude and width
// in pixels at the centre of the grid.
func blob(grid skymap.Grid, amplitude, sigmaPix float64) []float64 {
	kappa := make([]float64, grid.Len())
	cx, cy := float64(grid.NX-1)/2, float64(grid.NY-1)/2
	for y := range grid.NY {
		for x := range grid.NX {
			r2 := (float64(x)-cx)*(float64(x)-cx) + (float64(y)-cy)*(float64(y)-cy)
			kappa[y*grid.NX+x] = amplitude * math.Exp(-r2/(2*sigmaPix*sigmaPix))
		}
	}
	return kappa
}

func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

func newGrid(t *testing.T, n int, proj skymap.Projection, ra, dec float64) skymap.Grid {
	t.Helper()
	grid, err := skymap.NewGrid(n, n, 1, proj, ra, dec)
	if err != nil {
		t.Fatal(err)
	}
	return grid
}

// A mock catalogue of a known κ, binned and inverted with Kaiser-Squires as
// the massmap command does, must give back that κ. Without noise or padding
// the shear is periodic like the inversion, so only binning separates the two
// maps. With σ_e = 0.05 at 30 galaxies per pixel the noise of κ_E is about
// as large as the blob's spread over the map, so the inversion smooths by
// σ = 1 pixel.
func TestMockCatalogKaiserSquiresRecoversKappa(t *testing.T) {
	cases := []struct {
		name         string
		proj         skymap.Projection
		opt          simulate.MockOptions
		smoothArcmin float64
		minR         float64
	}{
		{"noiseless periodic", skymap.Gnomonic, simulate.MockOptions{DensityArcmin2: 30, Seed: 1}, 0, 0.9999},
		{"gnomonic", skymap.Gnomonic, simulate.MockOptions{DensityArcmin2: 30, SigmaE: 0.05, Pad: 32, Seed: 1}, 1, 0.9},
		{"plate carrée, reduced shear", skymap.PlateCarree, simulate.MockOptions{DensityArcmin2: 30, SigmaE: 0.05, Pad: 32, ReducedShear: true, Seed: 2}, 1, 0.9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			grid := newGrid(t, 64, c.proj, 150.1, 2.2)
			kappa := blob(grid, 0.1, 5)
			cat, err := simulate.MockCatalog(grid, kappa, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			field, err := shearmap.Bin(grid, cat.RA, cat.Dec, cat.E1, cat.E2, cat.Weight)
			if err != nil {
				t.Fatal(err)
			}
			if field.Outside != 0 {
				t.Errorf("%d of %d mock galaxies fall outside the grid when binned, want 0", field.Outside, cat.Len())
			}
			ks, err := kaiser.New(grid.NX, grid.NY, kaiser.Options{SmoothArcmin: c.smoothArcmin, PixelArcmin: grid.PixelArcmin})
			if err != nil {
				t.Fatal(err)
			}
			kE := make([]float64, grid.Len())
			ks.Convergence(kE, nil, field.G1, field.G2)

			r := pearson(kE, kappa)
			t.Logf("%d galaxies, Pearson r(κ_E, κ) = %.4f", cat.Len(), r)
			if !(r > c.minR) {
				t.Errorf("Pearson r(κ_E, κ) = %.4f, want > %g", r, c.minR)
			}
		})
	}
}

func TestMockCatalogReproducible(t *testing.T) {
	grid := newGrid(t, 32, skymap.Gnomonic, 10, -20)
	kappa := blob(grid, 0.05, 3)
	opt := simulate.MockOptions{DensityArcmin2: 5, SigmaE: 0.3, Seed: 7}
	a, err := simulate.MockCatalog(grid, kappa, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := simulate.MockCatalog(grid, kappa, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []struct {
		name string
		x, y []float64
	}{{"ra", a.RA, b.RA}, {"dec", a.Dec, b.Dec}, {"e1", a.E1, b.E1}, {"e2", a.E2, b.E2}, {"weight", a.Weight, b.Weight}} {
		if !slices.Equal(col.x, col.y) {
			t.Errorf("column %s differs between two runs with seed %d", col.name, opt.Seed)
		}
	}

	opt.Seed = 8
	c, err := simulate.MockCatalog(grid, kappa, opt)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.RA, c.RA) || slices.Equal(a.E1, c.E1) {
		t.Error("seeds 7 and 8 give the same positions or ellipticities")
	}
}

func TestMockCatalogUniformPositions(t *testing.T) {
	const density = 20.0
	grid := newGrid(t, 48, skymap.Gnomonic, 35, 60)
	cat, err := simulate.MockCatalog(grid, make([]float64, grid.Len()), simulate.MockOptions{DensityArcmin2: density, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := int(math.Round(density * 48 * 48)); cat.Len() != want {
		t.Errorf("%d galaxies, want density × area = %d", cat.Len(), want)
	}
	if cat.Source != nil || cat.Outside != 0 {
		t.Errorf("drawn positions have Source %v and Outside %d, want nil and 0", cat.Source[:min(3, len(cat.Source))], cat.Outside)
	}

	// Quadrant counts are binomial with p = 1/4.
	var quadrant [4]int
	for i := range cat.RA {
		x, y, ok := grid.ToPixel(cat.RA[i], cat.Dec[i])
		if !ok || x < -0.5 || x >= 47.5 || y < -0.5 || y >= 47.5 {
			t.Fatalf("galaxy %d at pixel (%g, %g) lies outside the grid", i, x, y)
		}
		q := 0
		if x >= 23.5 {
			q++
		}
		if y >= 23.5 {
			q += 2
		}
		quadrant[q]++
	}
	n := float64(cat.Len())
	sd := math.Sqrt(n * 0.25 * 0.75)
	for q, c := range quadrant {
		if math.Abs(float64(c)-n/4) > 4*sd {
			t.Errorf("quadrant %d holds %d galaxies, want %.0f ± %.0f", q, c, n/4, sd)
		}
	}
	for i := range cat.E1 {
		if cat.E1[i] != 0 || cat.E2[i] != 0 {
			t.Fatalf("galaxy %d has e = (%g, %g) for κ = 0 without noise, want 0", i, cat.E1[i], cat.E2[i])
		}
	}
}

func TestMockCatalogGaussianNoise(t *testing.T) {
	const sigmaE = 0.26
	grid := newGrid(t, 64, skymap.Gnomonic, 200, 30)
	cat, err := simulate.MockCatalog(grid, blob(grid, 0.1, 6), simulate.MockOptions{DensityArcmin2: 10, SigmaE: sigmaE, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	n := float64(cat.Len())
	for comp, pair := range [][2][]float64{{cat.E1, cat.G1}, {cat.E2, cat.G2}} {
		var sum, sumSq float64
		for i := range pair[0] {
			d := pair[0][i] - pair[1][i]
			sum += d
			sumSq += d * d
		}
		mean := sum / n
		std := math.Sqrt(sumSq/n - mean*mean)
		if math.Abs(mean) > 4*sigmaE/math.Sqrt(n) {
			t.Errorf("e%d − g has mean %.4f, want 0 ± %.4f", comp+1, mean, sigmaE/math.Sqrt(n))
		}
		// The standard deviation of a sample std is σ/√(2n).
		if math.Abs(std-sigmaE) > 4*sigmaE/math.Sqrt(2*n) {
			t.Errorf("e%d − g has standard deviation %.4f, want %g", comp+1, std, sigmaE)
		}
	}
}

func TestMockCatalogRotatesMeasuredEllipticities(t *testing.T) {
	const tol = 1e-12
	in, err := catalog.Read("../testdata/mock_shear_cat.fits", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A grid smaller than the 1° field, so that some galaxies fall outside.
	grid := newGrid(t, 40, skymap.Gnomonic, 0.2, -3)
	kappa := blob(grid, 0.1, 4)
	cat, err := simulate.MockCatalog(grid, kappa, simulate.MockOptions{
		RA: in.RA, Dec: in.Dec, Weight: in.Weight, E1: in.E1, E2: in.E2, Seed: 5,
	})
	if err != nil {
		t.Fatal(err)
	}

	a, err := shearmap.Assign(grid, in.RA, in.Dec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cat.Outside != a.Outside || cat.Len() != a.Binned {
		t.Errorf("%d galaxies kept and %d outside, want %d and %d as shearmap.Assign counts", cat.Len(), cat.Outside, a.Binned, a.Outside)
	}

	// e − g is the input ellipticity rotated: same modulus, new orientation.
	var dot, norm float64
	for i, src := range cat.Source {
		if cat.RA[i] != in.RA[src] || cat.Dec[i] != in.Dec[src] || cat.Weight[i] != in.Weight[src] {
			t.Fatalf("galaxy %d: position or weight differs from input row %d", i, src)
		}
		s1, s2 := cat.E1[i]-cat.G1[i], cat.E2[i]-cat.G2[i]
		if d := math.Abs(math.Hypot(s1, s2) - math.Hypot(in.E1[src], in.E2[src])); d > tol {
			t.Fatalf("galaxy %d: |e − g| differs from the input |e| by %.3g", i, d)
		}
		dot += s1*in.E1[src] + s2*in.E2[src]
		norm += in.E1[src]*in.E1[src] + in.E2[src]*in.E2[src]
	}
	if r := dot / norm; math.Abs(r) > 0.05 {
		t.Errorf("rotated and input ellipticities correlate with coefficient %.3f, want about 0", r)
	}
}

func TestMockCatalogReducedShear(t *testing.T) {
	const tol = 1e-12
	grid := newGrid(t, 32, skymap.Gnomonic, 60, 10)
	kappa := blob(grid, 0.4, 3)
	drawn, err := simulate.MockCatalog(grid, kappa, simulate.MockOptions{DensityArcmin2: 2, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	// The same galaxies again, as a catalogue, with reduced shear.
	reduced, err := simulate.MockCatalog(grid, kappa, simulate.MockOptions{RA: drawn.RA, Dec: drawn.Dec, ReducedShear: true})
	if err != nil {
		t.Fatal(err)
	}
	loc := skymap.NewLocator(grid)
	for i, src := range reduced.Source {
		p, _ := loc.Index(reduced.RA[i], reduced.Dec[i])
		want := drawn.G1[src] / (1 - kappa[p])
		if math.Abs(reduced.G1[i]-want) > tol {
			t.Fatalf("galaxy %d: g1 = %.15g, want γ1/(1 − κ) = %.15g", i, reduced.G1[i], want)
		}
		if reduced.E1[i] != reduced.G1[i] || reduced.E2[i] != reduced.G2[i] {
			t.Fatalf("galaxy %d: e ≠ g without noise", i)
		}
	}

	kappa[grid.Len()/2+grid.NX/2] = 1.5
	_, err = simulate.MockCatalog(grid, kappa, simulate.MockOptions{DensityArcmin2: 50, ReducedShear: true})
	if err == nil || !strings.Contains(err.Error(), "needs κ < 1") {
		t.Errorf("κ = 1.5 under galaxies with reduced shear: error %v, want one about κ < 1", err)
	}
}

func TestMockCatalogWriteFITSRoundTrip(t *testing.T) {
	grid := newGrid(t, 24, skymap.PlateCarree, 150.1, 2.2)
	cat, err := simulate.MockCatalog(grid, blob(grid, 0.05, 3), simulate.MockOptions{DensityArcmin2: 3, SigmaE: 0.2, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mock.fits")
	if err := cat.WriteFITS(path, false); err != nil {
		t.Fatal(err)
	}

	// Read it back as the massmap command does.
	got, err := catalog.Read(path, catalog.Options{HDU: "SHEAR"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasWeight {
		t.Error("the weight column was not found")
	}
	for _, col := range []struct {
		name       string
		got, wrote []float64
	}{{"ra", got.RA, cat.RA}, {"dec", got.Dec, cat.Dec}, {"e1", got.E1, cat.E1}, {"e2", got.E2, cat.E2}, {"weight", got.Weight, cat.Weight}} {
		if !slices.Equal(col.got, col.wrote) {
			t.Errorf("column %s read back differs from the one written", col.name)
		}
	}

	if err := cat.WriteFITS(path, false); err == nil {
		t.Error("WriteFITS replaced an existing file without overwrite")
	}
	if err := cat.WriteFITS(path, true); err != nil {
		t.Errorf("WriteFITS with overwrite: %v", err)
	}
}

func TestMockCatalogErrors(t *testing.T) {
	grid := newGrid(t, 16, skymap.Gnomonic, 10, 10)
	kappa := make([]float64, grid.Len())
	nanKappa := make([]float64, grid.Len())
	nanKappa[5] = math.NaN()
	pos := []float64{10, 10.01}
	cases := []struct {
		name  string
		kappa []float64
		opt   simulate.MockOptions
		want  string
	}{
		{"short map", kappa[:10], simulate.MockOptions{DensityArcmin2: 1}, "convergence map of 10 values"},
		{"NaN in map", nanKappa, simulate.MockOptions{DensityArcmin2: 1}, "want a finite value"},
		{"no positions", kappa, simulate.MockOptions{}, "invalid galaxy density"},
		{"positions and density", kappa, simulate.MockOptions{RA: pos, Dec: pos, DensityArcmin2: 1}, "give one"},
		{"RA without Dec", kappa, simulate.MockOptions{RA: pos}, "give both"},
		{"weights without positions", kappa, simulate.MockOptions{DensityArcmin2: 1, Weight: pos}, "which are missing"},
		{"negative weight", kappa, simulate.MockOptions{RA: pos, Dec: pos, Weight: []float64{1, -1}}, "weight of galaxy 1"},
		{"short e2", kappa, simulate.MockOptions{RA: pos, Dec: pos, E1: pos, E2: pos[:1]}, "2 e1 and 1 e2"},
		{"rotation and sigma", kappa, simulate.MockOptions{RA: pos, Dec: pos, E1: pos, E2: pos, SigmaE: 0.3}, "give one"},
		{"negative sigma", kappa, simulate.MockOptions{DensityArcmin2: 1, SigmaE: -0.1}, "invalid σ_e"},
		{"negative pad", kappa, simulate.MockOptions{DensityArcmin2: 1, Pad: -1}, "invalid padding"},
		{"density too low", kappa, simulate.MockOptions{DensityArcmin2: 1e-3}, "round to no galaxy"},
		{"all outside", kappa, simulate.MockOptions{RA: []float64{200}, Dec: []float64{-40}}, "none of the 1 galaxies"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := simulate.MockCatalog(grid, c.kappa, c.opt)
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}
