package runs

import (
	"concurrencylab/lab/event"
	"context"
	"fmt"
	"reflect"
	"strings"
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
	eta := 12.0
	tests := []struct {
		name     string
		body     event.Body // appended with Append, or
		raw      string     // with appendRaw, already encoded
		typ      string
		wantKey  string
		wantBody string // the fields after seq, t and type
	}{
		{name: "status", body: event.Status{State: "queued", Position: 2, EtaS: &eta}, typ: "status", wantBody: `"state":"queued","position":2,"eta_s":12`},
		{name: "status without a place", body: event.Status{State: "running"}, typ: "status", wantBody: `"state":"running"`},
		{name: "progress keyed by variant", body: event.Progress{Variant: "mutex", Done: 3, Total: 10, Unit: "items"}, typ: "progress", wantKey: "mutex", wantBody: `"variant":"mutex","done":3,"total":10,"unit":"items"`},
		{name: "sample keyed by series", body: event.Sample{Series: "goroutines", Value: 7.5}, typ: "sample", wantKey: "goroutines", wantBody: `"series":"goroutines","value":7.5`},
		{name: "error", body: event.Error{Message: "no"}, typ: "error", wantBody: `"message":"no"`},
		{name: "raw span passed on as sent", raw: `{"variant":"mutex","trial":0,"worker":1,"start":1.5,"end":2,"label":"work"}`, typ: "span", wantBody: `"variant":"mutex","trial":0,"worker":1,"start":1.5,"end":2,"label":"work"}`},
		{name: "raw empty body", raw: `{}`, typ: "log", wantBody: ``},
	}
	l := NewEventLog()
	for _, tc := range tests {
		ok := false
		if tc.body != nil {
			ok = l.Append(tc.body)
		} else {
			ok = l.appendRaw(tc.typ, tc.wantKey, []byte(tc.raw))
		}
		if !ok {
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
			if e.Type != tc.typ || e.Key != tc.wantKey {
				t.Errorf("got Type %q Key %q, want %q %q", e.Type, e.Key, tc.typ, tc.wantKey)
			}
			f := fields(t, e)
			prefix := fmt.Sprintf(`{"seq":%d,"t":%v,"type":%q`, i, f["t"], tc.typ)
			want := prefix + "}"
			if tc.wantBody != "" {
				want = prefix + "," + strings.TrimSuffix(tc.wantBody, "}") + "}"
			}
			if string(e.Data) != want {
				t.Errorf("got %s, want %s", e.Data, want)
			}
		})
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
			if got := event.Ms(tc.d); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEventLogLateReader(t *testing.T) {
	l := NewEventLog()
	for i := range 5 {
		l.Append(event.Log{Text: fmt.Sprint("early ", i)})
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
	l.Append(event.Log{Text: "live"})
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

	l.Append(event.Log{Text: "last"})
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
				var b event.Body = event.Log{Text: fmt.Sprint(w, " ", i)}
				if i%3 == 0 {
					b = event.Progress{Variant: fmt.Sprint("w", w), Done: int64(i), Total: int64(w)}
				}
				if !l.Append(b) {
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
		var w, i float64
		if text, ok := f["text"].(string); ok {
			fmt.Sscan(text, &w, &i)
		} else {
			w, i = f["total"].(float64), f["done"].(float64)
		}
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
			l.Append(event.Log{Text: "a"})
			l.Append(event.Log{Text: "b"})
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
	l.Append(event.Status{State: "running"})
	l.Close()
	l.Close() // closing twice is harmless
	if l.Append(event.Log{Text: "late"}) {
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
	l.Append(event.Log{Text: "a"})
	evs := l.Events(0)
	evs[0].Type = "changed"
	if got := l.Events(0)[0].Type; got != event.TypeLog {
		t.Errorf("got Type %q after changing a copy, want %q", got, event.TypeLog)
	}
}

func TestRestoredLog(t *testing.T) {
	src := NewEventLog()
	src.Append(event.Status{State: "running"})
	src.Append(event.Log{Text: "x"})
	src.Close()
	l := restoredLog(src.Events(0))
	got := readAll(t, l)
	if !reflect.DeepEqual(got, src.Events(0)) {
		t.Errorf("got %v, want the stored events", got)
	}
	if l.Append(event.Log{}) {
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
			ev(0, event.TypeStatus, ""), ev(1, event.TypeSpan, "a"), ev(2, event.TypeLog, ""), ev(3, event.TypeSpan, "a"),
			ev(4, event.TypeResult, ""), ev(5, event.TypeError, ""), ev(6, event.TypeStatus, ""),
		}, wantSeqs: []int64{0, 1, 2, 3, 4, 5, 6}},
		{name: "last progress per variant", events: []Event{
			ev(0, event.TypeProgress, "a"), ev(1, event.TypeProgress, "b"), ev(2, event.TypeProgress, "a"),
			ev(3, event.TypeProgress, "a"), ev(4, event.TypeProgress, "b"),
		}, wantSeqs: []int64{3, 4}},
		{name: "last sample per series", events: []Event{
			ev(0, event.TypeSample, "goroutines"), ev(1, event.TypeSample, "heap_bytes"), ev(2, event.TypeSample, "goroutines"),
		}, wantSeqs: []int64{1, 2}},
		{name: "progress and sample with the same key are apart", events: []Event{
			ev(0, event.TypeProgress, "x"), ev(1, event.TypeSample, "x"), ev(2, event.TypeProgress, "x"),
		}, wantSeqs: []int64{1, 2}},
		{name: "mixed keeps order", events: []Event{
			ev(0, event.TypeStatus, ""), ev(1, event.TypeProgress, "a"), ev(2, event.TypeSample, "g"), ev(3, event.TypeLog, ""),
			ev(4, event.TypeProgress, "a"), ev(5, event.TypeSpan, "a"), ev(6, event.TypeSample, "g"), ev(7, event.TypeProgress, "b"),
			ev(8, event.TypeResult, ""), ev(9, event.TypeStatus, ""),
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
		{event.TypeStatus, false}, {event.TypeProgress, true}, {event.TypeSample, true}, {event.TypeSpan, false},
		{event.TypeLog, false}, {event.TypeResult, false}, {event.TypeError, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Event{Type: tc.name}).Coalescable(); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
