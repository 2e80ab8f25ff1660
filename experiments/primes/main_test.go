package primes

import (
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/lab"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds every wait in these tests: it only matters when
// something deadlocks or ignores a cancel, so it is generous for a slow,
// shared machine.
const waitTimeout = 10 * time.Second

// nopEmitter discards reports.
type nopEmitter struct{}

func (nopEmitter) Progress(done, total int64, unit string)             {}
func (nopEmitter) Sample(series string, value float64)                 {}
func (nopEmitter) Span(worker int, start, end time.Time, label string) {}
func (nopEmitter) Log(text string)                                     {}

// span is one recorded span.
type span struct {
	worker     int
	start, end time.Time
	label      string
}

// recorder keeps every span and the last progress.
type recorder struct {
	nopEmitter
	mu          sync.Mutex // guards the fields below
	spans       []span
	done, total int64
	unit        string
}

func (r *recorder) Span(worker int, start, end time.Time, label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, span{worker, start, end, label})
}

func (r *recorder) Progress(done, total int64, unit string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done, r.total, r.unit = done, total, unit
}

// params checks raw parameters as lab would.
func params(t testing.TB, raw map[string]string) lab.Params {
	t.Helper()
	p, err := lab.ParseMap(Experiment{}.Info(), raw)
	if err != nil {
		t.Fatalf("params %v: %v", raw, err)
	}
	return p
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
		t.Fatalf("%s: still running after %s", what, waitTimeout)
	}
}
