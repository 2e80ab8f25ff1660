package failures

import (
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/experiments/internal/labtest"
	"concurrencylab/lab"
	"concurrencylab/lab/process"
)

// TestMain serves as a run's child, and as the panic variant's process of
// its own, when a test starts this binary again through lab/process; and
// it fails the package if a test leaks a goroutine.
func TestMain(m *testing.M) {
	if process.IsChild() {
		os.Exit(process.Main([]lab.Experiment{Experiment{}}))
	}
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds waits that matter only when something hangs.
const waitTimeout = 10 * time.Second

func params(tb testing.TB, q string) lab.Params {
	return labtest.Params(tb, Experiment{}.Info(), q)
}

// span is one span a recorder saw.
type span struct {
	lane       int
	start, end time.Time
	label      string
}

// recorder keeps spans and the last progress.
type recorder struct {
	mu          sync.Mutex // guards the fields below
	spans       []span
	done, total int64
	onProgress  func()
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
func (r *recorder) Log(text string)                     {}

func (r *recorder) Span(lane int, start, end time.Time, label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, span{lane, start, end, label})
}
