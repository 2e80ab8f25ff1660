package locked

import "sync"

// A GuardedCounter keeps its count behind a mutex: Get and Set each take
// the lock, so no two goroutines ever touch count at the same time.
type GuardedCounter struct {
	mu    sync.Mutex // guards count
	count int
}

// Get returns the count, under the lock.
func (c *GuardedCounter) Get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

// Set replaces the count, under the lock.
func (c *GuardedCounter) Set(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count = n
}

// countGetSet increments with c.Set(c.Get() + 1). Every read and every
// write of the count happens under the lock, and still updates are lost:
// between Get's Unlock and Set's Lock another goroutine can Get the same
// count, and both Set the same count + 1. One of the two increments is
// gone. Python's multiprocessing.Value does the same: counter.value += 1
// takes the value's lock to get and again to set, but not around the
// whole +=; the fix there is with counter.get_lock(): counter.value += 1.
//
// The race detector (detector=true) prints nothing here, and rightly: a
// data race is two goroutines touching the same memory at once, unordered,
// and the mutex orders every access. What is broken is atomicity: one
// read-modify-write spread over two critical sections. Race-free is not
// atomic. The fix is one method that does the whole read-modify-write
// under one lock, which is what the mutex variant does:
//
//	func (c *GuardedCounter) Increment() {
//		c.mu.Lock()
//		defer c.mu.Unlock()
//		c.count++
//	}
func countGetSet(r *runner) int {
	c := &GuardedCounter{}
	r.together(func(w *worker) {
		for n := range w.batches() {
			for range n {
				c.Set(c.Get() + 1)
			}
		}
	})
	return c.Get()
}
