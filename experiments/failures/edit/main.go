// The harness of a learner's own failures variant: the lab's tasks fail
// as the fail parameter says, and the harness keeps every error they
// really returned. The answer is how many of those errors Run's error
// carries, less any error it carries that no task returned.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"concurrencylab/experiments/failures/edit/yours"
	"concurrencylab/lab/yours/harness"
)

func main() {
	harness.Serve(func(p harness.Params) int64 { return trial(p, yours.Run) })
}

// A taskError is the error a failing task returns.
type taskError struct{ task int }

func (e *taskError) Error() string { return fmt.Sprintf("task %d failed", e.task) }

// tasks are one trial's: they keep every error they returned.
type tasks struct {
	n     int
	work  time.Duration
	fails map[int]bool

	mu       sync.Mutex // guards returned
	returned map[error]bool
}

func newTasks(p harness.Params) *tasks {
	t := &tasks{n: p.Int("tasks"), fails: map[int]bool{}, returned: map[error]bool{}}
	t.work, _ = time.ParseDuration(p["work"])
	for _, s := range strings.Split(p["fail"], ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			t.fails[n] = true
		}
	}
	return t
}

// task is the lab's Task: it waits work (a failing task half of it), or
// stops when ctx is cancelled.
func (t *tasks) task(ctx context.Context, n int) error {
	wait := t.work
	if t.fails[n] {
		wait /= 2
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
	}
	if !t.fails[n] {
		return nil
	}
	err := &taskError{task: n}
	t.mu.Lock()
	t.returned[err] = true
	t.mu.Unlock()
	return err
}

// trial runs the learner's Run and counts the tasks' errors its error
// carries, each task's once, less any other error it carries.
func trial(p harness.Params, run func(context.Context, int, yours.Task) error) int64 {
	t := newTasks(p)
	err := run(context.Background(), t.n, t.task)
	t.mu.Lock()
	defer t.mu.Unlock()
	failed, found, foreign := map[int]bool{}, map[int]bool{}, 0
	for e := range t.returned {
		failed[e.(*taskError).task] = true
	}
	for _, e := range leaves(err) {
		if te, ok := e.(*taskError); ok && t.returned[e] {
			found[te.task] = true
		} else {
			foreign++
		}
	}
	if len(found) < len(t.fails) || foreign > 0 {
		fmt.Fprintf(os.Stderr, "lab: %d of %d tasks failed, Run's error carried the errors of %d of them and %d errors no task returned\n",
			len(failed), len(t.fails), len(found), foreign)
	}
	return int64(max(len(found)-foreign, 0))
}

// leaves returns the errors err wraps that wrap nothing: every error
// errors.Join joined, through any wrapping with %w.
func leaves(err error) []error {
	switch x := err.(type) {
	case nil:
		return nil
	case interface{ Unwrap() []error }:
		var all []error
		for _, e := range x.Unwrap() {
			all = append(all, leaves(e)...)
		}
		return all
	case interface{ Unwrap() error }:
		if inner := x.Unwrap(); inner != nil {
			return leaves(inner)
		}
	}
	return []error{err}
}
