package runs

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"
)

// heldStore is a MemStore that holds the storing of a finished run's
// events until the test releases it.
type heldStore struct {
	*MemStore
	holding chan struct{} // receives once a finished run's save has begun
	release chan struct{} // closed by the test
}

func (s *heldStore) SaveEvents(ctx context.Context, id string, events []Event) error {
	for _, e := range events {
		if finalStatus(e) {
			s.holding <- struct{}{}
			<-s.release
			break
		}
	}
	return s.MemStore.SaveEvents(ctx, id, events)
}

// finalStatus reports whether e is a status event announcing a final state.
func finalStatus(e Event) bool {
	if e.Type != event.TypeStatus {
		return false
	}
	var body struct {
		State Status `json:"state"`
	}
	return json.Unmarshal(e.Data, &body) == nil && body.State.Final()
}

func TestManagerStoresBeforeAnnouncing(t *testing.T) {
	g := newGate()
	store := &heldStore{MemStore: NewMemStore(), holding: make(chan struct{}), release: make(chan struct{})}
	m, err := NewManager(context.Background(), slog.New(slog.DiscardHandler), store, Config{}, []lab.Experiment{&fakeExp{info: fakeInfo(), trial: g.trial}})
	if err != nil {
		t.Fatalf("NewManager: got error %v, want none", err)
	}
	defer m.Shutdown(context.Background())
	r := submit(t, m, "A")
	g.expect(t, "A").reply <- reply{trial: lab.Trial{Elapsed: time.Millisecond}}
	select {
	case <-store.holding:
	case <-time.After(waitTimeout):
		t.Fatalf("the finished run was not stored within %s", waitTimeout)
	}
	// The store has not returned: nothing may say the run is over.
	if got := get(t, m, r.ID).Status; got.Final() {
		t.Errorf("Get while storing: got status %q, want it not final yet", got)
	}
	log := events(t, m, r.ID)
	for _, e := range log.Events(0) {
		if finalStatus(e) {
			t.Errorf("while storing, the stream already holds %s", e.Data)
		}
	}
	close(store.release)
	evs := readAll(t, log)
	if got := statuses(t, evs); got[len(got)-1] != "done" {
		t.Fatalf("got statuses %v, want done last", got)
	}
	saved, err := store.LoadEvents(context.Background(), r.ID)
	if err != nil {
		t.Fatalf("LoadEvents: got error %v, want none", err)
	}
	if len(saved) != len(evs) {
		t.Errorf("stored %d events, announced %d: want the same", len(saved), len(evs))
	}
	if run, err := store.LoadRun(context.Background(), r.ID); err != nil || run.Status != StatusDone {
		t.Errorf("LoadRun: got %q, %v, want done", run.Status, err)
	}
	if got := get(t, m, r.ID).Status; got != StatusDone {
		t.Errorf("Get after: got %q, want done", got)
	}
}

func TestManagerStoresEventsWhileRunning(t *testing.T) {
	m, store, g := gated(t, Config{SaveEvery: 5 * time.Millisecond})
	r := submit(t, m, "A")
	c := g.expect(t, "A") // the run is running, its trial held
	deadline := time.Now().Add(waitTimeout)
	for {
		saved, err := store.LoadEvents(context.Background(), r.ID)
		if err != nil {
			t.Fatalf("LoadEvents: got error %v, want none", err)
		}
		if got := statuses(t, saved); slices.Contains(got, "running") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s a running run's store holds %d events, want its running status among them", waitTimeout, len(saved))
		}
		time.Sleep(time.Millisecond)
	}
	c.reply <- reply{trial: lab.Trial{Elapsed: time.Millisecond}}
	evs := finished(t, m, r.ID)
	stored(t, m, r.ID)
	saved, _ := store.LoadEvents(context.Background(), r.ID)
	if len(saved) != len(evs) {
		t.Errorf("stored %d events, the run showed %d: want every one once", len(saved), len(evs))
	}
}

func TestManagerShutdownTellsQueuedRuns(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 1})
	submit(t, m, "A")
	b := submit(t, m, "B")
	g.expect(t, "A")
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: got error %v, want none", err)
	}
	evs := readAll(t, events(t, m, b.ID))
	if got := errorMessages(t, evs); !slices.Contains(got, "the server stopped before the run started") {
		t.Errorf("a queued run cut by shutdown: got error events %q, want one saying the server stopped", got)
	}
}
