package deadlock

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/experiments/internal/labtest"
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/process"
	"concurrencylab/lab/runner"
)

// TestMain serves as a run's child, and as a process of its own, when a
// test starts this binary again through a process runner; otherwise it
// runs the tests and fails the package if one leaks a goroutine.
func TestMain(m *testing.M) {
	if process.IsChild() {
		os.Exit(process.Main([]lab.Experiment{New()}))
	}
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds waits that matter only when something hangs.
const waitTimeout = 30 * time.Second

func params(tb testing.TB, q string) lab.Params {
	return labtest.Params(tb, Experiment{}.Info(), q)
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

// sink records what a process runner appends.
type sink struct {
	mu     sync.Mutex // guards events
	events []map[string]any
}

func (s *sink) Start() time.Time { return time.Time{} }

func (s *sink) Append(b event.Body) bool {
	data, _ := json.Marshal(b)
	var body map[string]any
	json.Unmarshal(data, &body)
	s.mu.Lock()
	defer s.mu.Unlock()
	body["type"] = b.Type()
	s.events = append(s.events, body)
	return true
}

func (s *sink) logs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.events {
		if e["type"] == event.TypeLog {
			out = append(out, e["text"].(string))
		}
	}
	return out
}

// runInProcesses runs a job of the deadlock experiment the way the server
// does: in a child process of this test binary, which starts processes of
// their own.
func runInProcesses(t *testing.T, q string) (runner.Report, *sink) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]string{}
	for _, kv := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			raw[k] = v
		}
	}
	s := &sink{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := (&process.Runner{Path: exe}).Run(ctx, runner.Job{Run: "r1", Experiment: "deadlock", Params: raw, Start: time.Now(), Timeout: 2 * time.Minute}, s)
	if err != nil {
		t.Fatalf("run %s: %v\nlogs: %q", q, err, s.logs())
	}
	return rep, s
}
