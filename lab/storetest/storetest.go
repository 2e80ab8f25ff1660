// Package storetest is the test suite every store of the lab passes: the
// same runs and sessions saved, replaced, reloaded after a restart and
// written from many goroutines, against SQLite and PostgreSQL alike. A
// store package's test calls Run with a Backend that opens its store.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/code"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/session"
)

// A Store is what the suite exercises: the runs, the sessions and the
// learners' files of one database.
type Store interface {
	runs.Store
	session.Store
	code.Store
}

// A Backend opens one kind of store.
type Backend struct {
	// New returns a fresh, empty place for a store (a file path, a
	// database's URL), removed when the test ends.
	New func(t *testing.T) string
	// Open opens the store at place, migrating it; the suite closes it.
	Open func(ctx context.Context, place string) (Store, error)
}

// Run runs the whole suite against b, each case as a subtest.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		f    func(*testing.T, Backend)
	}{
		{"RoundTrip", testRoundTrip},
		{"SaveEventsIdempotent", testSaveEventsIdempotent},
		{"SaveEventsUnknownRun", testSaveEventsUnknownRun},
		{"Restart", testRestart},
		{"Interrupt", testInterrupt},
		{"LoadRunNotFound", testLoadRunNotFound},
		{"Concurrent", testConcurrent},
		{"SessionRoundTrip", testSessionRoundTrip},
		{"Code", testCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, b) })
	}
}

// open opens the store at place and closes it when the test ends.
func open(t *testing.T, b Backend, place string) Store {
	t.Helper()
	s, err := b.Open(t.Context(), place)
	if err != nil {
		t.Fatalf("open %s: %v", place, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// reopen closes s and opens place again, as a restarted server does.
func reopen(t *testing.T, b Backend, s Store, place string) Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return open(t, b, place)
}

// openOnce opens a store the test closes itself (see reopen).
func openOnce(t *testing.T, b Backend, place string) Store {
	t.Helper()
	s, err := b.Open(t.Context(), place)
	if err != nil {
		t.Fatalf("open %s: %v", place, err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// FullRun returns a run with every field set. Times are UTC and numbers in
// maps float64, so the JSON round trip gives back exactly this value.
func FullRun(id string, status runs.Status) runs.Run {
	created := time.Date(2025, 3, 4, 5, 6, 7, 890123000, time.UTC)
	return runs.Run{
		ID:         id,
		Experiment: "mutex-vs-atomic",
		Params:     map[string]any{"n": 1000.0, "workers": 8.0, "mode": "fast", "flags": []any{"a", "b"}},
		Status:     status,
		Created:    created,
		Started:    ptr(created.Add(time.Second)),
		Finished:   ptr(created.Add(3 * time.Second)),
		Result: &lab.Result{
			Verdict: "atomic was fastest: 1.2 ms, 3.40x the baseline.",
			Variants: []lab.VariantResult{
				{
					Name: "mutex", Baseline: true, MedianMs: 4.08, MinMs: 3.9, MaxMs: 5.1, Speedup: 1,
					Correct: ptr(true), Expected: ptr[int64](8000), Got: ptr[float64](8000),
					Trials: []lab.TrialResult{
						{Ms: 4.08, Expected: ptr[int64](8000), Got: ptr[int64](8000)},
						{Ms: 3.9, Expected: ptr[int64](8000), Got: ptr[int64](8000), Extra: map[string]any{"gc": 2.0}},
					},
					Peaks: map[string]any{"goroutines": 9.0, "heap_mb": 1.5},
				},
				{
					Name: "racy", MedianMs: 1.1, MinMs: 1, MaxMs: 1.3, Speedup: 3.709,
					Correct: ptr(false), Expected: ptr[int64](8000), Got: ptr[float64](7431),
					Trials: []lab.TrialResult{{Ms: 1.1, Got: ptr[int64](7431)}},
					Peaks:  map[string]any{},
					Extra:  map[string]any{"note": "lost updates \u00e9\u0000<b>", "lost": 569.0},
				},
				{Name: "noop", Trials: []lab.TrialResult{}, Peaks: map[string]any{}}, // nil pointers
			},
		},
		Error: "",
		Env:   lab.Env{GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", NumCPU: 8, GOMAXPROCS: 8, InFlight: 2},
	}
}

// EventAt returns event seq of a run's stream, as lab would encode it.
func EventAt(seq int64) runs.Event {
	typ, key := event.TypeProgress, fmt.Sprintf("v%d", seq%3)
	if seq == 0 {
		typ, key = event.TypeStatus, ""
	}
	data := fmt.Sprintf(`{"seq":%d,"t":%d.5,"type":%q,"variant":%q,"done":[1,2]}`, seq, seq, typ, key)
	return runs.Event{Seq: seq, Type: typ, Key: key, Data: json.RawMessage(data)}
}

// Events returns the events with the given seqs.
func Events(seqs ...int64) []runs.Event {
	es := make([]runs.Event, len(seqs))
	for i, s := range seqs {
		es[i] = EventAt(s)
	}
	return es
}

// Span returns from, from+1, ..., to-1.
func Span(from, to int64) []int64 {
	var s []int64
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// CheckEvents compares events field by field, Data as JSON values.
func CheckEvents(t *testing.T, got, want []runs.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.Type != w.Type || g.Key != w.Key {
			t.Errorf("event %d: got seq %d type %q key %q, want seq %d type %q key %q",
				i, g.Seq, g.Type, g.Key, w.Seq, w.Type, w.Key)
		}
		var gv, wv any
		if err := json.Unmarshal(g.Data, &gv); err != nil {
			t.Fatalf("event %d: data %s: %v", i, g.Data, err)
		}
		if err := json.Unmarshal(w.Data, &wv); err != nil {
			t.Fatalf("event %d: want data %s: %v", i, w.Data, err)
		}
		if !reflect.DeepEqual(gv, wv) {
			t.Errorf("event %d: got data %s, want %s", i, g.Data, w.Data)
		}
	}
}

// CheckRun loads want.ID from s and compares it with want.
func CheckRun(t *testing.T, s runs.Store, want runs.Run) {
	t.Helper()
	got, err := s.LoadRun(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("LoadRun(%s): %v", want.ID, err)
	}
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Errorf("LoadRun(%s):\ngot  %s\nwant %s", want.ID, gj, wj)
	}
}

// CheckLoadEvents loads run id's events from s and compares them with want.
func CheckLoadEvents(t *testing.T, s runs.Store, id string, want []runs.Event) {
	t.Helper()
	got, err := s.LoadEvents(t.Context(), id)
	if err != nil {
		t.Fatalf("LoadEvents(%s): %v", id, err)
	}
	CheckEvents(t, got, want)
}
