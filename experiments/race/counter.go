package race

import (
	"sync"
	"time"
)

// Counter is a shared count, shaped like the Python lesson's class.
type Counter struct {
	count int
}

// Increment adds one to the count: read it, add one, write it back. On
// amd64 that is a single INCQ instruction, but not an atomic one: two cores
// running it at the same instant can both read 41 and both write 42, and
// one update is lost. (One core never splits an instruction, so goroutines
// that take turns on a single core lose nothing.)
//
// It is a method the compiler does not inline, like the Python lesson's
// Counter.increment, so every trial runs the same instructions.
//
//go:noinline
func (c *Counter) Increment() {
	c.count++
}

// countSequential is the baseline: one goroutine does every increment, so
// nothing can interleave and the count is always right.
func countSequential(total int) int {
	c := &Counter{}
	for range total {
		c.Increment()
	}
	return c.count
}

// countUnsynchronized starts goroutines that each call Increment n times on
// one shared Counter with no lock. They wait behind one channel close so
// they start together, as Python's threads do after start(). Unlike
// Python's threads under the GIL, these goroutines can run in parallel, one
// per core, and whenever two do, their increments can collide.
// done is told when each goroutine finishes, for the timeline.
func countUnsynchronized(goroutines, n int, done func(worker int, start time.Time)) int {
	c := &Counter{}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for worker := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			began := time.Now()
			for range n {
				c.Increment()
			}
			done(worker, began)
		}()
	}
	close(start)
	wg.Wait()
	return c.count
}
