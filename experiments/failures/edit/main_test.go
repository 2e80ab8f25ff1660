package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"concurrencylab/experiments/failures/edit/yours"
	"concurrencylab/lab/yours/harness"
	"golang.org/x/sync/errgroup"
)

// collect is the lesson's fix: every error sent back on a channel and
// joined.
func collect(ctx context.Context, tasks int, task yours.Task) error {
	answers := make(chan error, tasks)
	for n := 1; n <= tasks; n++ {
		go func() { answers <- task(ctx, n) }()
	}
	var errs []error
	for range tasks {
		if err := <-answers; err != nil {
			errs = append(errs, fmt.Errorf("collected: %w", err))
		}
	}
	return errors.Join(errs...)
}

// madeUp runs no task and makes up the errors the default tasks return.
func madeUp(context.Context, int, yours.Task) error {
	return errors.Join(&taskError{3}, &taskError{8})
}

// firstOnly is errgroup: the first error, the rest cancelled.
func firstOnly(ctx context.Context, tasks int, task yours.Task) error {
	g, ctx := errgroup.WithContext(ctx)
	for n := 1; n <= tasks; n++ {
		g.Go(func() error { return task(ctx, n) })
	}
	return g.Wait()
}

// withCancels joins every error, the cancels of the tasks errgroup stopped
// among them.
func withCancels(ctx context.Context, tasks int, task yours.Task) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var errs []error
	for n := 1; n <= tasks; n++ {
		if err := task(ctx, n); err != nil {
			errs = append(errs, err)
			cancel()
		}
	}
	return errors.Join(errs...)
}

func TestTrial(t *testing.T) {
	p := harness.Params{"tasks": "10", "fail": "3,8", "work": "4ms", "workers": "4"}
	tests := []struct {
		name string
		run  func(context.Context, int, yours.Task) error
		want int64
	}{
		{"the starting file", yours.Run, 0},
		{"collected", collect, 2},
		{"made up", madeUp, 0},
		{"the first only", firstOnly, 1},
		{"with cancels", withCancels, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trial(p, tt.run); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	if got := trial(harness.Params{"tasks": "5", "fail": "", "work": "1ms"}, collect); got != 0 {
		t.Errorf("no failing task: got %d, want 0", got)
	}
}
