package primes

import (
	"strconv"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
)

// mergeGap is the longest pause between two of a worker's reports that one
// span may cover when spans are merged. A worker of a pool picks up its next
// number within microseconds; a goroutine that lost the GIL waits at least
// another goroutine's turn, so its stretches stay apart and the turns show.
const mergeGap = 50 * time.Microsecond

// timeline turns one trial's reports into spans and progress. A span is a
// number tested (labelled with the number), a stretch of it computed under
// the GIL, or a wait. A run keeps lab.MaxSpans spans, so each trial gets an
// equal share: when a trial has more tasks than its share, a worker's
// back-to-back reports merge into one span (labelled first–last), and past
// the share further spans are dropped.
//
// Each worker's slot is touched only by the goroutine reporting as that
// worker, and by close once they have all returned, so slots need no lock.
type timeline struct {
	em     lab.Emitter
	io     bool
	total  int64
	unit   string
	per    int   // reports one span may merge
	budget int64 // spans this trial may send
	sent   atomic.Int64
	done   atomic.Int64
	slots  []slot // by worker
}

// slot is one worker's span in the making.
type slot struct {
	count       int // reports merged so far; 0 means none pending
	start, end  time.Time
	first, last int64
	seen        bool  // the worker has reported before
	current     int64 // the task it reported last, to count progress once per task
}

// newTimeline returns a timeline for a trial of tasks run by up to workers
// goroutines, that may send budget spans.
func newTimeline(em lab.Emitter, io bool, tasks, workers, budget int) *timeline {
	unit := "numbers"
	if io {
		unit = "tasks"
	}
	budget = max(budget, 1)
	return &timeline{
		em: em, io: io, total: int64(tasks), unit: unit,
		per:    max(1, (tasks+budget-1)/budget),
		budget: int64(budget),
		slots:  make([]slot, max(workers, tasks, 1)),
	}
}

// report implements the report callback the variants call.
func (tl *timeline) report(worker int, n int64, start time.Time) {
	end := time.Now()
	s := &tl.slots[worker]
	// Under the GIL a number is reported once per stretch: count it once.
	if !s.seen || s.current != n {
		s.seen, s.current = true, n
		tl.em.Progress(tl.done.Add(1), tl.total, tl.unit)
	}
	if s.count > 0 && s.count < tl.per && start.Sub(s.end) < mergeGap {
		s.end, s.last = end, n
		s.count++
		return
	}
	tl.flush(worker, s)
	s.count, s.start, s.end, s.first, s.last = 1, start, end, n, n
}

func (tl *timeline) flush(worker int, s *slot) {
	if s.count == 0 {
		return
	}
	s.count = 0
	if tl.sent.Add(1) > tl.budget {
		return
	}
	tl.em.Span(worker, s.start, s.end, tl.label(s.first, s.last))
}

func (tl *timeline) label(first, last int64) string {
	switch {
	case tl.io:
		return "wait"
	case first == last:
		return strconv.FormatInt(first, 10)
	}
	return strconv.FormatInt(first, 10) + "–" + strconv.FormatInt(last, 10)
}

// close sends the spans still pending, once every worker has returned, and
// the trial's final progress if it finished.
func (tl *timeline) close(finished bool) {
	for w := range tl.slots {
		tl.flush(w, &tl.slots[w])
	}
	if finished {
		tl.em.Progress(tl.total, tl.total, tl.unit)
	}
}
