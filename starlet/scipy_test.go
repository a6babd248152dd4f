package starlet_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/skyinv/skyinv/starlet"
)

// scipyReference holds the sums of squares of each coefficient plane (w_1
// first, c_J last) of the formula image. bench/starlet_numpy.py printed
// them (its "sumsq" lines) with numpy 1.24.2 and scipy 1.10.1, computing
// the transform with scipy.ndimage.convolve1d, the dilated kernel and the
// modes "mirror" and "wrap". That script checks that a second numpy
// variant agrees to 1e-12 in every pixel.
var scipyReference = []struct {
	boundary       starlet.Boundary
	nx, ny, scales int
	sumsq          []float64
}{
	{starlet.Mirror, 257, 130, 7, []float64{
		2177.8043195819823, 121.23314405441594, 26.117685312618299, 7.434773472486409,
		9.6204692425098166, 62.931386307117101, 334.26957805163028, 20128.321116990999,
	}},
	{starlet.Periodic, 257, 130, 7, []float64{
		2216.4859628773015, 149.59048246097481, 72.992129622912941, 94.132572512307362,
		175.11198350353504, 339.13907726882087, 441.33323710674352, 18960.089821187295,
	}},
	{starlet.Mirror, 1024, 1024, 5, []float64{
		69346.378606886821, 3523.9480593197559, 633.11252466523922, 144.18364296913683,
		36.85405028897803, 698228.62667862105,
	}},
	{starlet.Periodic, 1024, 1024, 5, []float64{
		69607.184916349477, 3693.6517873480088, 937.56640597372905, 723.7231158001432,
		1174.6692267247736, 685673.56527714699,
	}},
}

func TestScipyReferenceSums(t *testing.T) {
	const tol = 1e-10 // relative
	for _, ref := range scipyReference {
		t.Run(fmt.Sprintf("%v/%dx%d/J=%d", ref.boundary, ref.nx, ref.ny, ref.scales), func(t *testing.T) {
			tr := newTransform(t, ref.nx, ref.ny, ref.scales, starlet.Options{Boundary: ref.boundary})
			coeffs := tr.NewCoeffs()
			tr.Forward(coeffs, formulaImage(ref.nx, ref.ny))
			for j, plane := range coeffs {
				got := dot(plane, plane)
				if e := math.Abs(got-ref.sumsq[j]) / ref.sumsq[j]; e > tol {
					t.Errorf("plane %d: sum of squares %.17g, scipy %.17g: relative difference %.3g, want ≤ %g", j, got, ref.sumsq[j], e, tol)
				}
			}
		})
	}
}
