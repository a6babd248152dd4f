package kaiser

import (
	"fmt"
	"math"

	"github.com/skyinv/skyinv/internal/spin2"
)

// Options configures a Transform. The zero value means no smoothing, no
// padding and the sky convention for shear.
type Options struct {
	// SmoothArcmin is the standard deviation of the Gaussian that smooths
	// κ, in arcmin; 0 disables smoothing. It needs PixelArcmin.
	SmoothArcmin float64
	// PixelArcmin is the pixel size in arcmin.
	PixelArcmin float64
	// Pad is the number of pixels of zero shear added on each side.
	Pad int
	// PixelFrame selects the array convention for γ2 and κ_B (see the
	// package documentation).
	PixelFrame bool
}

// Transform maps shear to convergence and back on one grid. It keeps its FFT
// plan and buffers, so repeated calls allocate nothing with one worker (see
// SetWorkers). A Transform is not safe for concurrent use; make one per
// goroutine.
type Transform struct {
	nx, ny int
	sign   float64 // +1 sky convention, -1 pixel frame
	core   *spin2.Transform
	sx, sy []float64 // per-axis Gaussian factors on the transform grid; nil without smoothing
}

// New returns a Transform for nx × ny maps.
func New(nx, ny int, opt Options) (*Transform, error) {
	if nx < 1 || ny < 1 {
		return nil, fmt.Errorf("kaiser: invalid map size %d x %d", nx, ny)
	}
	if opt.Pad < 0 {
		return nil, fmt.Errorf("kaiser: invalid padding %d: it must be 0 or more pixels", opt.Pad)
	}
	if opt.SmoothArcmin < 0 || math.IsNaN(opt.SmoothArcmin) || math.IsInf(opt.SmoothArcmin, 0) {
		return nil, fmt.Errorf("kaiser: invalid smoothing scale %g arcmin: it must be 0 or positive", opt.SmoothArcmin)
	}
	if opt.SmoothArcmin > 0 && !(opt.PixelArcmin > 0) {
		return nil, fmt.Errorf("kaiser: smoothing by %g arcmin needs a positive pixel size, got %g", opt.SmoothArcmin, opt.PixelArcmin)
	}

	t := &Transform{nx: nx, ny: ny, sign: 1, core: spin2.New(nx, ny, opt.Pad)}
	if opt.PixelFrame {
		t.sign = -1
	}
	if opt.SmoothArcmin > 0 {
		sigma := opt.SmoothArcmin / opt.PixelArcmin
		px, py := t.core.TransformSize()
		t.sx, t.sy = gaussian(px, sigma), gaussian(py, sigma)
	}
	return t, nil
}

// gaussian returns the 1-D Gaussian factors exp(−2π² σ² f²) of the FFT
// frequencies f of n points, σ in pixels.
func gaussian(n int, sigma float64) []float64 {
	g := spin2.Frequencies(n)
	for i, f := range g {
		g[i] = math.Exp(-2 * math.Pi * math.Pi * sigma * sigma * f * f)
	}
	return g
}

// SetWorkers sets the number of goroutines that each call uses; n < 1
// selects runtime.GOMAXPROCS(0). Callers that run several Transforms at once
// give each one worker.
func (t *Transform) SetWorkers(n int) { t.core.SetWorkers(n) }

// Size returns the map size.
func (t *Transform) Size() (nx, ny int) { return t.nx, t.ny }

// Convergence writes the E- and B-mode convergence of the shear (g1, g2)
// into kappaE and kappaB, smoothed when the Transform was made with
// SmoothArcmin. All slices have nx*ny elements; kappaB may be nil.
func (t *Transform) Convergence(kappaE, kappaB, g1, g2 []float64) {
	t.check("Convergence", kappaE, kappaB, g1, g2)
	t.core.Apply(kappaE, kappaB, g1, g2, t.sign, t.sx, t.sy)
}

// Shear writes the shear (g1, g2) of the convergence (kappaE, kappaB) into g1
// and g2. kappaB may be nil for a pure E-mode field. Shear does not smooth.
func (t *Transform) Shear(g1, g2, kappaE, kappaB []float64) {
	t.check("Shear", g1, g2, kappaE, kappaB)
	t.core.Apply(g1, g2, kappaE, kappaB, -t.sign, nil, nil)
}

func (t *Transform) check(op string, a, b, c, d []float64) {
	n := t.nx * t.ny
	for _, s := range [][]float64{a, b, c, d} {
		if s != nil && len(s) != n {
			panic(fmt.Sprintf("kaiser: %s: slice of %d values for a %d x %d map", op, len(s), t.nx, t.ny))
		}
	}
	if a == nil || c == nil {
		panic(fmt.Sprintf("kaiser: %s: nil map", op))
	}
}
