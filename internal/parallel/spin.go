package parallel

import (
	"runtime"
	"sync"
	"time"
)

// Share is one worker's part of a pass that the spinning pool runs.
// RunShare does the work of worker number worker and then signals its end
// to the pass's caller.
type Share interface {
	RunShare(worker int)
}

// Queued is a share waiting in the spinning pool's queue.
type Queued struct {
	share  Share
	worker int
}

// Run runs the queued share on the calling goroutine.
func (q Queued) Run() { q.share.RunShare(q.worker) }

// spin is the spinning pool: goroutines, shared by every caller in the
// process, that run the shares of a pass other than the caller's own. A
// share is sent by value over a buffered channel, which does not allocate
// when the Share is a pointer, so passes stay free of allocations. A
// goroutine refers to a share's owner only while it runs it, so an unused
// FFT plan or transform can be garbage collected.
var spin struct {
	mu     sync.Mutex
	size   int
	shares chan Queued
}

// SpinTime is how long a pool goroutine polls for its next share before it
// sleeps, and how long a caller should poll for its shares' ends. Waking a
// sleeping goroutine costs tens of microseconds per pass, a large part of
// a pass on maps of a few hundred pixels squared. Measured on a shared
// 2-core Xeon: at 128×128, two FFT workers without polling were slower
// than one (about 50 µs lost per pass). Polling cut a 5-scale starlet
// transform from 0.85 to 0.60 ms at 256×256 and from 2.45 to 1.96 ms at
// 512×512 (fastest of 5 runs).
const SpinTime = 200 * time.Microsecond

// SpinYield is how many polls go between calls to runtime.Gosched in the
// polling loops. Yielding lets a goroutine that became runnable on the
// poller's processor run, such as the caller of a pass woken by this one,
// but yielding on every poll made goroutines migrate between threads and
// lose their caches.
const SpinYield = 64

// EnsureSpinners starts pool goroutines until there are at least n.
func EnsureSpinners(n int) {
	spin.mu.Lock()
	defer spin.mu.Unlock()
	if spin.shares == nil {
		spin.shares = make(chan Queued, 64)
	}
	for ; spin.size < n; spin.size++ {
		go serve(spin.shares)
	}
}

// Send queues share s for worker number worker. Call EnsureSpinners first.
func Send(s Share, worker int) { spin.shares <- Queued{share: s, worker: worker} }

// Shares returns the queue, for a caller that waits for its own shares and
// may run queued ones meanwhile, since a share that no pool goroutine has
// taken yet would otherwise wait for one to wake.
func Shares() <-chan Queued { return spin.shares }

func serve(shares chan Queued) {
	for {
		poll(shares)
		q, ok := <-shares
		if !ok {
			return
		}
		q.Run()
	}
}

// poll returns when shares holds a value or after SpinTime.
func poll(shares chan Queued) {
	start := time.Now()
	for i := 1; len(shares) == 0; i++ {
		if i%SpinYield == 0 {
			if time.Since(start) > SpinTime {
				return
			}
			runtime.Gosched()
		}
	}
}
