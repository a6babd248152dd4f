package parallel

import (
	"sync/atomic"
	"testing"
)

type counter struct {
	hits []int32
	g    Group
}

func (c *counter) Run(lo, hi int) {
	for i := lo; i < hi; i++ {
		atomic.AddInt32(&c.hits[i], 1)
	}
}

func TestForVisitsEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 1000} {
		for _, workers := range []int{1, 2, 3, 8} {
			c := &counter{hits: make([]int32, n)}
			c.g.For(n, workers, c)
			for i, h := range c.hits {
				if h != 1 {
					t.Fatalf("n %d, %d workers: index %d visited %d times", n, workers, i, h)
				}
			}
		}
	}
}

func TestForAllocatesNothing(t *testing.T) {
	c := &counter{hits: make([]int32, 4096)}
	c.g.For(len(c.hits), 4, c) // start the pool
	if allocs := testing.AllocsPerRun(50, func() { c.g.For(len(c.hits), 4, c) }); allocs != 0 {
		t.Errorf("For allocates %g times per call", allocs)
	}
}
