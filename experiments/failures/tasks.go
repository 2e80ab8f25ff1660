package failures

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// A job is one trial's tasks, numbered from 1. Every task waits work, as
// a request to a slow server would; the tasks in fails fail halfway (a
// refused request fails sooner than a served one), with an error or, in
// the panic and recover variants, a panic. Each variant below runs the
// same job its own way and returns the error its caller sees.
type job struct {
	tasks   int
	workers int // errgroup's limit: tasks running at once
	work    time.Duration
	fails   map[int]bool // the tasks that fail
	panics  bool         // a failing task panics instead of returning its error

	// What happened, for the page: counts, the first failure's time, and
	// report, which draws each task on the timeline.
	began                 time.Time
	done, failed, skipped atomic.Int64
	firstFailure          atomic.Int64 // nanoseconds after began; 0 until a task fails
	report                func(task int, start time.Time, outcome string)
}

// A taskError is the error a failing task returns, or panics with.
type taskError struct{ task int }

func (e *taskError) Error() string { return fmt.Sprintf("task %d failed", e.task) }

// task runs task n. Cancellation in Go is a request, not a kill: the task
// watches ctx and, once it is cancelled, stops and returns ctx's error. A
// task that never looked at ctx would run to its end.
func (j *job) task(ctx context.Context, n int) error {
	start := time.Now()
	if err := ctx.Err(); err != nil { // cancelled before it began
		j.finish(n, start, "skipped")
		return err
	}
	wait := j.work
	if j.fails[n] {
		wait /= 2
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		j.finish(n, start, "cancelled")
		return ctx.Err()
	case <-timer.C:
	}
	if !j.fails[n] {
		j.finish(n, start, "done")
		return nil
	}
	j.finish(n, start, "failed")
	err := &taskError{task: n}
	if j.panics {
		panic(err)
	}
	return err
}

// finish counts how task n ended and reports it.
func (j *job) finish(n int, start time.Time, outcome string) {
	switch outcome {
	case "done":
		j.done.Add(1)
	case "failed":
		j.failed.Add(1)
		j.firstFailure.CompareAndSwap(0, int64(max(1, time.Since(j.began))))
	default: // skipped or cancelled: the work was not done
		j.skipped.Add(1)
	}
	if j.report != nil {
		j.report(n, start, outcome)
	}
}
