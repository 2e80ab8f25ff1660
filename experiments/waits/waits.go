package waits

import "sync"

// waitSequential waits N times in a row on one goroutine: N × latency,
// the baseline, and the seed's single-threaded program.
func waitSequential(w *Waits) {
	for i := range w.N {
		w.Wait(i)
	}
}

// waitGoroutines starts a goroutine for every wait, all at once: the
// waits overlap, so the whole takes about one latency. The seed's
// threads could not do this (about 8 MB reserved each, by its numbers);
// a goroutine starts on a few KiB of stack, measured in the table.
func waitGoroutines(w *Waits) {
	var wg sync.WaitGroup
	for i := range w.N {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.Wait(i)
		}()
	}
	wg.Wait()
}

// waitPool is a pool of K goroutines taking waits from a channel: at
// most K waits at once, so the whole takes about ceil(N/K) latencies,
// and never more than K goroutines whatever N is.
func waitPool(w *Waits) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range w.K {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				w.Wait(i)
			}
		}()
	}
	for i := range w.N {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}
