package starlet

import "sync"

// share is one worker's part of a pass: the rows of its band.
type share struct {
	t      *Transform
	worker int
}

// pool is the set of goroutines, shared by all transforms in the process,
// that run the shares of a pass other than the caller's own. A share is
// sent by value over a buffered channel, which does not allocate, so calls
// stay free of allocations; and a goroutine refers to a transform only
// while it works for it, so an unused transform can be collected.
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
		go serveShares(pool.shares)
	}
}

func serveShares(shares <-chan share) {
	for sh := range shares {
		sh.t.runShare(sh.worker)
		sh.t.finished.Done()
	}
}
