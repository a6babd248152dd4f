package starlet

import (
	"fmt"
	"math"
)

// NoiseLevels returns, for j = 1 … scales, the standard deviation σ_j of
// the wavelet coefficients w_j of white noise with unit variance: the l2
// norm of the equivalent filter of scale j on an unbounded plane. A k-sigma
// threshold at scale j for noise of standard deviation σ is k·σ·σ_j.
//
// The value for scale j is exact (up to rounding) at every pixel of a
// Periodic transform whose sides are at least 4·2^j − 3 pixels, the width
// of that filter. For a Mirror transform it is exact at the pixels at least
// 2·(2^j − 1) pixels from every edge. Nearer the edges of a Mirror
// transform the reflected noise is correlated with itself, and the true
// standard deviation differs.
//
// The equivalent smoothing filter after j steps is separable, φ_j⊗φ_j, with
// φ_0 = δ and φ_{j+1} = h_j ∗ φ_j on the line, h_j being h dilated by 2^j.
// The wavelet filter is ψ_j = φ_{j−1}⊗φ_{j−1} − φ_j⊗φ_j, so
//
//	σ_j² = ‖ψ_j‖² = ‖φ_{j−1}‖⁴ − 2·⟨φ_{j−1}, φ_j⟩² + ‖φ_j‖⁴,
//
// which needs only 1-D filters of 4·2^j − 3 taps. NoiseLevels panics if
// scales < 1.
func NoiseLevels(scales int) []float64 {
	if scales < 1 {
		panic(fmt.Sprintf("starlet: NoiseLevels: invalid number of scales %d: it must be at least 1", scales))
	}
	levels := make([]float64, scales)

	// phi holds φ_j centred: offsets −r … r with r = 2·(2^j − 1).
	phi := []float64{1}
	for j := range scales {
		d := 1 << j
		next := make([]float64, len(phi)+4*d)
		for i, v := range phi {
			for k, h := range b3 {
				next[i+k*d] += h * v
			}
		}

		// φ_j sits in the middle of φ_{j+1}, 2d taps in from each end.
		var normPhi, normNext, cross float64
		for i, v := range phi {
			normPhi += v * v
			cross += v * next[i+2*d]
		}
		for _, v := range next {
			normNext += v * v
		}
		levels[j] = math.Sqrt(normPhi*normPhi - 2*cross*cross + normNext*normNext)
		phi = next
	}
	return levels
}
