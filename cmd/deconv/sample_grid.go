package main

import (
	"math"

	"github.com/skyinv/skyinv/sampling"
)

// paddedGrid is the grid that deconv sample samples: the image with
// padding around it.
type paddedGrid struct {
	nx, ny       int // the grid
	x0, y0       int // the grid position of the image's pixel (0, 0)
	imgNX, imgNY int // the image
}

// newPaddedGrid pads an nx × ny image for a kx × ky PSF and a network that
// takes multiples of multiple pixels. The padding is at least kx/2 and
// ky/2 pixels on each side. The model of an image pixel draws on the grid
// within kx/2 columns and ky/2 rows of it, so it never crosses the wrap,
// and the periodic convolution on the grid is the linear one on the
// image's pixels. The sides are rounded up to the multiple, the extra
// split between the two edges.
func newPaddedGrid(nx, ny, kx, ky, multiple int) paddedGrid {
	side := func(n, k int) (total, start int) {
		total = n + 2*(k/2)
		total = (total + multiple - 1) / multiple * multiple
		return total, (total - n) / 2
	}
	g := paddedGrid{imgNX: nx, imgNY: ny}
	g.nx, g.x0 = side(nx, kx)
	g.ny, g.y0 = side(ny, ky)
	return g
}

// likelihoodData returns the data and noise variances on the grid: the
// image times factor, with variance noiseVar·factor², and no data (+Inf)
// in the padding.
func (g paddedGrid) likelihoodData(image []float64, noiseVar, factor float64) (data, noise []float64) {
	data = make([]float64, g.nx*g.ny)
	noise = make([]float64, g.nx*g.ny)
	for i := range noise {
		noise[i] = math.Inf(1)
	}
	for y := range g.imgNY {
		for x := range g.imgNX {
			i := (y+g.y0)*g.nx + x + g.x0
			data[i] = image[y*g.imgNX+x] * factor
			noise[i] = noiseVar * factor * factor
		}
	}
	return data, noise
}

// posterior is a sampler's result cropped to the image.
type posterior struct {
	nx, ny    int
	samples   [][]float64 // chain by chain
	mean, std []float64
	rhat      []float64
}

// crop returns the part of res on the image, multiplied by factor (RHAT
// as it is).
func (g paddedGrid) crop(res *sampling.Result, factor float64) *posterior {
	cut := func(m []float64, f float64) []float64 {
		out := make([]float64, g.imgNX*g.imgNY)
		for y := range g.imgNY {
			for x := range g.imgNX {
				out[y*g.imgNX+x] = m[(y+g.y0)*g.nx+x+g.x0] * f
			}
		}
		return out
	}
	p := &posterior{nx: g.imgNX, ny: g.imgNY, mean: cut(res.Mean, factor), std: cut(res.Std, factor), rhat: cut(res.RHat, 1)}
	for _, chain := range res.Samples {
		for _, s := range chain {
			p.samples = append(p.samples, cut(s, factor))
		}
	}
	return p
}
