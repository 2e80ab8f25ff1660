package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
)

// ticker is an experiment whose trial takes a tenth of a second, showing
// progress on the way.
type ticker struct{}

func (ticker) Info() lab.Info {
	return lab.Info{ID: "ticker", Title: "Ticker", Summary: "ticks",
		Variants: []lab.Variant{{Name: "one", Baseline: true}}, Repeat: 1}
}

func (ticker) Trial(ctx context.Context, _ string, _ lab.Params, em lab.Emitter) (lab.Trial, error) {
	for i := range 5 {
		em.Progress(int64(i+1), 5, "ticks")
		select {
		case <-ctx.Done():
			return lab.Trial{}, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return lab.Trial{}, nil
}

// newManager makes a manager over the shared queue in s: serving only, or
// with one slot.
func newManager(t *testing.T, s *Store, name string, serveOnly bool) *runs.Manager {
	t.Helper()
	m, err := runs.NewManager(t.Context(), discard, s, runs.Config{
		Queue: s, Name: name, ServeOnly: serveOnly, Parallel: 1, Lease: 3 * time.Second, SaveEvery: 50 * time.Millisecond,
	}, []lab.Experiment{ticker{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return m
}

// Two managers on one database, each with a store of its own as two
// servers have: runs submitted on the one that only serves execute on
// the other, and the first follows them live from the store, seq without
// gaps, to the same events the executing one has.
func TestManagersShareQueue(t *testing.T) {
	url := newDB(t)
	web, runner := open(t, url), open(t, url)
	front := newManager(t, web, "web", true)
	back := newManager(t, runner, "runner", false)
	ctx := t.Context()
	p, err := lab.ParseJSON(ticker{}.Info(), []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 3 {
		r, err := front.Submit(ctx, "ticker", p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	for _, id := range ids {
		log, err := front.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		followed := readAll(t, log)
		for i, e := range followed {
			if e.Seq != int64(i) {
				t.Fatalf("run %s: event %d has seq %d", id, i, e.Seq)
			}
		}
		if len(followed) == 0 || !runs.FinalState(followed[len(followed)-1]) || !strings.Contains(string(followed[len(followed)-1].Data), `"done"`) {
			t.Errorf("run %s followed: got %d events, want them to end done", id, len(followed))
		}
		r, err := front.Get(ctx, id)
		if err != nil || r.Status != runs.StatusDone || !strings.HasPrefix(r.Env.Runner, "runner/") {
			t.Errorf("run %s: got %s on %q, %v, want done on runner/1", id, r.Status, r.Env.Runner, err)
		}
		stored, _ := back.Events(ctx, id)
		if got, want := len(readAll(t, stored)), len(followed); got != want {
			t.Errorf("run %s: the runner's store has %d events, the follower %d", id, got, want)
		}
	}
	if st, err := front.State(ctx, ids[0]); err != nil || st.Status != runs.StatusDone {
		t.Errorf("state: got %+v, %v, want done", st, err)
	}
	// Cancel through the server that only serves: the runner stops it.
	r, err := front.Submit(ctx, "ticker", p)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if st, _ := front.State(ctx, r.ID); st.Status == runs.StatusRunning || time.Now().After(deadline) {
			break
		}
	}
	if err := front.Cancel(ctx, r.ID); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	log, _ := front.Events(ctx, r.ID)
	all := readAll(t, log)
	var last struct{ State string }
	json.Unmarshal(all[len(all)-1].Data, &last)
	if last.State != "cancelled" && last.State != "done" {
		t.Errorf("a cancelled run ended %s, want cancelled (or done, had it finished first)", last.State)
	}
}

// readAll follows log until it is closed.
func readAll(t *testing.T, log *runs.EventLog) []runs.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var all []runs.Event
	for {
		evs, ok := log.Next(ctx, len(all))
		if !ok {
			if ctx.Err() != nil {
				t.Fatalf("log not closed after 20s: got %d events", len(all))
			}
			return all
		}
		all = append(all, evs...)
	}
}
