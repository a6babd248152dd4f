package fft

import "sync"

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

func runShares(shares <-chan share) {
	for sh := range shares {
		sh.plan.runShare(sh.worker)
		sh.plan.wg.Done()
	}
}
