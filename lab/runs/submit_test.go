package runs

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"concurrencylab/lab"
)

// slowStore holds every SaveRun of a queued run until release is closed,
// as a database that has gone away does.
type slowStore struct {
	*MemStore
	saving  chan struct{} // gets a value when a SaveRun begins waiting
	release chan struct{}
}

func (s *slowStore) SaveRun(ctx context.Context, r Run) error {
	if r.Status == StatusQueued {
		s.saving <- struct{}{}
		<-s.release
	}
	return s.MemStore.SaveRun(ctx, r)
}

// A run being stored holds its place in the queue but not the manager:
// every other call goes on while the store is slow.
func TestSubmitStoresOutsideTheLock(t *testing.T) {
	store := &slowStore{MemStore: NewMemStore(), saving: make(chan struct{}), release: make(chan struct{})}
	g := newGate()
	m, err := NewManager(context.Background(), slog.New(slog.DiscardHandler), store,
		Config{MaxQueue: 1}, []lab.Experiment{&fakeExp{info: fakeInfo(), trial: g.trial}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := m.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	}()
	exp, _ := m.Experiment("fake")
	p, err := lab.ParseMap(exp.Info(), map[string]string{"tag": "A", "variants": "v1"})
	if err != nil {
		t.Fatal(err)
	}
	submitted := make(chan error, 1)
	go func() {
		_, err := m.Submit(context.Background(), "fake", p)
		submitted <- err
	}()
	select {
	case <-store.saving:
	case <-time.After(waitTimeout):
		t.Fatal("Submit never stored the run")
	}
	answered := make(chan struct{})
	go func() {
		m.Queue()
		m.Get(context.Background(), "nosuchrun")
		close(answered)
	}()
	select {
	case <-answered:
	case <-time.After(waitTimeout):
		t.Fatal("Queue and Get waited for a Submit's store")
	}
	// The queue's one place is taken by the run being stored.
	if _, err := m.Submit(context.Background(), "fake", p); !errors.Is(err, ErrQueueFull) {
		t.Errorf("a second run while the first is stored: got %v, want ErrQueueFull", err)
	}
	close(store.release)
	if err := <-submitted; err != nil {
		t.Fatalf("Submit: %v", err)
	}
	g.expect(t, "A").reply <- reply{}
}
