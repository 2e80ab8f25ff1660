package primes

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// A GIL is a model of CPython's global interpreter lock: one token that a
// goroutine must hold to run "Python". Goroutines that want it wait in line
// and get it in the order they asked. The holder hands it over when it has
// held it for the switch interval (CPython's sys.getswitchinterval(), 5 ms
// unless changed) and whenever it blocks on I/O.
type GIL struct {
	token    chan struct{} // holds the token while no goroutine does
	interval time.Duration // how long a holder computes before handing over
}

// NewGIL returns a GIL that no goroutine holds.
func NewGIL(interval time.Duration) *GIL {
	g := &GIL{token: make(chan struct{}, 1), interval: interval}
	g.token <- struct{}{}
	return g
}

// A Thread is one goroutine's use of the GIL, as CPython keeps a thread
// state per thread. Only the goroutine it belongs to may use it.
type Thread struct {
	gil     *GIL
	holding bool
	since   time.Time // when it last took the GIL: its switch interval starts then
}

// Thread returns a thread for the calling goroutine, not yet holding the GIL.
func (g *GIL) Thread() *Thread { return &Thread{gil: g} }

// Acquire waits in line until the thread holds the GIL, or ctx is done.
func (t *Thread) Acquire(ctx context.Context) error {
	select {
	case <-t.gil.token:
		t.holding, t.since = true, time.Now()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Release hands the GIL to the goroutine first in line, if the thread holds
// it. A channel send gives the token straight to the longest waiter.
func (t *Thread) Release() {
	if t.holding {
		t.holding = false
		t.gil.token <- struct{}{}
	}
}

// SliceUp reports whether the thread has held the GIL for a switch interval.
func (t *Thread) SliceUp() bool { return time.Since(t.since) >= t.gil.interval }

// Switch is CPython's forced switch: hand the GIL to the next goroutine in
// line, then wait in line for another turn.
func (t *Thread) Switch(ctx context.Context) error {
	t.Release()
	return t.Acquire(ctx)
}

// divisorsPerCheck is how often isPrimeUnderGIL looks at the clock, as
// CPython's interpreter loop checks between bytecodes whether to switch.
const divisorsPerCheck = 1024

// isPrimeUnderGIL is isPrime as a CPython thread runs it: every
// divisorsPerCheck divisors it checks whether its switch interval is up, and
// if so hands the GIL to the next goroutine and waits for another turn. Only
// the holder computes, so however many goroutines share the work and however
// many cores there are, one core does it all. computed is told of every
// stretch it computed while holding the GIL, for the timeline.
func isPrimeUnderGIL(ctx context.Context, n int64, t *Thread, computed func(start time.Time)) (bool, error) {
	start := time.Now()
	if n < 2 || n%2 == 0 {
		computed(start)
		return n == 2, nil
	}
	for d := int64(3); d*d <= n; d += 2 {
		if n%d == 0 {
			computed(start)
			return false, nil
		}
		if (d/2)%divisorsPerCheck == 0 && t.SliceUp() { // d/2 counts the divisors tried
			computed(start)
			if err := t.Switch(ctx); err != nil {
				return false, err
			}
			start = time.Now()
		}
	}
	computed(start)
	return true, nil
}

// waitReleasingGIL is wait as CPython's time.sleep and socket reads do it:
// let go of the GIL, block, take the GIL back. While one goroutine waits the
// others run, so the waits overlap even under the GIL. waited is told of
// the wait, for the timeline.
func waitReleasingGIL(ctx context.Context, latency time.Duration, t *Thread, waited func(start time.Time)) (bool, error) {
	t.Release()
	start := time.Now()
	ok := wait(ctx, latency)
	waited(start)
	return ok, t.Acquire(ctx)
}

// countGIL is countWorkerPool as Python's ThreadPoolExecutor runs it: the
// same pool, but a worker must hold the one GIL to run. For CPU work the
// workers take turns, one computing while the rest wait in line, so the pool
// is no faster than one goroutine. For I/O each worker lets go of the GIL
// while it waits, and the waits overlap as in the pool without a GIL.
// test is isPrimeUnderGIL or waitReleasingGIL; it reports its own spans,
// since only it knows when it held the GIL.
func countGIL(ctx context.Context, tasks []int64, workers int, gil *GIL,
	test func(ctx context.Context, n int64, t *Thread, report func(start time.Time)) (bool, error),
	report reportFunc) (int, error) {
	jobs := make(chan int64)
	var count atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			t := gil.Thread()
			if t.Acquire(ctx) != nil {
				return
			}
			defer t.Release()
			for n := range jobs {
				ok, err := test(ctx, n, t, func(start time.Time) { report(w, n, start) })
				if err != nil {
					return
				}
				if ok {
					count.Add(1)
				}
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
	close(jobs)
	wg.Wait()
	return int(count.Load()), ctx.Err()
}
