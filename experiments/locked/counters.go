package locked

import (
	"sync"
	"sync/atomic"
	"time"
)

// Counter is the race experiment's shared count, shaped like the Python
// lesson's class.
type Counter struct {
	count int
}

// Increment adds one to the count: read it, add one, write it back. It is
// not atomic, and the compiler does not inline it, as in the race
// experiment, so every variant that uses it runs the same instructions.
//
//go:noinline
func (c *Counter) Increment() {
	c.count++
}

// countMutex is the Python lesson's fix, `with lock: counter.increment()`,
// in Go: a sync.Mutex around the very same Increment. Only the goroutine
// holding the lock runs Increment, so no update is lost; the others wait.
// Go has no `with`: Lock and Unlock are two calls (defer mu.Unlock() in a
// function that can return early).
//
// The timeline shows the waiting by sampling: the first Lock of every
// batch is timed, time.Now before and after, and at most 50 of those per
// goroutine (fewer with many goroutines) reach the timeline as "wait".
// Timing every Lock would read the clock twice per increment and cost
// more than the increment itself.
func countMutex(r *runner) int {
	c := &Counter{}
	var mu sync.Mutex
	r.together(func(w *worker) {
		for n := range w.batches() {
			asked := time.Now()
			mu.Lock()
			w.waited(asked, time.Now())
			c.Increment()
			mu.Unlock()
			for range n - 1 {
				mu.Lock()
				c.Increment()
				mu.Unlock()
			}
		}
	})
	return c.count
}

// countAtomic uses one atomic add per increment: the processor's LOCK XADD
// reads, adds and writes as one step no other core can split, so nothing
// is lost and nobody waits for a lock. Python has no such operation for a
// plain int; Go's sync/atomic gives one for each integer type.
func countAtomic(r *runner) int {
	var count atomic.Int64
	r.together(func(w *worker) {
		for n := range w.batches() {
			for range n {
				count.Add(1)
			}
		}
	})
	return int(count.Load())
}

// countChannel shares memory by communicating: one goroutine owns the
// Counter and is the only one to touch it; the others send it one message
// per increment. Nothing is shared but the channel, so no lock is needed,
// but every increment now costs a channel send and receive, and the owner
// does all the counting alone. (The buffer lets senders run a little ahead
// of the owner instead of waiting for it at every send.)
func countChannel(r *runner) int {
	c := &Counter{}
	increments := make(chan struct{}, 128)
	owned := make(chan struct{})
	go func() {
		defer close(owned)
		began := time.Now()
		for range increments {
			c.Increment()
		}
		r.owned(began) // the owner's lane on the timeline
	}()
	r.together(func(w *worker) {
		for n := range w.batches() {
			for range n {
				increments <- struct{}{}
			}
		}
	})
	close(increments)
	<-owned
	return c.count
}

// countSharded shares nothing while counting: each goroutine increments a
// Counter of its own, and the totals are merged once, at the end, with one
// atomic add per goroutine. It is correct for the same reason the race
// experiment's sequential count is: no two goroutines ever touch the same
// count at once.
func countSharded(r *runner) int {
	var total atomic.Int64
	r.together(func(w *worker) {
		mine := &Counter{}
		for n := range w.batches() {
			for range n {
				mine.Increment()
			}
		}
		total.Add(int64(mine.count))
	})
	return int(total.Load())
}

// countUnsynchronized is the contrast: the race experiment's counter, with
// no lock at all. Goroutines on different cores read and write c.count at
// the same time, and updates are lost.
func countUnsynchronized(r *runner) int {
	c := &Counter{}
	r.together(func(w *worker) {
		for n := range w.batches() {
			for range n {
				c.Increment()
			}
		}
	})
	return c.count
}
