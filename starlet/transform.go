package starlet

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/skyinv/skyinv/internal/parallel"
)

// Boundary selects how the filter reads samples beyond the edges of a map.
type Boundary int

const (
	// Mirror reflects the map about its first and last rows and columns
	// without repeating them: x[−i] = x[i] and x[n−1+i] = x[n−1−i]. This is
	// scipy.ndimage's mode "mirror" and numpy.pad's mode "reflect".
	Mirror Boundary = iota

	// Periodic wraps the map around: x[−i] = x[n−i] and x[n−1+i] =
	// x[i−1]. This is scipy.ndimage's mode "wrap".
	Periodic
)

// String returns "mirror" or "periodic".
func (b Boundary) String() string {
	switch b {
	case Mirror:
		return "mirror"
	case Periodic:
		return "periodic"
	}
	return fmt.Sprintf("Boundary(%d)", int(b))
}

// Options are the settings of a Transform. The zero value selects Mirror
// boundaries and an automatic number of workers.
type Options struct {
	Boundary Boundary

	// Workers is the number of goroutines a call uses, the caller's
	// included. Zero selects runtime.GOMAXPROCS(0) for maps of at least
	// 128×128 pixels and 1 for smaller ones. The count is capped at the
	// number of rows.
	Workers int
}

// minParallel is the smallest map, in pixels, that Options.Workers = 0
// splits among goroutines. For a 5-scale forward transform on a shared
// 2-core Xeon, two workers took 0.67 times the time of one at 256×256,
// 0.90 at 128×128 and 1.07 at 96×96 (fastest of 5 runs each).
const minParallel = 128 * 128

// Transform computes the starlet transform of maps of one size with a fixed
// number of scales, and its inverse and adjoint. It holds scratch space and
// the state of the call in progress, so it is not safe for concurrent use
// by several goroutines. Give each goroutine its own Transform.
type Transform struct {
	nx, ny, scales int
	boundary       Boundary
	workers        int
	levels         []level     // one per wavelet scale
	smooth         []float64   // nx·ny: the plane after the pass along x
	lines          [][]float64 // a line of nx values per worker, for Adjoint

	// The call in progress, read by the workers.
	pass     pass
	scale    int
	image    []float64
	coeffs   [][]float64
	chunk    int           // rows per band
	nextBand atomic.Int64  // the next band to take in this pass
	finished chan struct{} // one value per share done by another goroutine
}

// level holds the smoothing step of one scale along each axis, and the
// transposes for the adjoint.
type level struct {
	x, xT, y, yT stencil
}

// pass is one sweep over the rows of a map, split among the workers.
type pass int

const (
	forwardAlongX pass = iota
	forwardAlongY
	adjointAlongX
	adjointAlongY
	inverseSum
)

// MaxScales returns the largest number of wavelet scales J that New accepts
// for an nx×ny map: the largest J with 2^J ≤ min(nx, ny) − 1, or 0 when the
// map is smaller than 3×3. The filter of the last scale reaches 2^J pixels
// from its centre, and the bound keeps that reach within the map, so that
// one reflection or wrap finds every sample.
func MaxScales(nx, ny int) int {
	n := min(nx, ny)
	j := 0
	for n >= 3 && 1<<(j+1) <= n-1 {
		j++
	}
	return j
}

// New returns a Transform for maps of nx columns and ny rows (pixel (x, y)
// at index y·nx + x) with the given number of wavelet scales J, so J + 1
// coefficient planes. It returns an error if a size is below 3, if J is
// below 1 or above MaxScales(nx, ny), or if an option is invalid.
func New(nx, ny, scales int, opts Options) (*Transform, error) {
	if nx < 3 || ny < 3 {
		return nil, fmt.Errorf("starlet: invalid map size %d×%d (nx×ny): both sides must be at least 3 pixels", nx, ny)
	}
	if scales < 1 {
		return nil, fmt.Errorf("starlet: invalid number of scales %d: it must be at least 1", scales)
	}
	if maxScales := MaxScales(nx, ny); scales > maxScales {
		return nil, fmt.Errorf("starlet: %d scales requested for a %d×%d map, but at most %d fit: scale J needs 2^J ≤ min(nx, ny) − 1", scales, nx, ny, maxScales)
	}
	if opts.Boundary != Mirror && opts.Boundary != Periodic {
		return nil, fmt.Errorf("starlet: invalid boundary %v: use Mirror or Periodic", opts.Boundary)
	}
	if opts.Workers < 0 {
		return nil, errors.New("starlet: invalid negative Options.Workers: use 0 for automatic")
	}

	t := &Transform{nx: nx, ny: ny, scales: scales, boundary: opts.Boundary}
	for j := range scales {
		var l level
		l.x, l.xT = newStencils(nx, 1<<j, opts.Boundary)
		l.y, l.yT = newStencils(ny, 1<<j, opts.Boundary)
		t.levels = append(t.levels, l)
	}

	t.workers = opts.Workers
	if t.workers == 0 {
		t.workers = 1
		if nx*ny >= minParallel {
			t.workers = runtime.GOMAXPROCS(0)
		}
	}
	t.workers = min(t.workers, ny)
	if t.workers > 1 {
		parallel.EnsureSpinners(t.workers - 1)
	}
	t.chunk = max(1, ny/(bandsPerWorker*t.workers))
	t.finished = make(chan struct{}, t.workers)
	t.smooth = make([]float64, nx*ny)
	t.lines = make([][]float64, t.workers)
	for w := range t.lines {
		t.lines[w] = make([]float64, nx)
	}
	return t, nil
}

// Size returns the number of columns nx and rows ny.
func (t *Transform) Size() (nx, ny int) { return t.nx, t.ny }

// Scales returns the number of wavelet scales J. A transform has J + 1
// coefficient planes.
func (t *Transform) Scales() int { return t.scales }

// Boundary returns the boundary handling chosen at New.
func (t *Transform) Boundary() Boundary { return t.boundary }

// Workers returns the number of goroutines a call uses, the caller's
// included.
func (t *Transform) Workers() int { return t.workers }

// NewCoeffs returns J + 1 zeroed coefficient planes of nx·ny values each,
// sharing one allocation.
func (t *Transform) NewCoeffs() [][]float64 {
	n := t.nx * t.ny
	all := make([]float64, (t.scales+1)*n)
	coeffs := make([][]float64, t.scales+1)
	for j := range coeffs {
		coeffs[j] = all[j*n : (j+1)*n : (j+1)*n]
	}
	return coeffs
}

// Forward computes the starlet transform W·image into coeffs: the wavelet
// scales w_1 … w_J in coeffs[0] … coeffs[J−1], finest first, and the coarse
// scale c_J in coeffs[J]. With c_0 = image and H_j the B3-spline filter
// dilated by 2^j along x and along y,
//
//	c_{j+1} = H_j c_j,   w_{j+1} = c_j − c_{j+1},   j = 0 … J−1.
//
// The planes must not overlap each other or image. Forward panics unless
// image has nx·ny values and coeffs has J + 1 planes of nx·ny values.
func (t *Transform) Forward(coeffs [][]float64, image []float64) {
	t.checkArgs("Forward", coeffs, image)
	t.coeffs, t.image = coeffs, image
	for j := range t.scales {
		t.scale = j
		t.run(forwardAlongX)
		t.run(forwardAlongY)
	}
	t.coeffs, t.image = nil, nil
}

// Inverse reconstructs image from coeffs by summing the planes,
//
//	image = c_J + Σ_j w_j,
//
// the exact inverse of Forward for coefficients that Forward computed. For
// other coefficients (thresholded ones, say) it is one left inverse of W
// among many, and it is not the adjoint (see Adjoint). image must not
// overlap the planes. Inverse panics unless image has nx·ny values and
// coeffs has J + 1 planes of nx·ny values.
func (t *Transform) Inverse(image []float64, coeffs [][]float64) {
	t.checkArgs("Inverse", coeffs, image)
	t.coeffs, t.image = coeffs, image
	t.run(inverseSum)
	t.coeffs, t.image = nil, nil
}

// Adjoint computes Wᵀ·coeffs into image, where W is the linear map of
// Forward, so that ⟨W x, c⟩ = ⟨x, Wᵀ c⟩ for every map x and coefficient
// set c. It runs the recursion of Forward backwards with the transposed
// filters:
//
//	r_J = c_J,   r_j = H_jᵀ (r_{j+1} − w_{j+1}) + w_{j+1},   image = r_0.
//
// With Periodic boundaries H_jᵀ = H_j, because h is symmetric; with Mirror
// the rows near the edges differ. The coefficient planes are not modified.
// image must not overlap the planes. Adjoint panics unless image has nx·ny
// values and coeffs has J + 1 planes of nx·ny values.
func (t *Transform) Adjoint(image []float64, coeffs [][]float64) {
	t.checkArgs("Adjoint", coeffs, image)
	t.coeffs, t.image = coeffs, image
	for j := t.scales - 1; j >= 0; j-- {
		t.scale = j
		t.run(adjointAlongX)
		t.run(adjointAlongY)
	}
	t.coeffs, t.image = nil, nil
}

func (t *Transform) checkArgs(method string, coeffs [][]float64, image []float64) {
	n := t.nx * t.ny
	if len(image) != n {
		panic(fmt.Sprintf("starlet: %s: image has %d values, want nx·ny = %d·%d = %d", method, len(image), t.nx, t.ny, n))
	}
	if len(coeffs) != t.scales+1 {
		panic(fmt.Sprintf("starlet: %s: got %d coefficient planes, want scales + 1 = %d", method, len(coeffs), t.scales+1))
	}
	for j, plane := range coeffs {
		if len(plane) != n {
			panic(fmt.Sprintf("starlet: %s: coefficient plane %d has %d values, want nx·ny = %d", method, j, len(plane), n))
		}
	}
}

// run performs one pass. The rows are cut into bands of t.chunk rows, and
// the caller and workers−1 pool goroutines take bands in turn until none
// is left, so a worker that the operating system delays holds up no more
// than one band. run returns when all bands are done.
func (t *Transform) run(p pass) {
	t.pass = p
	if t.workers == 1 {
		t.runRows(0, 0, t.ny)
		return
	}
	t.nextBand.Store(0)
	for w := 1; w < t.workers; w++ {
		parallel.Send((*transformShare)(t), w)
	}
	t.runShare(0)
	t.awaitShares()
}

// awaitShares returns when the workers−1 shares sent by run are done. It
// first polls, because the wait is usually short (see parallel.SpinTime), and then
// sleeps, so that on a busy machine the thread of a worker that holds a
// band can have this processor. A share still in the channel has not been
// taken by any pool goroutine, which may be asleep or descheduled, so
// awaitShares runs it itself: a share of this pass finds no band left, and
// one of another Transform does that Transform's work.
func (t *Transform) awaitShares() {
	pending := t.workers - 1
	start := time.Now()
	for i := 1; pending > 0; i++ {
		select {
		case <-t.finished:
			pending--
			continue
		case q := <-parallel.Shares():
			q.Run()
			continue
		default:
		}
		if i%parallel.SpinYield != 0 {
			continue
		}
		if time.Since(start) < parallel.SpinTime {
			runtime.Gosched()
			continue
		}
		select {
		case <-t.finished:
			pending--
		case q := <-parallel.Shares():
			q.Run()
		}
	}
}

// transformShare is a Transform as a share of the spinning pool.
type transformShare Transform

// RunShare takes worker's bands of the pass and reports the share done.
func (s *transformShare) RunShare(worker int) {
	t := (*Transform)(s)
	t.runShare(worker)
	t.finished <- struct{}{}
}

// bandsPerWorker is the number of bands of rows per worker in a pass. More
// bands balance the load better when a worker is delayed, and cost one
// atomic operation each.
const bandsPerWorker = 8

// runShare takes bands of rows for worker w until none is left.
func (t *Transform) runShare(w int) {
	for {
		band := int(t.nextBand.Add(1)) - 1
		y0 := band * t.chunk
		if y0 >= t.ny {
			return
		}
		t.runRows(w, y0, min(y0+t.chunk, t.ny))
	}
}

// runRows performs the current pass on rows [y0, y1), with the scratch
// line of worker w.
func (t *Transform) runRows(w, y0, y1 int) {
	nx := t.nx
	coarse := t.coeffs[t.scales]
	l := &t.levels[t.scale]

	switch t.pass {
	case forwardAlongX:
		// smooth = H_x c_j, with c_0 the image and c_j (j ≥ 1) kept in the
		// coarse plane.
		src := coarse
		if t.scale == 0 {
			src = t.image
		}
		for y := y0; y < y1; y++ {
			l.x.line(t.smooth[y*nx:(y+1)*nx], src[y*nx:(y+1)*nx])
		}

	case forwardAlongY:
		// c_{j+1} = H_y smooth goes to the coarse plane and w_{j+1} = c_j −
		// c_{j+1} to the wavelet plane. Row y of c_j is read only for output
		// row y, so overwriting it in the coarse plane is safe.
		src := coarse
		if t.scale == 0 {
			src = t.image
		}
		wavelet := t.coeffs[t.scale]
		for y := y0; y < y1; y++ {
			lo, hi := y*nx, (y+1)*nx
			l.y.rowSplit(wavelet[lo:hi], coarse[lo:hi], src[lo:hi], t.smooth, y, nx)
		}

	case adjointAlongX:
		// smooth = H_xᵀ (r_{j+1} − w_{j+1}), with r_J the coarse plane and
		// r_j (j < J) kept in the image.
		src := t.image
		if t.scale == t.scales-1 {
			src = coarse
		}
		wavelet := t.coeffs[t.scale]
		line := t.lines[w]
		for y := y0; y < y1; y++ {
			sRow := src[y*nx : (y+1)*nx][:len(line)]
			wRow := wavelet[y*nx : (y+1)*nx][:len(line)]
			for x := range line {
				line[x] = sRow[x] - wRow[x]
			}
			l.xT.line(t.smooth[y*nx:(y+1)*nx], line)
		}

	case adjointAlongY:
		// r_j = H_yᵀ smooth + w_{j+1}.
		wavelet := t.coeffs[t.scale]
		for y := y0; y < y1; y++ {
			out := t.image[y*nx : (y+1)*nx]
			l.yT.row(out, t.smooth, y, nx)
			wRow := wavelet[y*nx : (y+1)*nx][:len(out)]
			for x := range out {
				out[x] += wRow[x]
			}
		}

	case inverseSum:
		lo, hi := y0*nx, y1*nx
		out := t.image[lo:hi]
		copy(out, coarse[lo:hi])
		for _, plane := range t.coeffs[:t.scales] {
			plane := plane[lo:hi][:len(out)]
			for i := range out {
				out[i] += plane[i]
			}
		}
	}
}
