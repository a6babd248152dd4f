package quicklook_test

import (
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/skyinv/skyinv/quicklook"
)

var demoDir = flag.String("quicklook.demo", "", "directory to write the demo figures to (default: a temporary directory)")

// demoKappa returns an n × n convergence-like map with pixels of pixelArcmin:
// a few Gaussian halos plus shape noise smoothed with a Gaussian of σ = 1
// arcmin. The mask keeps a disc of radius 0.95 × n/2 pixels.
func demoKappa(n int, pixelArcmin float64) (kappa []float64, mask []bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]float64, n*n)
	for i := range noise {
		noise[i] = rng.NormFloat64()
	}
	noise = smooth(noise, n, 1/pixelArcmin)

	// Halos: centre in arcmin from the map centre, σ in arcmin, peak κ.
	halos := []struct{ x, y, sigma, peak float64 }{
		{-20, 15, 2.5, 0.12},
		{12, 25, 1.5, 0.08},
		{25, -18, 3.5, 0.10},
		{-8, -30, 2.0, 0.06},
		{5, 0, 1.2, 0.05},
	}
	kappa = make([]float64, n*n)
	mask = make([]bool, n*n)
	c := float64(n) / 2
	for y := range n {
		for x := range n {
			dx := (float64(x) + 0.5 - c) * pixelArcmin
			dy := (float64(y) + 0.5 - c) * pixelArcmin
			v := 0.02 * noise[y*n+x]
			for _, h := range halos {
				r2 := (dx-h.x)*(dx-h.x) + (dy-h.y)*(dy-h.y)
				v += h.peak * math.Exp(-r2/(2*h.sigma*h.sigma))
			}
			kappa[y*n+x] = v
			mask[y*n+x] = math.Hypot(dx, dy) < 0.95*c*pixelArcmin
		}
	}
	return kappa, mask
}

// smooth convolves the n × n map with a Gaussian of sigma pixels, separably,
// and rescales the result to unit variance.
func smooth(m []float64, n int, sigma float64) []float64 {
	r := int(3 * sigma)
	kernel := make([]float64, 2*r+1)
	for i := range kernel {
		d := float64(i - r)
		kernel[i] = math.Exp(-d * d / (2 * sigma * sigma))
	}
	tmp := make([]float64, n*n)
	out := make([]float64, n*n)
	for y := range n {
		for x := range n {
			var s float64
			for k, w := range kernel {
				xx := (x + k - r + n) % n
				s += w * m[y*n+xx]
			}
			tmp[y*n+x] = s
		}
	}
	var sum2 float64
	for y := range n {
		for x := range n {
			var s float64
			for k, w := range kernel {
				yy := (y + k - r + n) % n
				s += w * tmp[yy*n+x]
			}
			out[y*n+x] = s
			sum2 += s * s
		}
	}
	rms := math.Sqrt(sum2 / float64(n*n))
	for i := range out {
		out[i] /= rms
	}
	return out
}

// TestDemoFigures renders the figures that show what Encode draws. Run with
// -quicklook.demo=/tmp to keep them and look at them.
func TestDemoFigures(t *testing.T) {
	dir := *demoDir
	if dir == "" {
		dir = t.TempDir()
	}
	const n, pixelArcmin = 360, 0.29
	kappa, mask := demoKappa(n, pixelArcmin)

	counts := make([]float64, n*n)
	rng := rand.New(rand.NewPCG(3, 4))
	for i, k := range kappa {
		counts[i] = float64(poisson(rng, 4*(1+5*k)))
	}

	figures := []struct {
		file string
		data []float64
		opt  quicklook.Options
	}{
		{"quicklook-demo.png", kappa, quicklook.Options{
			Title:       "KAPPA_E  (Kaiser-Squires, smoothed 1.0 arcmin)",
			Label:       "convergence κ",
			PixelArcmin: pixelArcmin,
			Mask:        mask,
			East:        "N up, E left",
		}},
		{"quicklook-demo-rdbu.png", kappa, quicklook.Options{
			Title:       "KAPPA_E  (Kaiser-Squires, smoothed 1.0 arcmin)",
			Label:       "convergence κ",
			PixelArcmin: pixelArcmin,
			Mask:        mask,
			Symmetric:   true,
			East:        "N up, E left",
		}},
		{"quicklook-demo-counts.png", counts, quicklook.Options{
			Title:    "Galaxy counts per pixel",
			Label:    "counts",
			Colormap: "magma",
		}},
	}
	for _, fig := range figures {
		var buf bytes.Buffer
		if err := quicklook.Encode(&buf, fig.data, n, n, fig.opt); err != nil {
			t.Fatalf("%s: %v", fig.file, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fig.file), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// poisson draws from a Poisson distribution by counting exponential gaps,
// which is fine for the small means used here.
func poisson(rng *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	k, t := 0, rng.ExpFloat64()
	for t < mean {
		k++
		t += rng.ExpFloat64()
	}
	return k
}
