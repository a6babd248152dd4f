// Package parallel runs loops over index ranges on a shared pool of
// goroutines without allocating, so that numerical code can use every core
// inside loops that must not allocate per iteration.
//
// A loop body is a value with a Run(lo, hi) method, usually a pointer to
// the struct that owns the data. Converting such a pointer to the Body
// interface and sending it to the pool allocates nothing, where a closure
// passed to a go statement would allocate. A Body must not call For itself: the
// pool has a fixed size, and nested loops could wait on each other forever.
package parallel

import (
	"runtime"
	"sync"
)

// Body is a loop body over the index range [lo, hi).
type Body interface {
	Run(lo, hi int)
}

// Group waits for the parts of one loop. Keep it in the struct that owns
// the loop, so that it lives on the heap once and For allocates nothing.
// A Group runs one loop at a time.
type Group struct {
	wg sync.WaitGroup
}

type job struct {
	body   Body
	lo, hi int
	group  *Group
}

var pool struct {
	once sync.Once
	jobs chan job
}

func startPool() {
	n := runtime.GOMAXPROCS(0)
	pool.jobs = make(chan job, 4*n)
	for range n {
		go func() {
			for j := range pool.jobs {
				j.body.Run(j.lo, j.hi)
				j.group.wg.Done()
			}
		}()
	}
}

// For runs body over [0, n) split into workers contiguous parts, one of
// them on the calling goroutine, and returns when all are done. With one
// worker, or n < 2, it calls body.Run(0, n) directly.
func (g *Group) For(n, workers int, body Body) {
	if workers <= 1 || n < 2 {
		body.Run(0, n)
		return
	}
	pool.once.Do(startPool)
	workers = min(workers, n)
	g.wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		pool.jobs <- job{body: body, lo: w * n / workers, hi: (w + 1) * n / workers, group: g}
	}
	body.Run(0, n/workers)
	g.wg.Wait()
}
