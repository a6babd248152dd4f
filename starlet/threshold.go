package starlet

import (
	"fmt"
	"math"
)

// The functions here act on coefficient planes as Forward writes them,
// wavelet scales first and the coarse scale last, with one threshold or
// weight per plane (a []float64) or one per pixel (a [][]float64 of planes).
// One entry per wavelet scale, len(coeffs) − 1 of them, leaves the coarse
// scale out, as sparsity priors usually do. With len(coeffs) entries the
// coarse scale is included. dst may be coeffs itself. Planes left out are
// copied from coeffs to dst unchanged.

// SoftThreshold sets dst to coeffs soft-thresholded plane by plane,
//
//	dst_j[p] = sign(w) · max(|w| − λ_j, 0),   w = coeffs_j[p], λ_j = thresholds[j],
//
// the proximal operator of w ↦ Σ_j λ_j Σ_p |w_j[p]|, the weighted l1 norm
// that L1Norm computes with weights = thresholds. It panics if the planes
// of dst and coeffs differ in number or length, if len(thresholds) is not
// len(coeffs) − 1 or len(coeffs), or if a threshold is negative or NaN.
func SoftThreshold(dst, coeffs [][]float64, thresholds []float64) {
	used := checkThresholdArgs("SoftThreshold", dst, coeffs, len(thresholds))
	for j := range used {
		lambda := thresholds[j]
		if !(lambda >= 0) {
			panic(fmt.Sprintf("starlet: SoftThreshold: invalid threshold %v for plane %d: it must be at least 0", lambda, j))
		}
		out, in := dst[j], coeffs[j][:len(dst[j])]
		for p, w := range in {
			out[p] = soft(w, lambda)
		}
	}
	copyRest(dst, coeffs, used)
}

// SoftThresholdMaps is SoftThreshold with a threshold per pixel:
// thresholds[j][p] applies to coeffs[j][p]. Its planes must have the
// length of the coefficient planes.
func SoftThresholdMaps(dst, coeffs, thresholds [][]float64) {
	used := checkThresholdArgs("SoftThresholdMaps", dst, coeffs, len(thresholds))
	for j := range used {
		out, in, lambda := dst[j], coeffs[j][:len(dst[j])], checkMap("SoftThresholdMaps", thresholds[j], j, len(dst[j]))
		for p, w := range in {
			if !(lambda[p] >= 0) {
				panic(fmt.Sprintf("starlet: SoftThresholdMaps: invalid threshold %v at pixel %d of plane %d: it must be at least 0", lambda[p], p, j))
			}
			out[p] = soft(w, lambda[p])
		}
	}
	copyRest(dst, coeffs, used)
}

// HardThreshold sets dst to coeffs hard-thresholded plane by plane: a
// coefficient w of plane j is kept if |w| > thresholds[j] and set to zero
// otherwise. It panics in the cases that SoftThreshold does.
func HardThreshold(dst, coeffs [][]float64, thresholds []float64) {
	used := checkThresholdArgs("HardThreshold", dst, coeffs, len(thresholds))
	for j := range used {
		lambda := thresholds[j]
		if !(lambda >= 0) {
			panic(fmt.Sprintf("starlet: HardThreshold: invalid threshold %v for plane %d: it must be at least 0", lambda, j))
		}
		out, in := dst[j], coeffs[j][:len(dst[j])]
		for p, w := range in {
			out[p] = hard(w, lambda)
		}
	}
	copyRest(dst, coeffs, used)
}

// HardThresholdMaps is HardThreshold with a threshold per pixel:
// thresholds[j][p] applies to coeffs[j][p]. Its planes must have the
// length of the coefficient planes.
func HardThresholdMaps(dst, coeffs, thresholds [][]float64) {
	used := checkThresholdArgs("HardThresholdMaps", dst, coeffs, len(thresholds))
	for j := range used {
		out, in, lambda := dst[j], coeffs[j][:len(dst[j])], checkMap("HardThresholdMaps", thresholds[j], j, len(dst[j]))
		for p, w := range in {
			if !(lambda[p] >= 0) {
				panic(fmt.Sprintf("starlet: HardThresholdMaps: invalid threshold %v at pixel %d of plane %d: it must be at least 0", lambda[p], p, j))
			}
			out[p] = hard(w, lambda[p])
		}
	}
	copyRest(dst, coeffs, used)
}

// L1Norm returns the weighted l1 norm Σ_j weights[j] · Σ_p |coeffs[j][p]|
// over the planes that weights covers: the wavelet scales when
// len(weights) = len(coeffs) − 1, the coarse scale too when len(weights) =
// len(coeffs). With nonnegative weights this is the value of the sparsity
// prior whose proximal operator SoftThreshold computes. It panics if
// len(weights) is neither, or if the planes differ in length.
func L1Norm(coeffs [][]float64, weights []float64) float64 {
	checkWeightArgs("L1Norm", coeffs, len(weights))
	sum := 0.0
	for j, w := range weights {
		plane := 0.0
		for _, v := range coeffs[j] {
			plane += math.Abs(v)
		}
		sum += w * plane
	}
	return sum
}

// L1NormMaps returns Σ_j Σ_p weights[j][p] · |coeffs[j][p]| over the planes
// that weights covers, as for L1Norm, with a weight per pixel. Its planes
// must have the length of the coefficient planes.
func L1NormMaps(coeffs, weights [][]float64) float64 {
	checkWeightArgs("L1NormMaps", coeffs, len(weights))
	sum := 0.0
	for j, plane := range weights {
		in := coeffs[j]
		plane = checkMap("L1NormMaps", plane, j, len(in))
		for p, v := range in {
			sum += plane[p] * math.Abs(v)
		}
	}
	return sum
}

func soft(w, lambda float64) float64 {
	switch {
	case w > lambda:
		return w - lambda
	case w < -lambda:
		return w + lambda
	}
	return 0
}

func hard(w, lambda float64) float64 {
	if math.Abs(w) > lambda {
		return w
	}
	return 0
}

// checkThresholdArgs panics unless dst and coeffs have the same number of
// planes with matching lengths and n, the number of thresholds, covers the
// wavelet scales with or without the coarse scale. It returns n.
func checkThresholdArgs(name string, dst, coeffs [][]float64, n int) int {
	if len(dst) != len(coeffs) {
		panic(fmt.Sprintf("starlet: %s: dst has %d planes and coeffs %d", name, len(dst), len(coeffs)))
	}
	for j := range coeffs {
		if len(dst[j]) != len(coeffs[j]) {
			panic(fmt.Sprintf("starlet: %s: plane %d has %d values in dst and %d in coeffs", name, j, len(dst[j]), len(coeffs[j])))
		}
	}
	checkWeightArgs(name, coeffs, n)
	return n
}

// checkWeightArgs panics unless n, the number of thresholds or weights, is
// len(coeffs) − 1 or len(coeffs), and all planes have the same length.
func checkWeightArgs(name string, coeffs [][]float64, n int) {
	if len(coeffs) < 2 {
		panic(fmt.Sprintf("starlet: %s: got %d coefficient planes, want at least 2 (one wavelet scale and the coarse scale)", name, len(coeffs)))
	}
	if n != len(coeffs)-1 && n != len(coeffs) {
		panic(fmt.Sprintf("starlet: %s: got %d thresholds or weights for %d planes, want %d (wavelet scales only) or %d (coarse scale too)", name, n, len(coeffs), len(coeffs)-1, len(coeffs)))
	}
	for j := range coeffs {
		if len(coeffs[j]) != len(coeffs[0]) {
			panic(fmt.Sprintf("starlet: %s: coefficient plane %d has %d values and plane 0 has %d", name, j, len(coeffs[j]), len(coeffs[0])))
		}
	}
}

// checkMap panics unless the per-pixel plane j has n values, and returns it
// resliced to n for the compiler's bounds-check elimination.
func checkMap(name string, plane []float64, j, n int) []float64 {
	if len(plane) != n {
		panic(fmt.Sprintf("starlet: %s: plane %d of thresholds or weights has %d values, want %d", name, j, len(plane), n))
	}
	return plane[:n]
}

// copyRest copies the planes from index used on from coeffs to dst, unless
// they are the same planes.
func copyRest(dst, coeffs [][]float64, used int) {
	for j := used; j < len(coeffs); j++ {
		if len(dst[j]) > 0 && &dst[j][0] == &coeffs[j][0] {
			continue
		}
		copy(dst[j], coeffs[j])
	}
}
