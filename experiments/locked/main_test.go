package locked

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/experiments/internal/detector"
	"concurrencylab/experiments/internal/labtest"
	"concurrencylab/lab"
)

// buildErr is why racecounter could not be built, for the tests that need
// it; the other tests run regardless.
var buildErr error

// TestMain builds racecounter with -race for the detector tests, points
// LAB_RACECOUNTER at it, and fails the package if a test leaks a goroutine.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "locked-racecounter-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	program, err := detector.Build(ctx, dir)
	cancel()
	if err != nil {
		buildErr = err
	} else {
		os.Setenv(detector.EnvProgram, program)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { os.RemoveAll(dir) }))
}

func needRacecounter(t *testing.T) {
	t.Helper()
	if buildErr != nil {
		t.Fatalf("racecounter was not built: %v", buildErr)
	}
}

// waitTimeout bounds waits that matter only when something hangs; it is
// generous for a slow, shared machine and the race detector.
const waitTimeout = 10 * time.Second

func params(tb testing.TB, q string) lab.Params {
	return labtest.Params(tb, Experiment{}.Info(), q)
}

// span is one span a recorder saw.
type span struct {
	worker     int
	start, end time.Time
	label      string
}

// recorder keeps every report; onProgress, if set, runs at each progress.
type recorder struct {
	mu         sync.Mutex // guards the fields below
	spans      []span
	done       int64
	total      int64
	logs       []string
	onProgress func()
}

func (r *recorder) Progress(done, total int64, unit string) {
	r.mu.Lock()
	r.done, r.total = max(r.done, done), total
	f := r.onProgress
	r.mu.Unlock()
	if f != nil {
		f()
	}
}

func (r *recorder) Sample(series string, value float64) {}

func (r *recorder) Span(worker int, start, end time.Time, label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, span{worker, start, end, label})
}

func (r *recorder) Log(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, text)
}
