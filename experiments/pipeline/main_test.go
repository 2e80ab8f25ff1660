package pipeline

import (
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/experiments/internal/labtest"
	"concurrencylab/lab"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds every wait in these tests: it only matters when
// something deadlocks, so it is generous for a slow, shared machine.
const waitTimeout = 10 * time.Second

// nopEmitter discards reports.
type nopEmitter struct{}

func (nopEmitter) Progress(done, total int64, unit string)             {}
func (nopEmitter) Sample(series string, value float64)                 {}
func (nopEmitter) Span(worker int, start, end time.Time, label string) {}
func (nopEmitter) Log(text string)                                     {}

// span is one span a recorder saw.
type span struct {
	worker     int
	start, end time.Time
	label      string
}

// recorder keeps what a trial reports.
type recorder struct {
	mu       sync.Mutex // guards the fields below
	series   map[string]int
	spans    []span
	done     int64
	total    int64
	progress int
}

func newRecorder() *recorder { return &recorder{series: map[string]int{}} }

func (r *recorder) Progress(done, total int64, unit string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done, r.total = done, total
	r.progress++
}

func (r *recorder) Sample(series string, value float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.series[series]++
}

func (r *recorder) Span(worker int, start, end time.Time, label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, span{worker, start, end, label})
}

func (r *recorder) Log(text string) {}

// params checks parameters given as a query string, failing the test on
// an error.
func params(t testing.TB, q string) lab.Params {
	return labtest.Params(t, Experiment{}.Info(), q)
}

// within runs f and fails the test if it does not return in time.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatalf("%s: still blocked after %s", what, waitTimeout)
	}
}
