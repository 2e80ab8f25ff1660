package primes

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// A task is one unit of work: a number to test for primality (CPU-bound),
// or one request to wait for (I/O-bound). Every approach below runs the same
// tasks with the same test and counts how many tests said yes: the primes
// found, or the requests that came back.

// isPrime reports whether n is prime, as the Python lesson's is_prime does:
// rule out the even numbers, then try every odd divisor up to √n. A prime
// near 10¹³ takes 1.6 million divisions and nothing else: pure CPU work.
func isPrime(n int64) bool {
	if n < 2 {
		return false
	}
	if n%2 == 0 {
		return n == 2
	}
	for d := int64(3); d*d <= n; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}

// wait stands for one I/O call, the Python lesson's time.sleep(0.1): the
// goroutine blocks on a timer and uses no CPU while it waits. It gives up at
// once if ctx is cancelled, and reports whether the wait completed.
func wait(ctx context.Context, latency time.Duration) bool {
	t := time.NewTimer(latency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// reportFunc tells the page that worker spent from start until now on task n.
// It draws the timeline and counts progress: the only instrumentation here.
type reportFunc func(worker int, n int64, start time.Time)

// countSequential is the baseline: one goroutine runs every task in turn.
// CPU work keeps one core busy and leaves the others idle; I/O waits for
// each reply before it sends the next request, so it takes tasks × latency.
func countSequential(ctx context.Context, tasks []int64, test func(int64) bool, report reportFunc) int {
	count := 0
	for _, n := range tasks {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		if test(n) {
			count++
		}
		report(0, n, start)
	}
	return count
}

// countGoroutinePerTask starts a goroutine for every task, as the Python
// lesson starts a thread per number. A goroutine costs a few kilobytes of
// stack, not a thread's megabyte, so thousands are fine, and Go runs them on
// every core at once: there is no GIL. For CPU work, goroutines beyond the
// core count only take turns; for I/O, every wait overlaps every other.
func countGoroutinePerTask(ctx context.Context, tasks []int64, test func(int64) bool, report reportFunc) int {
	var count atomic.Int64
	var wg sync.WaitGroup
	for i, n := range tasks {
		wg.Go(func() {
			if ctx.Err() != nil {
				return
			}
			start := time.Now()
			if test(n) {
				count.Add(1)
			}
			report(i, n, start)
		})
	}
	wg.Wait()
	return int(count.Load())
}

// countWorkerPool is the hand-made pool: a fixed number of workers take
// tasks from one channel until it is closed. For CPU work, one worker per
// core keeps every core busy, and more gain nothing; for I/O, each worker
// waits on one request at a time, so workers bounds how many waits overlap.
func countWorkerPool(ctx context.Context, tasks []int64, workers int, test func(int64) bool, report reportFunc) int {
	jobs := make(chan int64)
	var count atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for n := range jobs {
				start := time.Now()
				if test(n) {
					count.Add(1)
				}
				report(w, n, start)
			}
		})
	}
send:
	for _, n := range tasks {
		select {
		case jobs <- n:
		case <-ctx.Done():
			break send
		}
	}
	close(jobs) // the workers' range loops end once the channel is drained
	wg.Wait()
	return int(count.Load())
}

// countErrgroup is the same bounded pool written with errgroup, Go's
// counterpart of Python's ThreadPoolExecutor(max_workers=workers). SetLimit
// makes g.Go wait while workers tasks are running; each task gets a fresh
// goroutine (they are cheap), and the first error, here only a cancel,
// cancels ctx for the rest. Less code than the hand-made pool.
func countErrgroup(ctx context.Context, tasks []int64, workers int, test func(int64) bool, report reportFunc) (int, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var count atomic.Int64
	for i, n := range tasks {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			start := time.Now()
			if test(n) {
				count.Add(1)
			}
			report(i, n, start)
			return nil
		})
	}
	err := g.Wait()
	return int(count.Load()), err
}
