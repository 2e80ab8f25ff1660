package failures

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"golang.org/x/sync/errgroup"
)

// runBare starts a goroutine per task with a go statement, as Python
// starts a threading.Thread, and waits for them all with a WaitGroup. A go
// statement throws away whatever its function returns: a goroutine has no
// caller to return to. The tasks' errors go nowhere, without a word, and
// runBare has nothing to give its own caller. Python at least prints an
// exception raised in a Thread (threading.excepthook) before it is lost;
// Go prints nothing.
func runBare(ctx context.Context, j *job) error {
	var wg sync.WaitGroup
	for n := 1; n <= j.tasks; n++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.task(ctx, n) // the error is dropped here
		}()
	}
	wg.Wait()
	return nil // no error to return: none came back
}

// runCollect has every goroutine send its task's error back on a channel,
// and joins the failures with errors.Join: the caller sees every error,
// and every task runs to its end. Receiving one answer per task is also
// how it waits for them all; the channel has room for every answer, so no
// goroutine waits to send. Python's closest is asyncio.gather with
// return_exceptions=True, or an ExceptionGroup.
func runCollect(ctx context.Context, j *job) error {
	answers := make(chan error, j.tasks)
	for n := 1; n <= j.tasks; n++ {
		go func() { answers <- j.task(ctx, n) }()
	}
	var errs []error
	for range j.tasks {
		if err := <-answers; err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...) // nil when no task failed
}

// runErrgroup is Go's ThreadPoolExecutor: errgroup runs at most workers
// tasks at once (SetLimit, max_workers in Python) and Wait returns the
// first error, as future.result() raises the exception in the caller. And
// more: the first error cancels the group's ctx, so the tasks still
// running stop and those not yet begun are skipped. Python's executor
// cannot stop a running thread; shutdown(cancel_futures=True) only drops
// the tasks still waiting. The errors after the first are dropped: that
// is errgroup's choice, and collect's way is there when every one counts.
func runErrgroup(ctx context.Context, j *job) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(j.workers)
	for n := 1; n <= j.tasks; n++ {
		g.Go(func() error { return j.task(ctx, n) })
	}
	return g.Wait()
}

// runPanic is runErrgroup with one difference: the failing task panics
// instead of returning its error. A panic that no deferred recover stops
// in its own goroutine ends the whole program: Go prints the panic and the
// goroutine's stack and exits with status 2, whatever the other goroutines
// were doing, and none of their deferred calls runs. errgroup does not
// catch it. Python prints a thread's traceback and the program goes on;
// Go ends the program. That is why this variant runs in a process of its
// own: the lab's run would die with it.
func runPanic(ctx context.Context, j *job) error {
	return runErrgroup(ctx, j) // j.panics: a failing task panics
}

// runRecover is runErrgroup with each task wrapped in safely, so a panic
// becomes an error that Wait returns to the caller. errgroup does not do
// this itself: its authors tried passing panics on to Wait and took it
// back out, since a panic turned into a value hides its stack from crash
// reports. Keep the stack, as PanicError does.
func runRecover(ctx context.Context, j *job) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(j.workers)
	for n := 1; n <= j.tasks; n++ {
		g.Go(safely(func() error { return j.task(ctx, n) }))
	}
	return g.Wait()
}

// safely returns f wrapped so that a panic in f becomes the error f
// returns. recover stops a panic only in a deferred call of the panicking
// goroutine, so the wrapper must run inside each goroutine: no one can
// recover a panic for another goroutine.
func safely(f func() error) func() error {
	return func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return f()
	}
}

// A PanicError is a panic that safely stopped: the value the goroutine
// panicked with, and its stack at that moment.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the value if it was an error, for errors.Is and As.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
