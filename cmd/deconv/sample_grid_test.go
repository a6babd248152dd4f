package main

import (
	"math"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/operators"
)

// The padded grid is a multiple of the network's size with at least half
// the PSF on each side, and the periodic convolution on it equals the
// linear (zero-padded) one on the image's pixels.
func TestPaddedGridMakesConvolutionLinear(t *testing.T) {
	const tol = 1e-12
	const nx, ny, kx, ky, multiple = 37, 30, 8, 5, 8
	g := newPaddedGrid(nx, ny, kx, ky, multiple)
	if g.nx%multiple != 0 || g.ny%multiple != 0 {
		t.Fatalf("grid %d x %d is not a multiple of %d", g.nx, g.ny, multiple)
	}
	if g.x0 < kx/2 || g.nx-nx-g.x0 < kx/2 || g.y0 < ky/2 || g.ny-ny-g.y0 < ky/2 {
		t.Fatalf("grid %d x %d with the image at (%d, %d): less than half the %d x %d PSF on a side", g.nx, g.ny, g.x0, g.y0, kx, ky)
	}

	// An object that fills the grid, and an asymmetric PSF.
	psf := make([]float64, kx*ky)
	for i := range psf {
		psf[i] = float64(1 + i%3 + i/kx)
	}
	object := make([]float64, g.nx*g.ny)
	for i := range object {
		object[i] = math.Sin(0.37*float64(i)) + 1
	}
	periodic, err := operators.NewConvolution(g.nx, g.ny, psf, kx, ky, operators.Periodic)
	if err != nil {
		t.Fatal(err)
	}
	model := make([]float64, len(object))
	periodic.Apply(model, object)

	// The linear convolution at an image pixel, from its definition.
	for y := range ny {
		for x := range nx {
			px, py := x+g.x0, y+g.y0
			var want float64
			for j := range ky {
				for i := range kx {
					want += psf[j*kx+i] * object[(py-j+ky/2)*g.nx+px-i+kx/2]
				}
			}
			if got := model[py*g.nx+px]; math.Abs(got-want) > tol*math.Abs(want) {
				t.Fatalf("image pixel (%d, %d): periodic model %g, linear %g", x, y, got, want)
			}
		}
	}

	// The likelihood's data: the image where it lies, no data elsewhere.
	image := make([]float64, nx*ny)
	image[5*nx+3] = 2
	data, noise := g.likelihoodData(image, 0.5, 3)
	if got := data[(5+g.y0)*g.nx+3+g.x0]; got != 6 {
		t.Errorf("data at image pixel (3, 5) = %v, want 2 times the factor 3", got)
	}
	if got := noise[g.y0*g.nx+g.x0]; got != 4.5 {
		t.Errorf("noise variance in the image = %v, want 0.5 times 3²", got)
	}
	if !math.IsInf(noise[0], 1) {
		t.Errorf("noise variance in the padding = %v, want +Inf", noise[0])
	}
}

func TestPixelScaleFromWCS(t *testing.T) {
	const tol = 1e-9
	deg := func(arcsec float64) float64 { return arcsec / 3600 }
	cases := []struct {
		name  string
		cards []fits.Card
		want  float64 // 0: no WCS
		err   string
	}{
		{"none", []fits.Card{{Key: "BUNIT", Value: "counts/s"}}, 0, ""},
		{"CD, rotated", []fits.Card{{Key: "CD1_1", Value: deg(-0.03) * 0.6}, {Key: "CD1_2", Value: deg(0.03) * 0.8}, {Key: "CD2_1", Value: deg(0.03) * 0.8}, {Key: "CD2_2", Value: deg(0.03) * 0.6}}, 0.03, ""},
		{"CDELT", []fits.Card{{Key: "CDELT1", Value: deg(-0.05)}, {Key: "CDELT2", Value: deg(0.05)}}, 0.05, ""},
		{"CDELT in arcsec", []fits.Card{{Key: "CDELT1", Value: -0.1}, {Key: "CDELT2", Value: 0.1}, {Key: "CUNIT1", Value: "arcsec"}, {Key: "CUNIT2", Value: "arcsec"}}, 0.1, ""},
		{"CDELT with PC", []fits.Card{{Key: "CDELT1", Value: deg(0.04)}, {Key: "CDELT2", Value: deg(0.04)}, {Key: "PC1_1", Value: 0.0}, {Key: "PC1_2", Value: -1.0}, {Key: "PC2_1", Value: 1.0}, {Key: "PC2_2", Value: 0.0}}, 0.04, ""},
		{"not square", []fits.Card{{Key: "CDELT1", Value: deg(0.03)}, {Key: "CDELT2", Value: deg(0.05)}}, 0, "not square"},
		{"unknown unit", []fits.Card{{Key: "CDELT1", Value: 1.0}, {Key: "CDELT2", Value: 1.0}, {Key: "CUNIT1", Value: "rad"}}, 0, "CUNIT1 = 'rad'"},
		{"zero area", []fits.Card{{Key: "CDELT1", Value: 0.0}, {Key: "CDELT2", Value: 0.0}}, 0, "pixel area"},
	}
	for _, c := range cases {
		got, found, err := pixelScaleArcsec(c.cards)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want == 0 && found:
			t.Errorf("%s: found a pixel size %g, want none", c.name, got)
		case c.want != 0 && (!found || math.Abs(got/c.want-1) > tol):
			t.Errorf("%s: pixel size %g arcsec (found %v), want %g", c.name, got, found, c.want)
		}
	}
}
