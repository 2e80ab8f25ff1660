package runs

import (
	"concurrencylab/lab/event"
	"concurrencylab/lab/runner"
	"context"
	"encoding/json"
	"sync"
	"time"
)

// An EventLog is the ordered stream of one run's events. Appending never
// blocks; readers follow it at their own pace with Next, from any position,
// so a late client replays everything before it goes live.
type EventLog struct {
	start time.Time

	mu      sync.Mutex    // guards the fields below
	events  []Event       // every event so far; events[i].Seq == i
	changed chan struct{} // closed and replaced on every append and on Close
	closed  bool          // no more events will come
	sealed  bool          // Seal has made the last event: Append refuses more
}

// NewEventLog returns an empty log whose clock starts now.
func NewEventLog() *EventLog {
	return &EventLog{start: time.Now(), changed: make(chan struct{})}
}

// restoredLog returns a closed log holding stored events.
func restoredLog(events []Event) *EventLog {
	l := &EventLog{events: events, changed: make(chan struct{}), closed: true}
	close(l.changed)
	return l
}

var _ runner.Sink = (*EventLog)(nil)

// Start returns the time the log's clock started.
func (l *EventLog) Start() time.Time { return l.start }

// Append adds an event with body b, stamping seq and t. It returns false
// if the log is closed.
func (l *EventLog) Append(b event.Body) bool {
	body, err := json.Marshal(b)
	if err != nil {
		panic("runs: encode event: " + err.Error()) // bodies are plain values
	}
	return l.appendRaw(b.Type(), b.Key(), body)
}

// appendRaw adds an event whose body is encoded: a compact JSON object.
func (l *EventLog) appendRaw(typ, key string, body []byte) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.sealed {
		return false
	}
	t := time.Since(l.start) // under the lock, so t follows seq
	l.events = append(l.events, encodeRaw(int64(len(l.events)), t, typ, key, body))
	close(l.changed)
	l.changed = make(chan struct{})
	return true
}

// Seal makes the log's last event without showing it to readers: it
// refuses further appends and returns every event, the last one included,
// so they can be stored before Commit announces the end.
func (l *EventLog) Seal(b event.Body) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sealed = true
	last := encodeEvent(int64(len(l.events)), time.Since(l.start), b)
	return append(append([]Event(nil), l.events...), last)
}

// Commit appends last, the event Seal made, and closes the log.
func (l *EventLog) Commit(last Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if int(last.Seq) == len(l.events) {
		l.events = append(l.events, last)
	}
	l.closed = true
	close(l.changed)
}

// Close marks the end of the stream; readers get io.EOF-like false from Next
// once they have read everything.
func (l *EventLog) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.changed)
	}
}

// Len returns the number of events so far.
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

// Next waits until there are events at index from or later and returns them.
// It returns ok=false when the log is closed and fully read, or when ctx is
// done. The events are the log's own, not a copy (a thousand readers of
// a long run would otherwise hold a thousand copies): a reader must not
// change them. Appending never changes an event already in the log.
func (l *EventLog) Next(ctx context.Context, from int) (events []Event, ok bool) {
	for {
		l.mu.Lock()
		if n := len(l.events); from < n {
			events = l.events[from:n:n]
			l.mu.Unlock()
			return events, true
		}
		closed, changed := l.closed, l.changed
		l.mu.Unlock()
		if closed {
			return nil, false
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, false
		}
	}
}

// Skip drops coalescable events that a later event of the same kind
// supersedes, for a reader that has fallen behind: the last progress per
// variant and the last sample per series survive, and everything else
// (status, spans, logs, results, errors) is kept in order.
func Skip(events []Event) []Event {
	seen := make(map[string]bool)
	keep := make([]bool, len(events))
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if !e.Coalescable() {
			keep[i] = true
			continue
		}
		k := e.Type + "\x00" + e.Key
		if !seen[k] {
			seen[k] = true
			keep[i] = true
		}
	}
	out := events[:0:0]
	for i, e := range events {
		if keep[i] {
			out = append(out, e)
		}
	}
	return out
}

// continuedLog returns an open log holding events already stored, whose
// clock started at start: a run taken from the shared queue goes on from
// where its stream stands.
func continuedLog(events []Event, start time.Time) *EventLog {
	return &EventLog{start: start, events: events, changed: make(chan struct{})}
}

// appendStored adds an event read from the store, keeping its seq and t;
// it returns false where e is not the next event (or the log is closed).
func (l *EventLog) appendStored(e Event) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.sealed || int(e.Seq) != len(l.events) {
		return false
	}
	l.events = append(l.events, e)
	close(l.changed)
	l.changed = make(chan struct{})
	return true
}
