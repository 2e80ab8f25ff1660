package pipeline

import (
	"context"
	"sync"
	"time"
)

// A queue is shaped like the Python lesson's: items behind a lock. Taking from
// it never waits: an empty queue just says so, and the worker has to try
// again later. There is no limit on its length.
type queue struct {
	mu     sync.Mutex // guards items and closed
	items  []int
	closed bool // the sender is done: no more items will come
}

func (q *queue) put(x int) {
	q.mu.Lock()
	q.items = append(q.items, x)
	q.mu.Unlock()
}

// close tells the receiver that no more items will come. Only the sender
// calls it, after its last put: no sentinel value travels down the queue.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}

// get takes the oldest item. ok is false if there was none; done is true
// if there was none and never will be.
func (q *queue) get() (x int, ok, done bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return 0, false, q.closed
	}
	x = q.items[0]
	q.items = q.items[1:]
	return x, true, false
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// runPolling is the Python lesson's pipeline: a goroutine per stage and a
// locked queue between stages. A worker that finds its queue empty cannot
// wait for an item to arrive; it sleeps for poll and looks again. Every
// empty look is a wasted poll: work for nothing, and an item that arrives
// just after it waits out the whole sleep. Make poll shorter and the polls
// multiply; make it longer and items wait. The queues never fill up, so a
// fast stage before a slow one piles up items in memory.
func runPolling(ctx context.Context, n int, poll time.Duration, p *probe) []int {
	var numbers, doubled, results queue
	p.watch(func() [3]int { return [3]int{numbers.len(), doubled.len(), results.len()} })
	var wg sync.WaitGroup
	wg.Go(func() {
		defer numbers.close()
		w := p.worker(produce, 0)
		for i := 0; i < n && ctx.Err() == nil; i++ {
			numbers.put(w.do(i))
		}
	})
	wg.Go(func() { pollStage(ctx, &numbers, &doubled, poll, p.worker(double, 0)) })
	wg.Go(func() { pollStage(ctx, &doubled, &results, poll, p.worker(increment, 0)) })
	var kept queue // the end of the line: only this goroutine touches it
	pollStage(ctx, &results, &kept, poll, p.worker(collect, 0))
	wg.Wait()
	return kept.items
}

// pollStage is one polling worker: it looks at in; if there is an item, it
// does its stage's step and puts the result on out, else it sleeps for
// poll. With poll 0 it spins: it looks again at once, and burns a core
// doing nothing while it waits. It stops once in is closed and empty, or
// ctx is done, and then closes out.
func pollStage(ctx context.Context, in, out *queue, poll time.Duration, w *worker) {
	defer out.close()
	for ctx.Err() == nil {
		x, ok, done := in.get()
		if done {
			return
		}
		w.polls++
		if !ok {
			w.wasted++
			if poll > 0 {
				time.Sleep(poll)
			}
			continue
		}
		out.put(w.do(x))
	}
}
