package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/lab/runs"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// scrape returns the text /metrics answers.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: got %d, want 200", rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// value returns the sample named series (name and labels as exposed), or
// "" if there is none.
func value(text, series string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// queue is a run manager's queue as the test sets it.
type queue struct{ running, waiting, busy int }

func (q *queue) Queue() (int, int) { return q.running, q.waiting }
func (q *queue) SlotsBusy() int    { return q.busy }

func TestMetrics(t *testing.T) {
	q := &queue{running: 1, waiting: 3, busy: 2}
	m := New(2)
	if got := value(scrape(t, m), `lab_runs{status="running"}`); got != "0" {
		t.Errorf("before Watch: lab_runs{status=\"running\"} got %q, want 0", got)
	}
	m.Watch(q)
	m.RunStarted(1500 * time.Millisecond)
	m.RunFinished(runs.StatusDone, 2*time.Second)
	m.RunFinished(runs.StatusCancelled, 0) // never started
	m.SocketOpened()
	m.SocketOpened()
	m.SocketClosed()
	m.Dropped(5)
	m.Build("ok")
	m.Build("ok")
	m.Build("failed")
	text := scrape(t, m)
	tests := []struct{ series, want string }{
		{`lab_runs{status="queued"}`, "3"},
		{`lab_runs{status="running"}`, "1"},
		{`lab_queue_length`, "3"},
		{`lab_runner_slots`, "2"},
		{`lab_runner_slots_busy`, "2"}, // one run, one slot lent
		{`lab_runs_finished_total{status="done"}`, "1"},
		{`lab_runs_finished_total{status="cancelled"}`, "1"},
		{`lab_runs_finished_total{status="failed"}`, "0"},
		{`lab_runs_finished_total{status="interrupted"}`, "0"},
		{`lab_run_queue_wait_seconds_count`, "1"},
		{`lab_run_queue_wait_seconds_sum`, "1.5"},
		{`lab_run_queue_wait_seconds_bucket{le="1"}`, "0"},
		{`lab_run_queue_wait_seconds_bucket{le="2"}`, "1"},
		{`lab_run_duration_seconds_count`, "1"}, // the cancelled run never ran
		{`lab_run_duration_seconds_sum`, "2"},
		{`lab_sockets_open`, "1"},
		{`lab_messages_dropped_total`, "5"},
		{`lab_builds_total{result="ok"}`, "2"},
		{`lab_builds_total{result="failed"}`, "1"},
	}
	for _, tt := range tests {
		if got := value(text, tt.series); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.series, got, tt.want)
		}
	}
	q.running, q.waiting = 0, 0
	if got := value(scrape(t, m), `lab_runs{status="running"}`); got != "0" {
		t.Errorf("after the run: lab_runs{status=\"running\"} got %q, want 0 (read at each scrape)", got)
	}
	// The lab's own series start with lab_; the rest are Go's and the
	// process's standard ones.
	for _, line := range strings.Split(text, "\n") {
		name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(line, "# HELP "), "# TYPE "), " ")
		if name != "" && !strings.HasPrefix(name, "lab_") && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			t.Errorf("series %q: want a name starting lab_", name)
		}
	}
}

// Two servers in one process keep their own counts: nothing is global.
func TestMetricsOwnRegistry(t *testing.T) {
	a, b := New(1), New(1)
	a.Build("ok")
	if got := value(scrape(t, b), `lab_builds_total{result="ok"}`); got != "" {
		t.Errorf("b counts a's build: got %q, want no series", got)
	}
	if got := value(scrape(t, a), `lab_builds_total{result="ok"}`); got != "1" {
		t.Errorf("a's builds: got %q, want 1", got)
	}
}
