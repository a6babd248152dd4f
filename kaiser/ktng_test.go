package kaiser

import (
	"math"
	"testing"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/shareddata"
)

// pearson returns the correlation coefficient of a and b over the pixels
// where mask is true.
func pearson(a, b []float64, mask []bool) float64 {
	var n, sa, sb float64
	for i := range a {
		if mask[i] {
			n++
			sa += a[i]
			sb += b[i]
		}
	}
	ma, mb := sa/n, sb/n
	var cab, caa, cbb float64
	for i := range a {
		if mask[i] {
			da, db := a[i]-ma, b[i]-mb
			cab += da * db
			caa += da * da
			cbb += db * db
		}
	}
	return cab / math.Sqrt(caa*cbb)
}

func readImage(t *testing.T, rel string) *fits.ImageHDU {
	t.Helper()
	img, err := fits.ReadImage(shareddata.Path(t, rel), "")
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// The kappaTNG field: the shear of a simulated convergence map plus
// COSMOS-like shape noise, inverted inside the COSMOS footprint and smoothed
// by 1 arcmin, must correlate with the true convergence. The simulated
// shear is in the array convention (γ2 > 0 along the x = y diagonal).
func TestKappaTNGCorrelatesWithTruth(t *testing.T) {
	const minR = 0.55
	const pixelArcmin = 0.29
	truth := readImage(t, "ktng/kappa_truth_360.fits")
	shear := readImage(t, "ktng/shear_cosmos_noise_360.fits")
	mask := readImage(t, "cosmos/cosmos_mask_360.fits")
	if len(shear.Axes) != 3 || shear.Axes[0] != 2 {
		t.Fatalf("shear axes %v, want [2 360 360]", shear.Axes)
	}
	nx, ny := truth.Axes[0], truth.Axes[1]
	n := nx * ny
	g1, g2 := make([]float64, n), make([]float64, n)
	inside := make([]bool, n)
	for i := range n {
		if mask.Data[i] > 0 {
			inside[i] = true
			g1[i], g2[i] = shear.Data[2*i], shear.Data[2*i+1]
		}
	}

	tr, err := New(nx, ny, Options{SmoothArcmin: 1, PixelArcmin: pixelArcmin, PixelFrame: true})
	if err != nil {
		t.Fatal(err)
	}
	kE, kB := make([]float64, n), make([]float64, n)
	tr.Convergence(kE, kB, g1, g2)

	r := pearson(kE, truth.Data, inside)
	t.Logf("Pearson r inside the mask: %.4f (κ_B against truth: %.4f)", r, pearson(kB, truth.Data, inside))
	if !(r >= minR) {
		t.Errorf("Pearson r = %.4f, want >= %.2f", r, minR)
	}
}
