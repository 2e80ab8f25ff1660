package lab

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// checkSequence checks that events are numbered from 0 without gaps, that
// t never goes back, and that each Data object carries seq, t and type.
func checkSequence(t *testing.T, events []Event) {
	t.Helper()
	lastT := -1.0
	for i, e := range events {
		if e.Seq != int64(i) {
			t.Fatalf("event %d: got Seq %d, want %d", i, e.Seq, i)
		}
		f := fields(t, e)
		if got, ok := f["seq"].(float64); !ok || got != float64(i) {
			t.Fatalf("event %d: got \"seq\" %v, want %d", i, f["seq"], i)
		}
		if got, ok := f["type"].(string); !ok || got != e.Type {
			t.Fatalf("event %d: got \"type\" %v, want %q", i, f["type"], e.Type)
		}
		tm, ok := f["t"].(float64)
		if !ok {
			t.Fatalf("event %d: got \"t\" %v, want a number", i, f["t"])
		}
		if tm < lastT {
			t.Fatalf("event %d: got t %v after %v, want t never to decrease", i, tm, lastT)
		}
		lastT = tm
	}
}

func TestEventLogAppend(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		body    map[string]any
		wantKey string
	}{
		{name: "status", typ: TypeStatus, body: map[string]any{"state": "queued", "position": 2}},
		{name: "progress keyed by variant", typ: TypeProgress, body: map[string]any{"variant": "mutex", "done": 3, "total": 10, "unit": "items"}, wantKey: "mutex"},
		{name: "sample keyed by series", typ: TypeSample, body: map[string]any{"series": "goroutines", "value": 7.5, "variant": "ignored"}, wantKey: "goroutines"},
		{name: "span", typ: TypeSpan, body: map[string]any{"variant": "mutex", "worker": 1, "start": 1.5, "end": 2.0, "label": "work"}, wantKey: "mutex"},
		{name: "log", typ: TypeLog, body: map[string]any{"text": "hello"}},
		{name: "empty body", typ: TypeError, body: nil},
		{name: "body cannot override seq", typ: TypeLog, body: map[string]any{"seq": 99, "t": -1, "type": "forged", "text": "x"}},
	}
	l := NewEventLog()
	for _, tc := range tests {
		if !l.Append(tc.typ, tc.body) {
			t.Fatalf("Append(%s): got false, want true", tc.name)
		}
		time.Sleep(time.Millisecond) // let t move on; only its order is checked
	}
	l.Close()
	events := l.Events(0)
	if got, want := len(events), len(tests); got != want {
		t.Fatalf("got %d events, want %d", got, want)
	}
	checkSequence(t, events)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := events[i]
			if e.Type != tc.typ {
				t.Errorf("got Type %q, want %q", e.Type, tc.typ)
			}
			if e.Key != tc.wantKey {
				t.Errorf("got Key %q, want %q", e.Key, tc.wantKey)
			}
			f := fields(t, e)
			for k, v := range tc.body {
				if k == "seq" || k == "t" || k == "type" {
					continue
				}
				want := fields(t, encodeEvent(0, 0, "x", map[string]any{k: v}))[k] // v as JSON gives it back
				if !reflect.DeepEqual(f[k], want) {
					t.Errorf("got top-level %q = %v, want %v", k, f[k], want)
				}
			}
			if got, want := len(f), len(tc.body)+3; tc.name != "body cannot override seq" && got != want {
				t.Errorf("got %d fields in %s, want %d (body beside seq, t, type)", got, e.Data, want)
			}
		})
	}
	if f := fields(t, events[len(events)-1]); f["seq"] != float64(len(events)-1) || f["type"] != TypeLog || f["t"].(float64) < 0 {
		t.Errorf("got %s, want seq, t and type stamped by the log", events[len(events)-1].Data)
	}
}

func TestRoundMs(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want float64
	}{
		{name: "zero", d: 0, want: 0},
		{name: "ms", d: 250 * time.Millisecond, want: 250},
		{name: "µs kept", d: 1234567 * time.Nanosecond, want: 1.234},
		{name: "sub-µs dropped", d: 999 * time.Nanosecond, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := roundMs(tc.d); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEventLogLateReader(t *testing.T) {
	l := NewEventLog()
	for i := range 5 {
		l.Append(TypeLog, map[string]any{"text": fmt.Sprint("early ", i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()

	got, ok := l.Next(ctx, 0)
	if !ok || len(got) != 5 {
		t.Fatalf("got %d events, ok %v, want 5 earlier events, ok true", len(got), ok)
	}

	// Live events arrive to a reader that waits for them.
	result := make(chan []Event, 1)
	go func() {
		evs, _ := l.Next(ctx, 5)
		result <- evs
	}()
	l.Append(TypeLog, map[string]any{"text": "live"})
	select {
	case evs := <-result:
		if len(evs) < 1 || evs[0].Seq != 5 {
			t.Fatalf("got %v, want the live event with seq 5", evs)
		}
		if text := fields(t, evs[0])["text"]; text != "live" {
			t.Errorf("got text %v, want live", text)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Next did not return after a live Append")
	}

	l.Append(TypeLog, map[string]any{"text": "last"})
	l.Close()
	all := readAll(t, l)
	if len(all) != 7 {
		t.Fatalf("got %d events replayed after Close, want 7", len(all))
	}
	checkSequence(t, all)
}

func TestEventLogConcurrent(t *testing.T) {
	const writers, perWriter, readers = 8, 300, 4
	l := NewEventLog()
	var read [readers][]Event
	var wgR sync.WaitGroup
	for r := range readers {
		wgR.Add(1)
		go func() {
			defer wgR.Done()
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			for {
				evs, ok := l.Next(ctx, len(read[r]))
				if !ok {
					return
				}
				read[r] = append(read[r], evs...)
			}
		}()
	}
	var wgW sync.WaitGroup
	for w := range writers {
		wgW.Add(1)
		go func() {
			defer wgW.Done()
			for i := range perWriter {
				typ := TypeLog
				if i%3 == 0 {
					typ = TypeProgress
				}
				if !l.Append(typ, map[string]any{"writer": w, "i": i, "variant": fmt.Sprint("w", w)}) {
					t.Errorf("writer %d: Append %d got false, want true", w, i)
					return
				}
			}
		}()
	}
	within(t, "writers", wgW.Wait)
	l.Close()
	within(t, "readers", wgR.Wait)

	all := l.Events(0)
	if got, want := len(all), writers*perWriter; got != want {
		t.Fatalf("got %d events, want %d", got, want)
	}
	checkSequence(t, all)
	next := make(map[float64]float64) // writer -> next i
	for _, e := range all {
		f := fields(t, e)
		w, i := f["writer"].(float64), f["i"].(float64)
		if i != next[w] {
			t.Fatalf("writer %v: got i %v, want %v (each writer's events in its order)", w, i, next[w])
		}
		next[w]++
	}
	for r := range readers {
		if !reflect.DeepEqual(read[r], all) {
			t.Errorf("reader %d: got %d events, want the same %d as the log", r, len(read[r]), len(all))
		}
	}
}

func TestEventLogNextEnds(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares the log and returns the context Next gets.
		setup func(l *EventLog) (context.Context, context.CancelFunc)
		from  int
	}{
		{name: "closed and drained", from: 2, setup: func(l *EventLog) (context.Context, context.CancelFunc) {
			l.Close()
			return context.WithCancel(context.Background())
		}},
		{name: "closed later while waiting", from: 2, setup: func(l *EventLog) (context.Context, context.CancelFunc) {
			time.AfterFunc(10*time.Millisecond, l.Close)
			return context.WithCancel(context.Background())
		}},
		{name: "ctx already cancelled", from: 2, setup: func(l *EventLog) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
		{name: "ctx cancelled while waiting", from: 2, setup: func(l *EventLog) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(10*time.Millisecond, cancel)
			return ctx, cancel
		}},
		{name: "ctx deadline while waiting", from: 2, setup: func(l *EventLog) (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 10*time.Millisecond)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewEventLog()
			l.Append(TypeLog, map[string]any{"text": "a"})
			l.Append(TypeLog, map[string]any{"text": "b"})
			ctx, cancel := tc.setup(l)
			defer cancel()
			defer l.Close()
			var evs []Event
			var ok bool
			within(t, "Next", func() { evs, ok = l.Next(ctx, tc.from) })
			if ok || evs != nil {
				t.Errorf("got %d events, ok %v, want none, ok false", len(evs), ok)
			}
		})
	}
}

func TestEventLogClosedStillReplays(t *testing.T) {
	l := NewEventLog()
	l.Append(TypeStatus, map[string]any{"state": "running"})
	l.Close()
	l.Close() // closing twice is harmless
	if l.Append(TypeLog, map[string]any{"text": "late"}) {
		t.Errorf("Append after Close: got true, want false")
	}
	if got := l.Len(); got != 1 {
		t.Errorf("got Len %d after a refused Append, want 1", got)
	}
	evs, ok := l.Next(context.Background(), 0)
	if !ok || len(evs) != 1 {
		t.Errorf("got %d events, ok %v, want 1 event, ok true", len(evs), ok)
	}
	if got := l.Events(1); got != nil {
		t.Errorf("got Events(1) %v, want nil", got)
	}
	if got := l.Events(5); got != nil {
		t.Errorf("got Events(5) %v, want nil", got)
	}
}

func TestEventLogEventsIsACopy(t *testing.T) {
	l := NewEventLog()
	l.Append(TypeLog, map[string]any{"text": "a"})
	evs := l.Events(0)
	evs[0].Type = "changed"
	if got := l.Events(0)[0].Type; got != TypeLog {
		t.Errorf("got Type %q after changing a copy, want %q", got, TypeLog)
	}
}

func TestRestoredLog(t *testing.T) {
	src := NewEventLog()
	src.Append(TypeStatus, map[string]any{"state": "running"})
	src.Append(TypeLog, map[string]any{"text": "x"})
	src.Close()
	l := restoredLog(src.Events(0))
	got := readAll(t, l)
	if !reflect.DeepEqual(got, src.Events(0)) {
		t.Errorf("got %v, want the stored events", got)
	}
	if l.Append(TypeLog, nil) {
		t.Errorf("Append to a restored log: got true, want false")
	}
}

func TestSkip(t *testing.T) {
	ev := func(seq int64, typ, key string) Event { return Event{Seq: seq, Type: typ, Key: key} }
	tests := []struct {
		name     string
		events   []Event
		wantSeqs []int64
	}{
		{name: "none", events: nil, wantSeqs: nil},
		{name: "nothing coalescable", events: []Event{
			ev(0, TypeStatus, ""), ev(1, TypeSpan, "a"), ev(2, TypeLog, ""), ev(3, TypeSpan, "a"),
			ev(4, TypeResult, ""), ev(5, TypeError, ""), ev(6, TypeStatus, ""),
		}, wantSeqs: []int64{0, 1, 2, 3, 4, 5, 6}},
		{name: "last progress per variant", events: []Event{
			ev(0, TypeProgress, "a"), ev(1, TypeProgress, "b"), ev(2, TypeProgress, "a"),
			ev(3, TypeProgress, "a"), ev(4, TypeProgress, "b"),
		}, wantSeqs: []int64{3, 4}},
		{name: "last sample per series", events: []Event{
			ev(0, TypeSample, "goroutines"), ev(1, TypeSample, "heap_bytes"), ev(2, TypeSample, "goroutines"),
		}, wantSeqs: []int64{1, 2}},
		{name: "progress and sample with the same key are apart", events: []Event{
			ev(0, TypeProgress, "x"), ev(1, TypeSample, "x"), ev(2, TypeProgress, "x"),
		}, wantSeqs: []int64{1, 2}},
		{name: "mixed keeps order", events: []Event{
			ev(0, TypeStatus, ""), ev(1, TypeProgress, "a"), ev(2, TypeSample, "g"), ev(3, TypeLog, ""),
			ev(4, TypeProgress, "a"), ev(5, TypeSpan, "a"), ev(6, TypeSample, "g"), ev(7, TypeProgress, "b"),
			ev(8, TypeResult, ""), ev(9, TypeStatus, ""),
		}, wantSeqs: []int64{0, 3, 4, 5, 6, 7, 8, 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]Event(nil), tc.events...)
			out := Skip(in)
			var got []int64
			for _, e := range out {
				got = append(got, e.Seq)
			}
			if !reflect.DeepEqual(got, tc.wantSeqs) {
				t.Errorf("got seqs %v, want %v", got, tc.wantSeqs)
			}
			if !reflect.DeepEqual(in, tc.events) {
				t.Errorf("got input changed to %v, want it left as %v", in, tc.events)
			}
		})
	}
}

func TestCoalescable(t *testing.T) {
	tests := []struct {
		name string // the event type
		want bool
	}{
		{TypeStatus, false}, {TypeProgress, true}, {TypeSample, true}, {TypeSpan, false},
		{TypeLog, false}, {TypeResult, false}, {TypeError, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Event{Type: tc.name}).Coalescable(); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
