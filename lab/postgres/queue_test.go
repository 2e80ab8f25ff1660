package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runs"
)

// queuedRun returns a fresh queued run of race.
func queuedRun(id string) runs.Run {
	return runs.Run{ID: id, Experiment: "race", Params: map[string]any{"repeat": 1}, Status: runs.StatusQueued, Created: time.Now().UTC()}
}

var limits = runs.Queued{Cores: 1, MaxQueue: 3, AnonLimit: 2, PerClient: 1}

// begin marks a claimed run running, as a manager does.
func begin(r *runs.Run, stored []runs.Event) []runs.Event {
	now := time.Now().UTC()
	r.Status, r.Started = runs.StatusRunning, &now
	return []runs.Event{runs.EncodeEvent(int64(len(stored)), time.Since(r.Created), event.Status{State: "running"})}
}

func positions(t *testing.T, s *Store, id string) []int {
	t.Helper()
	evs, err := s.EventsFrom(t.Context(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for i, e := range evs {
		if e.Seq != int64(i) {
			t.Errorf("run %s: event %d has seq %d", id, i, e.Seq)
		}
		var st struct {
			State    string
			Position int
		}
		json.Unmarshal(e.Data, &st)
		if st.State == "queued" {
			out = append(out, st.Position)
		}
	}
	return out
}

// The shared queue: runs are claimed in order of submission, never twice;
// the line's limits hold; positions move as runs leave it; a queued run
// cancelled ends at once and a running one is asked to stop; a run whose
// lease runs out is interrupted and its runner loses it.
func TestSharedQueue(t *testing.T) {
	ctx := t.Context()
	s := open(t, newDB(t))
	ask := runs.Ask{Runner: "r1", Slots: 1, Cores: 1, Experiments: []string{"race"}}
	for i, id := range []string{"q1", "q2", "q3"} {
		q := limits
		if i == 0 {
			q.Client = "10.0.0.1"
		}
		if err := s.Enqueue(ctx, queuedRun(id), q); err != nil {
			t.Fatalf("enqueue %s: %v", id, err)
		}
	}
	if err := s.Enqueue(ctx, queuedRun("q4"), limits); !errors.Is(err, runs.ErrQueueFull) {
		t.Errorf("a fourth run in a line of 3: got %v, want ErrQueueFull", err)
	}
	if st, err := s.State(ctx, "q3"); err != nil || st.Position != 3 {
		t.Errorf("state of q3: got %+v, %v, want position 3", st, err)
	}

	seen := make(chan string, 2)
	for range 2 { // two claims at once take two different runs, the oldest
		go func() {
			r, _, ok, err := s.Claim(ctx, ask, time.Minute, begin)
			if err != nil || !ok {
				seen <- fmt.Sprint(ok, err)
				return
			}
			seen <- r.ID
		}()
	}
	a, b := <-seen, <-seen
	if !(a == "q1" && b == "q2" || a == "q2" && b == "q1") {
		t.Fatalf("two claims: got %s and %s, want q1 and q2", a, b)
	}
	if err := s.Announce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := positions(t, s, "q3"); fmt.Sprint(got) != "[3 1]" {
		t.Errorf("q3's positions: got %v, want [3 1]", got)
	}
	if _, _, ok, err := s.Claim(ctx, runs.Ask{Runner: "r2", Cores: 1, Experiments: []string{"primes"}}, time.Minute, begin); ok || err != nil {
		t.Errorf("a claim for another experiment: got %v, %v, want none", ok, err)
	}

	// Cancel: queued ends at once, running is flagged for its runner.
	if stopped, err := s.Cancel(ctx, "q3"); !stopped || err != nil {
		t.Errorf("cancel queued q3: got %v, %v, want stopped", stopped, err)
	}
	if stopped, err := s.Cancel(ctx, "q1"); stopped || err != nil {
		t.Errorf("cancel running q1: got %v, %v, want flagged", stopped, err)
	}
	if _, err := s.Cancel(ctx, "q3"); !errors.Is(err, runs.ErrFinished) {
		t.Errorf("cancel q3 again: got %v, want ErrFinished", err)
	}
	if _, err := s.Cancel(ctx, "nosuch"); !errors.Is(err, lab.ErrNotFound) {
		t.Errorf("cancel an unknown run: got %v, want ErrNotFound", err)
	}
	cancel, lost, err := s.Heartbeat(ctx, ask, []string{"q1", "q2", "gone"}, 2*time.Second)
	if err != nil || fmt.Sprint(cancel) != "[q1]" || fmt.Sprint(lost) != "[gone]" {
		t.Errorf("heartbeat: got cancel %v, lost %v, %v, want [q1], [gone]", cancel, lost, err)
	}

	// q2's lease runs out: it is interrupted, and its runner has lost it.
	if _, err := s.pool.Exec(ctx, `UPDATE runs SET lease = now() - interval '1s' WHERE id = 'q2'`); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Reap(ctx); n != 1 || err != nil {
		t.Errorf("reap: got %d, %v, want 1", n, err)
	}
	if r, err := s.LoadRun(ctx, "q2"); err != nil || r.Status != runs.StatusInterrupted {
		t.Errorf("q2 after its lease: got %v, %v, want interrupted", r.Status, err)
	}
	next := runs.EncodeEvent(2, time.Second, event.Log{Text: "late"})
	if err := s.Save(ctx, "r1", "q2", []runs.Event{next}); !errors.Is(err, runs.ErrLost) {
		t.Errorf("save after the lease: got %v, want ErrLost", err)
	}
	positions(t, s, "q2") // seq without gaps, the late event refused
}

// open opens the store on url, closed when the test ends.
func open(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(t.Context(), discard, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
