package parallel

import (
	"sync/atomic"
	"testing"
)

// shareCounter is a Share that adds its worker number to a total and counts
// the shares done.
type shareCounter struct {
	total, done atomic.Int64
}

func (c *shareCounter) RunShare(worker int) {
	c.total.Add(int64(worker))
	c.done.Add(1)
}

// TestSpinnersRunSharesWithoutAllocating sends shares 1 to 3 to the pool
// and waits for them: every share runs once, and a pass allocates nothing.
func TestSpinnersRunSharesWithoutAllocating(t *testing.T) {
	EnsureSpinners(3)
	c := new(shareCounter)
	pass := func() {
		c.total.Store(0)
		c.done.Store(0)
		for w := 1; w <= 3; w++ {
			Send(c, w)
		}
		for c.done.Load() < 3 {
			select {
			case q := <-Shares():
				q.Run()
			default:
			}
		}
	}
	pass()
	if got := c.total.Load(); got != 6 {
		t.Errorf("sum of the workers that ran: %d, want 1 + 2 + 3 = 6", got)
	}
	if allocs := testing.AllocsPerRun(100, pass); allocs != 0 {
		t.Errorf("a pass allocates %v times, want 0", allocs)
	}
}
