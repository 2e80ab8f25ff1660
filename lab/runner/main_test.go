package runner

import (
	"concurrencylab/lab/event"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if cpu := os.Getenv(envHog); cpu != "" {
		hog(cpu) // a busy program of another's, for the others_pct test
	}
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds every wait in these tests: it only matters when
// something deadlocks, so it is generous for a slow, shared machine.
const waitTimeout = 10 * time.Second

// Event is one event a test log received, encoded as the server would.
type Event struct {
	Type, Key string
	Data      []byte
}

// EventLog is a Sink for tests: it keeps every event in order.
type EventLog struct {
	start time.Time

	mu     sync.Mutex // guards events and closed
	events []Event
	closed bool
}

func NewEventLog() *EventLog { return &EventLog{start: time.Now()} }

func (l *EventLog) Start() time.Time { return l.start }

func (l *EventLog) Append(b event.Body) bool {
	data, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.events = append(l.events, Event{Type: b.Type(), Key: b.Key(), Data: data})
	return true
}

func (l *EventLog) Close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}

func (l *EventLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

// Events returns a copy of the events from index from on.
func (l *EventLog) Events(from int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	if from >= len(l.events) {
		return nil
	}
	return append([]Event(nil), l.events[from:]...)
}

// fields decodes an event's body.
func fields(t *testing.T, e Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Data, &m); err != nil {
		t.Fatalf("decode %s: %v", e.Data, err)
	}
	return m
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

// checkSequence checks that every event is one a run's process may send
// and that its body decodes as its type.
func checkSequence(t *testing.T, events []Event) {
	t.Helper()
	for i, e := range events {
		b, ok := event.FromChild(e.Type)
		if !ok {
			t.Fatalf("event %d: got type %q, want one a run's process sends", i, e.Type)
		}
		if err := json.Unmarshal(e.Data, b); err != nil {
			t.Fatalf("event %d: %s does not decode as %s: %v", i, e.Data, e.Type, err)
		}
	}
}
