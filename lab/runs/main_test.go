package runs

import (
	"concurrencylab/lab/event"
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds every wait in these tests: it only matters when
// something deadlocks, so it is generous for a slow, shared machine.
const waitTimeout = 10 * time.Second

// fields decodes an event's JSON object.
func fields(t *testing.T, e Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Data, &m); err != nil {
		t.Fatalf("event %d: decode %s: %v", e.Seq, e.Data, err)
	}
	return m
}

// readAll follows log from the start until it is closed and returns every
// event it saw. It fails the test if the log is not closed in time.
func readAll(t *testing.T, log *EventLog) []Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	var all []Event
	for {
		evs, ok := log.Next(ctx, len(all))
		if !ok {
			if ctx.Err() != nil {
				t.Fatalf("log not closed after %s: got %d events", waitTimeout, len(all))
			}
			return all
		}
		all = append(all, evs...)
	}
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

// eventsOf returns the decoded events of type typ (and key, if not empty).
func eventsOf(t *testing.T, events []Event, typ, key string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range events {
		if e.Type == typ && (key == "" || e.Key == key) {
			out = append(out, fields(t, e))
		}
	}
	return out
}

// countLogs counts the log events whose text is text.
func countLogs(t *testing.T, events []Event, text string) int {
	t.Helper()
	n := 0
	for _, f := range eventsOf(t, events, event.TypeLog, "") {
		if f["text"] == text {
			n++
		}
	}
	return n
}

// ptrString shows a pointer's value in a message, or nil.
func ptrString[T any](p *T) any {
	if p == nil {
		return "nil"
	}
	return *p
}
