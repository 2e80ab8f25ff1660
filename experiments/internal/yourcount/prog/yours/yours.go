package yours

import "sync"

// Count starts goroutines that each call c.Increment increments times,
// and returns once they have all finished. As written, they share c with
// no lock, and updates are lost: make the count come out right.
func Count(c Counter, goroutines, increments int) {
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range increments {
				c.Increment()
			}
		}()
	}
	wg.Wait()
}
