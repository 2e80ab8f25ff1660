package runner

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"fmt"
	"sync"
	"testing"
	"time"
)

var truncationLine = fmt.Sprintf("timeline truncated: a run keeps its first %d spans", lab.MaxSpans)

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

// countType counts events of type typ without decoding them.
func countType(events []Event, typ string) int {
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

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

func TestEmitterCoalesces(t *testing.T) {
	const goroutines, calls, total = 4, 5000, 5000
	l := NewEventLog()
	e := newEmitter(l, 4)
	e.setTrial("v", 1)
	e.start()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				e.Progress(int64(i), total, "items")
				e.Sample("depth", float64(g*calls+i))
			}
		}()
	}
	within(t, "emitting goroutines", wg.Wait)
	e.Progress(total, total, "items") // the final values
	e.Sample("depth", -1)
	within(t, "emitter close", e.close)
	l.Close()
	events := l.Events(0)
	checkSequence(t, events)

	tests := []struct {
		name     string
		typ, key string
		field    string
		want     any
	}{
		{name: "progress", typ: event.TypeProgress, key: "v", field: "done", want: float64(1*total + total)},
		{name: "sample", typ: event.TypeSample, key: "depth", field: "value", want: -1.0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := eventsOf(t, events, tc.typ, tc.key)
			if len(got) == 0 {
				t.Fatalf("got no %s events, want at least one", tc.typ)
			}
			if limit := goroutines * calls / 10; len(got) > limit {
				t.Errorf("got %d %s events for %d calls, want at most %d (coalesced)", len(got), tc.typ, goroutines*calls+1, limit)
			}
			last := got[len(got)-1]
			if last[tc.field] != tc.want {
				t.Errorf("got last %s %v, want %v", tc.field, last[tc.field], tc.want)
			}
		})
	}
	p := eventsOf(t, events, event.TypeProgress, "v")
	if last := p[len(p)-1]; last["total"] != float64(4*total) || last["unit"] != "items" || last["variant"] != "v" {
		t.Errorf("got last progress %v, want total %d, unit items, variant v", last, 4*total)
	}
}

func TestEmitterFlush(t *testing.T) {
	l := NewEventLog()
	e := newEmitter(l, 4) // no flusher: the test flushes
	e.setTrial("a", 0)
	e.Progress(1, 10, "u")
	e.Progress(2, 10, "u")
	e.setTrial("b", 2)
	e.Progress(3, 10, "u")
	e.Sample("s", 1)
	e.Sample("s", 2)
	e.Sample("r", 5)
	e.flush()
	events := l.Events(0)

	tests := []struct {
		name   string
		typ    string
		key    string
		fields map[string]any
	}{
		{name: "progress a", typ: event.TypeProgress, key: "a", fields: map[string]any{"variant": "a", "done": 2.0, "total": 40.0, "unit": "u"}},
		{name: "progress b counts earlier trials", typ: event.TypeProgress, key: "b", fields: map[string]any{"variant": "b", "done": 23.0, "total": 40.0, "unit": "u"}},
		{name: "sample s", typ: event.TypeSample, key: "s", fields: map[string]any{"series": "s", "value": 2.0}},
		{name: "sample r", typ: event.TypeSample, key: "r", fields: map[string]any{"series": "r", "value": 5.0}},
	}
	if got, want := len(events), len(tests); got != want {
		t.Fatalf("got %d events after one flush, want %d", got, want)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := eventsOf(t, events, tc.typ, tc.key)
			if len(got) != 1 {
				t.Fatalf("got %d events, want 1", len(got))
			}
			for k, want := range tc.fields {
				if got[0][k] != want {
					t.Errorf("got %s %v, want %v", k, got[0][k], want)
				}
			}
		})
	}

	e.flush()
	if got := l.Len(); got != len(tests) {
		t.Errorf("got %d events after an empty flush, want %d", got, len(tests))
	}
	e.Log("a line")
	if got := countLogs(t, l.Events(0), "a line"); got != 1 {
		t.Errorf("got %d log events for one Log call, want 1", got)
	}
}

func TestEmitterSpanTimes(t *testing.T) {
	l := NewEventLog()
	e := newEmitter(l, 3)
	e.setTrial("mutex", 2)
	start := l.Start()
	tests := []struct {
		name       string
		worker     int
		start, end time.Duration // after the log's start
		label      string
		wantStart  float64
		wantEnd    float64
	}{
		{name: "at start", worker: 0, start: 0, end: 5 * time.Millisecond, label: "a", wantStart: 0, wantEnd: 5},
		{name: "later", worker: 3, start: 10 * time.Millisecond, end: 12500 * time.Microsecond, label: "work", wantStart: 10, wantEnd: 12.5},
		{name: "µs precision", worker: 7, start: 1234567 * time.Nanosecond, end: 2 * time.Second, label: "b", wantStart: 1.234, wantEnd: 2000},
	}
	for _, tc := range tests {
		e.Span(tc.worker, start.Add(tc.start), start.Add(tc.end), tc.label)
	}
	e.flush()
	spans := eventsOf(t, l.Events(0), event.TypeSpan, "")
	if len(spans) != len(tests) {
		t.Fatalf("got %d spans, want %d", len(spans), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]any{"variant": "mutex", "trial": 2.0, "worker": float64(tc.worker),
				"start": tc.wantStart, "end": tc.wantEnd, "label": tc.label}
			for k, w := range want {
				if spans[i][k] != w {
					t.Errorf("got %s %v, want %v", k, spans[i][k], w)
				}
			}
		})
	}
	if g := e.peakGoroutines("mutex"); g < 1 {
		t.Errorf("got peak goroutines %v, want at least 1", g)
	}
}

func TestEmitterMaxSpans(t *testing.T) {
	tests := []struct {
		name    string
		batches []int // spans recorded before each flush
		want    int   // span events
		wantLog int   // truncation lines
	}{
		{name: "under the limit", batches: []int{10, 20}, want: 30, wantLog: 0},
		{name: "exactly the limit", batches: []int{lab.MaxSpans}, want: lab.MaxSpans, wantLog: 0},
		{name: "one over", batches: []int{lab.MaxSpans + 1}, want: lab.MaxSpans, wantLog: 1},
		{name: "crossing in a later flush", batches: []int{lab.MaxSpans - 5, 15, 3, 0}, want: lab.MaxSpans, wantLog: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewEventLog()
			e := newEmitter(l, 1)
			e.setTrial("v", 0)
			now := time.Now()
			for _, n := range tc.batches {
				for i := range n {
					e.Span(i%4, now, now, "x")
				}
				e.flush()
			}
			events := l.Events(0)
			if got := countType(events, event.TypeSpan); got != tc.want {
				t.Errorf("got %d span events, want %d", got, tc.want)
			}
			if got := countLogs(t, events, truncationLine); got != tc.wantLog {
				t.Errorf("got %d truncation lines, want %d", got, tc.wantLog)
			}
		})
	}
}

func TestEmitterSpansConcurrent(t *testing.T) {
	const goroutines = 4
	perG := lab.MaxSpans/goroutines + 5 // 20 over the limit in all
	l := NewEventLog()
	e := newEmitter(l, 1)
	e.setTrial("v", 0)
	e.start()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perG {
				now := time.Now()
				e.Span(g, now, now, "x")
			}
		}()
	}
	within(t, "span goroutines", wg.Wait)
	within(t, "emitter close", e.close)
	l.Close()
	events := l.Events(0)
	checkSequence(t, events)
	if got := countType(events, event.TypeSpan); got != lab.MaxSpans {
		t.Errorf("got %d span events, want %d", got, lab.MaxSpans)
	}
	if got := countLogs(t, events, truncationLine); got != 1 {
		t.Errorf("got %d truncation lines, want 1", got)
	}
}

// TestEmitterNeverBlocks emits a lot with nobody reading the log.
func TestEmitterNeverBlocks(t *testing.T) {
	l := NewEventLog()
	e := newEmitter(l, 2)
	e.setTrial("v", 0)
	e.start()
	within(t, "emitting with no reader", func() {
		for i := range 20000 {
			now := time.Now()
			e.Progress(int64(i), 20000, "items")
			e.Sample("s", float64(i))
			e.Span(i%8, now, now, "x")
			if i%1000 == 0 {
				e.Log(fmt.Sprint("line ", i))
			}
		}
	})
	within(t, "emitter close", e.close)
	l.Close()
	// A closed log refuses quietly; emitting after it must not block either.
	within(t, "emitting into a closed log", func() {
		e.Log("after close")
		e.Progress(1, 1, "items")
	})
	if got := countLogs(t, l.Events(0), "line 0"); got != 1 {
		t.Errorf("got %d copies of the first log line, want 1", got)
	}
}
