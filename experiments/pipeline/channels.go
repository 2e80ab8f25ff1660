package pipeline

import (
	"context"
	"sync"
)

// runChannels is the pipeline with an unbuffered channel between stages
// and one goroutine per stage. A receive waits until an item arrives, so
// nothing polls and no look is wasted. A send waits until the next stage
// takes the item, so a slow stage holds back the stages before it at once:
// backpressure, with no queue at all. A stage that is done closes the
// channel it sends on, and the next stage's range loop ends: the sender
// closes, so no sentinel value travels down the line. Every send also
// watches ctx, so a cancel stops the whole line.
func runChannels(ctx context.Context, n int, p *probe) []int {
	return chain(ctx, n, make(chan int), make(chan int), make(chan int), p)
}

// runBuffered is runChannels with room for buffer items in every channel:
// a bounded queue. A stage may run ahead of the next by up to buffer
// items, which absorbs bursts; once a buffer is full its sender waits
// (backpressure) instead of piling items up in memory as the polling
// queues do. No buffer makes the slowest stage any faster.
func runBuffered(ctx context.Context, n, buffer int, p *probe) []int {
	return chain(ctx, n, make(chan int, buffer), make(chan int, buffer), make(chan int, buffer), p)
}

// chain runs one goroutine per stage, joined by the given channels, and
// gathers the results. Each goroutine closes the channel it sends on when
// it is done, and the end of results means every stage has finished.
func chain(ctx context.Context, n int, numbers, doubled, results chan int, p *probe) []int {
	p.watch(func() [3]int { return [3]int{len(numbers), len(doubled), len(results)} })
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(numbers)
		generate(ctx, 0, 1, n, numbers, p.worker(produce, 0))
	})
	wg.Go(func() {
		defer close(doubled)
		transform(ctx, numbers, doubled, p.worker(double, 0))
	})
	wg.Go(func() {
		defer close(results)
		transform(ctx, doubled, results, p.worker(increment, 0))
	})
	out := gather(results, n, p.worker(collect, 0))
	wg.Wait()
	return out
}

// runFanOut is runBuffered with workers goroutines in every stage, all
// receiving from one channel (fan-out) and sending on the next (fan-in).
// The slow stage now has several workers, so it gets through items faster:
// up to one item per core at a time for CPU work, and many more for waits
// such as I/O. Items overtake each other on the way, so results may come
// out of order. With several senders on a channel none of them may close
// it; team closes it once they have all returned.
func runFanOut(ctx context.Context, n, buffer, workers int, p *probe) []int {
	numbers, doubled, results := make(chan int, buffer), make(chan int, buffer), make(chan int, buffer)
	p.watch(func() [3]int { return [3]int{len(numbers), len(doubled), len(results)} })
	var wg sync.WaitGroup
	team(&wg, workers, numbers, func(id int) {
		generate(ctx, id, workers, n, numbers, p.worker(produce, id))
	})
	team(&wg, workers, doubled, func(id int) {
		transform(ctx, numbers, doubled, p.worker(double, id))
	})
	team(&wg, workers, results, func(id int) {
		transform(ctx, doubled, results, p.worker(increment, id))
	})
	out := gather(results, n, p.worker(collect, 0))
	wg.Wait()
	return out
}

// team starts workers goroutines running f, and closes out once the last
// of them has returned: only then is it certain that nobody sends on it.
func team(wg *sync.WaitGroup, workers int, out chan<- int, f func(id int)) {
	var senders sync.WaitGroup
	for id := range workers {
		senders.Go(func() { f(id) })
	}
	wg.Go(func() {
		senders.Wait()
		close(out)
	})
}

// generate makes the numbers first, first+step, first+2*step, ... below n
// and sends them on out, until it has made them all or ctx is done.
func generate(ctx context.Context, first, step, n int, out chan<- int, w *worker) {
	for i := first; i < n; i += step {
		select {
		case out <- w.do(i):
		case <-ctx.Done():
			return
		}
	}
}

// transform does w's step on every item from in and sends the result on
// out, until in is closed or ctx is done.
func transform(ctx context.Context, in <-chan int, out chan<- int, w *worker) {
	for x := range in {
		select {
		case out <- w.do(x):
		case <-ctx.Done():
			return
		}
	}
}

// gather keeps every item from results until the channel is closed.
func gather(results <-chan int, n int, w *worker) []int {
	out := make([]int, 0, n)
	for x := range results {
		out = append(out, w.do(x))
	}
	return out
}
