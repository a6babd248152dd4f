package main

import (
	"math"
	"slices"
)

// noiseLag is the distance in pixels between the pixels that the noise
// estimate differences. Resampled (drizzled) images such as the HST stamps
// correlate neighbouring pixels, which lowers the variance of adjacent
// differences: on the five AEGIS F814W stamps a lag of 1 gives about half of
// the catalogue's noise variance and a lag of 2 gives 0.9 to 1.15 of it
// (TestNoiseEstimateMatchesHSTCatalogue logs both).
const noiseLag = 2

// noiseMethod describes the estimate in logs and headers.
const noiseMethod = "robust estimate from differences of pixels two apart"

// maxNoiseSamples caps the differences that the estimate sorts; larger
// images are sampled with a regular stride.
const maxNoiseSamples = 1 << 21

// estimateNoiseVar returns a robust estimate of the variance of white
// noise in an nx × ny image. The differences d of pixels lag apart, along x
// and along y, remove the smooth signal. For white noise of variance σ²
// they have variance 2σ², and the median absolute deviation (MAD) of a
// Gaussian is 0.6745 times its standard deviation, so
//
//	σ = 1.4826 · MAD(d) / √2.
//
// The median ignores the few large differences across sharp sources. It
// returns 0 when the image is too small for any difference or when more
// than half of the differences are equal (a constant or quantised image).
func estimateNoiseVar(data []float64, nx, ny, lag int) float64 {
	total := max(0, nx-lag)*ny + nx*max(0, ny-lag)
	if total == 0 {
		return 0
	}
	stride := (total + maxNoiseSamples - 1) / maxNoiseSamples
	diffs := make([]float64, 0, total/stride+1)
	k := 0
	keep := func(d float64) {
		if k%stride == 0 {
			diffs = append(diffs, d)
		}
		k++
	}
	for y := range ny {
		for x := 0; x+lag < nx; x++ {
			keep(data[y*nx+x+lag] - data[y*nx+x])
		}
	}
	for y := 0; y+lag < ny; y++ {
		for x := range nx {
			keep(data[(y+lag)*nx+x] - data[y*nx+x])
		}
	}

	med := median(diffs)
	for i, d := range diffs {
		diffs[i] = math.Abs(d - med)
	}
	sigma := 1.4826 * median(diffs) / math.Sqrt2
	return sigma * sigma
}

// median returns the median of v, reordering v.
func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
