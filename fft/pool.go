package fft

import (
	"runtime"
	"sync"
	"time"
)

// share is one goroutine's part of a Plan2D call: the worker index selects
// its scratch space.
type share struct {
	plan   *Plan2D
	worker int
}

// pool is the set of goroutines, shared by all plans, that run the shares
// of Plan2D calls other than the caller's own. Sending a share value over
// the channel does not allocate, so calls stay free of allocations, and the
// goroutines hold a plan only while they work on it, so an unused plan can
// be collected.
var pool struct {
	mu     sync.Mutex
	size   int
	shares chan share
}

// ensurePool starts goroutines until the pool has at least n.
func ensurePool(n int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if pool.shares == nil {
		pool.shares = make(chan share, 64)
	}
	for ; pool.size < n; pool.size++ {
		go runShares(pool.shares)
	}
}

// spinTime is how long a pool goroutine polls for the next share before it
// sleeps. Waking a sleeping goroutine costs tens of microseconds (about
// 50 µs per pass measured at 128×128, where two workers were slower than
// one without polling), which is a large part of a pass on arrays of a few
// hundred squared. A 2-D transform is two passes, and polling for a short
// while after each bridges the gap to the next pass and to the next call of
// a loop that transforms repeatedly.
const spinTime = 200 * time.Microsecond

// spinYield is how many polls go between calls to runtime.Gosched in the
// polling loops. Yielding lets a goroutine that became runnable on the
// poller's processor run (the caller of a Plan2D, say, woken by this one),
// but yielding on every poll made goroutines migrate between threads and
// lose their caches.
const spinYield = 64

func runShares(shares chan share) {
	for {
		pollShares(shares)
		sh, ok := <-shares
		if !ok {
			return
		}
		sh.plan.runShare(sh.worker)
		sh.plan.finished.Add(1)
	}
}

// pollShares returns when shares holds a value or after spinTime.
func pollShares(shares chan share) {
	start := time.Now()
	for i := 1; len(shares) == 0; i++ {
		if i%spinYield == 0 {
			if time.Since(start) > spinTime {
				return
			}
			runtime.Gosched()
		}
	}
}
