package race

import "sync"

// A Step is one read or one write of the shared count.
type Step struct {
	Goroutine int  `json:"g"`
	Write     bool `json:"w"` // false: a read
	Value     int  `json:"v"` // the value read, or the value written
}

// countRecorded is countUnsynchronized with every increment split into its
// two steps, each logged in the order it really happened. Each step holds
// a lock while it touches the count and appends to the log, so the log's
// order is the memory's order. The lock does not cover the increment as a
// whole: between a goroutine's read and its write, others may read and
// write, and a write of a stale value erases their updates. That is the
// lost update, recorded.
func countRecorded(goroutines, n int) (int, []Step) {
	c := &Counter{}
	var mu sync.Mutex // guards c.count and steps, one step at a time
	steps := make([]Step, 0, 2*goroutines*n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range n {
				mu.Lock()
				v := c.count // read
				steps = append(steps, Step{g, false, v})
				mu.Unlock()

				mu.Lock()
				c.count = v + 1 // write what was read, plus one
				steps = append(steps, Step{g, true, v + 1})
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	return c.count, steps
}
