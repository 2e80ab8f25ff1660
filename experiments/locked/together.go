package locked

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
)

// maxRound bounds the increments all goroutines do between two looks at
// the trial's context: a batch each. A cancel is seen within one round.
const maxRound = 1 << 18

// Wait samples for the mutex timeline: at most maxSamples per goroutine, and
// at most maxTrialSamples per trial so many goroutines fit the lab's span
// budget (lab.MaxSpans per run).
const (
	maxSamples      = 50
	maxTrialSamples = 500
)

// A runner runs one trial of a counter. It starts the goroutines together
// and hands each its increments in batches; between batches it watches for
// a cancel and reports progress and timeline spans, so the counting loops
// stay plain and pay for that once per batch, not once per increment.
type runner struct {
	goroutines  int
	increments  int // per goroutine
	batch       int // increments per batch
	sampleEvery int // a wait sample is kept from every sampleEvery-th batch
	stop        <-chan struct{}
	em          lab.Emitter
	done        atomic.Int64 // increments done by all goroutines, for progress
}

func newRunner(ctx context.Context, goroutines, increments int, em lab.Emitter) *runner {
	batch := max(1, min((increments+maxSamples-1)/maxSamples, maxRound/goroutines))
	batches := (increments + batch - 1) / batch
	samples := max(1, min(maxSamples, maxTrialSamples/goroutines))
	return &runner{
		goroutines:  goroutines,
		increments:  increments,
		batch:       batch,
		sampleEvery: max(1, (batches+samples-1)/samples),
		stop:        ctx.Done(),
		em:          em,
	}
}

// together runs work on r.goroutines goroutines that wait behind one
// channel close, so they start at the same instant, and returns when every
// one has finished.
func (r *runner) together(work func(w *worker)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for id := range r.goroutines {
		wg.Go(func() {
			<-start
			w := &worker{r: r, id: id, from: time.Now()}
			work(w)
			r.em.Span(w.id, w.from, time.Now(), "work")
		})
	}
	close(start)
	wg.Wait()
}

// owned records the channel owner's lane on the timeline, after the
// workers' lanes.
func (r *runner) owned(began time.Time) {
	r.em.Span(r.goroutines, began, time.Now(), "own")
}

// A worker is one goroutine of a trial.
type worker struct {
	r     *runner
	id    int
	batch int       // the current batch's index
	from  time.Time // start of the work span not yet reported
	// A wait sample to report after the batch, outside any lock.
	asked, got time.Time
}

// batches yields the worker's increments in batches. Between two batches,
// never inside one, it reports progress and the wait sample, and it stops
// early once the trial is cancelled.
func (w *worker) batches() iter.Seq[int] {
	return func(yield func(int) bool) {
		for left := w.r.increments; left > 0; w.batch++ {
			select {
			case <-w.r.stop:
				return
			default:
			}
			n := min(left, w.r.batch)
			if !yield(n) {
				return
			}
			left -= n
			w.r.em.Progress(w.r.done.Add(int64(n)), int64(w.r.goroutines*w.r.increments), "increments")
			w.report()
		}
	}
}

// waited records that the worker asked for a lock at asked and got it at
// got. Only every sampleEvery-th batch's sample is kept.
func (w *worker) waited(asked, got time.Time) {
	if w.batch%w.r.sampleEvery == 0 {
		w.asked, w.got = asked, got
	}
}

// report sends the kept wait sample, splitting the worker's lane into
// work, wait, work.
func (w *worker) report() {
	if w.asked.IsZero() {
		return
	}
	w.r.em.Span(w.id, w.from, w.asked, "work")
	w.r.em.Span(w.id, w.asked, w.got, "wait")
	w.from, w.asked = w.got, time.Time{}
}
