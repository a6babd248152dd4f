package fft

import (
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/skyinv/skyinv/internal/parallel"
)

// The column pass transforms blocks of adjacent columns together, between
// minBlockWidth and maxBlockWidth of them (multiples of 8). A block row of 8
// complex128 values is 128 bytes, two cache lines, so no line read from the
// array is wasted, and the inner loops of the Stockham stages run over at
// least 8 elements. Wider blocks read longer runs from each row, which the
// hardware prefetcher and the TLB handle better. At 4096×4096, where each
// row spans 16 pages of 4 KiB, blocks of 64 columns made the column pass
// about a fifth faster than blocks of 8 on a 2-core Xeon (bench/run.sh).
// Blocks are kept narrow enough that each worker gets several.
const (
	minBlockWidth   = 8
	maxBlockWidth   = 64
	blocksPerWorker = 8
)

// blockWidthFor returns the column block width for an array with nx
// columns split among the given number of workers.
func blockWidthFor(nx, workers int) int {
	b := minBlockWidth
	for 2*b <= maxBlockWidth && nx/(2*b) >= blocksPerWorker*workers {
		b *= 2
	}
	return b
}

// minParallel is the smallest array, in elements, that a call splits across
// goroutines. At 64×64 two workers ran no faster than one, because handing
// out the work costs about as much as it saves.
const minParallel = 64 * 64

// Plan2D computes two-dimensional discrete Fourier transforms of a fixed
// size on row-major arrays. Each call splits its rows, and then its blocks
// of columns, among several goroutines (see SetWorkers).
//
// A Plan2D holds scratch space and the state of the call in progress, so it
// is not safe for concurrent use by several goroutines. Give each goroutine
// its own plan.
type Plan2D struct {
	nx, ny  int
	block   int
	rows    kernel // length nx
	cols    kernel // length ny
	workers int
	scratch []scratch2D

	// The call in progress, read by the worker goroutines.
	dst, src    []complex128
	inverse     bool
	columnPass  bool
	chunk       int // rows per unit of work in the row pass
	units, next atomic.Int64
	finished    atomic.Int64 // shares done by pool goroutines in this pass
}

// scratch2D is one worker's scratch space.
type scratch2D struct {
	rowWork   []complex128 // rows.workLen(1)
	block     []complex128 // ny·block: the gathered column block
	blockWork []complex128 // cols.workLen(block)
}

// NewPlan2D returns a plan for arrays of nx columns and ny rows, with
// element (x, y) at index y·nx + x. It uses runtime.GOMAXPROCS(0) workers.
// It panics if nx < 1 or ny < 1.
func NewPlan2D(nx, ny int) *Plan2D {
	if nx < 1 || ny < 1 {
		panic(fmt.Sprintf("fft: invalid 2-D size %d×%d (nx×ny), both must be at least 1", nx, ny))
	}
	p := &Plan2D{nx: nx, ny: ny, rows: newKernel(nx), cols: newKernel(ny)}
	p.SetWorkers(0)
	return p
}

// Size returns the number of columns nx and rows ny.
func (p *Plan2D) Size() (nx, ny int) { return p.nx, p.ny }

// Workers returns the number of goroutines a call uses, the caller's
// included.
func (p *Plan2D) Workers() int { return p.workers }

// SetWorkers sets the number of goroutines a call uses, the caller's
// included; n < 1 selects runtime.GOMAXPROCS(0). It allocates the scratch
// space of any new workers, so calls themselves do not allocate.
func (p *Plan2D) SetWorkers(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	if n > 1 {
		parallel.EnsureSpinners(n - 1)
	}
	if block := blockWidthFor(p.nx, n); block != p.block {
		p.block = block
		p.scratch = p.scratch[:0]
	}
	for len(p.scratch) < n {
		p.scratch = append(p.scratch, scratch2D{
			rowWork:   make([]complex128, p.rows.workLen(1)),
			block:     make([]complex128, p.ny*p.block),
			blockWork: make([]complex128, p.cols.workLen(p.block)),
		})
	}
	p.workers = n
}

// Forward writes the unnormalised forward transform of src to dst:
//
//	dst[v·nx + u] = Σ_{x,y} src[y·nx + x]·exp(−2πi·(u·x/nx + v·y/ny))
//
// dst may be the same slice as src; otherwise the two must not overlap. It
// panics unless both have length nx·ny.
func (p *Plan2D) Forward(dst, src []complex128) {
	p.execute(dst, src, false)
}

// Inverse writes the unnormalised inverse transform of src to dst, with
// exponent sign +1, so Inverse after Forward multiplies by nx·ny. dst may be
// the same slice as src; otherwise the two must not overlap. It panics unless
// both have length nx·ny.
func (p *Plan2D) Inverse(dst, src []complex128) {
	p.execute(dst, src, true)
}

func (p *Plan2D) execute(dst, src []complex128, inverse bool) {
	size := p.nx * p.ny
	if len(src) != size {
		panic(fmt.Sprintf("fft: source length %d does not match plan size %d×%d", len(src), p.nx, p.ny))
	}
	if len(dst) != size {
		panic(fmt.Sprintf("fft: destination length %d does not match plan size %d×%d", len(dst), p.nx, p.ny))
	}
	p.dst, p.src, p.inverse = dst, src, inverse

	// Rows, from src to dst. A row of length 1 is its own transform.
	if p.nx > 1 {
		p.columnPass = false
		p.chunk = max(1, p.ny/(16*p.workers))
		p.runPass((p.ny + p.chunk - 1) / p.chunk)
	} else if &dst[0] != &src[0] {
		copy(dst, src)
	}

	// Columns, in place in dst.
	if p.ny > 1 {
		p.columnPass = true
		p.runPass((p.nx + p.block - 1) / p.block)
	}
	p.dst, p.src = nil, nil
}

// runPass shares the given number of work units out among the workers,
// which take them in turn from a counter, and returns when all are done.
func (p *Plan2D) runPass(units int) {
	p.units.Store(int64(units))
	p.next.Store(0)
	k := min(p.workers, units)
	if k <= 1 || p.nx*p.ny < minParallel {
		p.runShare(0)
		return
	}
	p.finished.Store(0)
	for w := 1; w < k; w++ {
		parallel.Send((*planShare)(p), w)
	}
	p.runShare(0)

	// The other shares take at most about one unit of work longer, so
	// poll for them rather than sleep (see parallel.SpinTime).
	for i := 1; p.finished.Load() < int64(k-1); i++ {
		if i%parallel.SpinYield == 0 {
			runtime.Gosched()
		}
	}
}

// planShare is a Plan2D as a share of the spinning pool.
type planShare Plan2D

// RunShare does worker's units of the pass and counts the share done.
func (s *planShare) RunShare(worker int) {
	p := (*Plan2D)(s)
	p.runShare(worker)
	p.finished.Add(1)
}

// runShare does units of the current pass until none are left.
func (p *Plan2D) runShare(worker int) {
	sc := &p.scratch[worker]
	units := p.units.Load()
	for {
		u := int(p.next.Add(1) - 1)
		if u >= int(units) {
			return
		}
		if p.columnPass {
			p.columnBlock(u*p.block, sc)
		} else {
			p.rowChunk(u*p.chunk, sc)
		}
	}
}

// rowChunk transforms rows y0 to y0+chunk−1 (fewer at the end) from src to
// dst.
func (p *Plan2D) rowChunk(y0 int, sc *scratch2D) {
	nx := p.nx
	for y := y0; y < min(y0+p.chunk, p.ny); y++ {
		p.rows.transform(p.dst[y*nx:][:nx], p.src[y*nx:][:nx], sc.rowWork, 1, p.inverse)
	}
}

// columnBlock transforms the columns x0 to x0+p.block−1 (fewer at the
// right edge) of dst in place. In scratch space the columns of the block
// form interleaved sequences for the Stockham stages. The first stage reads
// them straight from dst; Bluestein's algorithm needs them copied out
// first. The result is copied back.
func (p *Plan2D) columnBlock(x0 int, sc *scratch2D) {
	nx, ny := p.nx, p.ny
	w := min(p.block, nx-x0)
	block := sc.block[:ny*w]
	var r []complex128
	if st, ok := p.cols.(*stockham); ok {
		r = st.run(p.dst[x0:], nx, block, sc.blockWork, w, p.inverse)
	} else {
		for y := range ny {
			copy(block[y*w:][:w], p.dst[y*nx+x0:][:w])
		}
		r = p.cols.apply(block, sc.blockWork, w, p.inverse)
	}
	if w%8 == 0 {
		for y := range ny {
			for i := 0; i < w; i += 8 {
				copyBlockRow(p.dst[y*nx+x0+i:], r[y*w+i:])
			}
		}
	} else {
		for y := range ny {
			copy(p.dst[y*nx+x0:][:w], r[y*w:][:w])
		}
	}
}

// copyBlockRow copies 8 elements with inline assignments, saving the call
// to memmove that copy makes for each 128-byte run.
func copyBlockRow(dst, src []complex128) {
	d := dst[:8]
	s := src[:8]
	d[0], d[1], d[2], d[3] = s[0], s[1], s[2], s[3]
	d[4], d[5], d[6], d[7] = s[4], s[5], s[6], s[7]
}
