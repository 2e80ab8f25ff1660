package session

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowLoads is a store whose LoadSession of one code waits for release,
// as a database that has gone away does, and counts the loads of it.
type slowLoads struct {
	*MemStore
	code    string
	loads   atomic.Int32
	release chan struct{}
}

func (s *slowLoads) LoadSession(ctx context.Context, code string) (Record, error) {
	if code == s.code {
		s.loads.Add(1)
		<-s.release
	}
	return s.MemStore.LoadSession(ctx, code)
}

// A session read slowly from the store holds up only the requests for
// it, and they share one read.
func TestSlowLoadHoldsOnlyItsCode(t *testing.T) {
	store := &slowLoads{MemStore: NewMemStore(), release: make(chan struct{})}
	f := newFixture(t, store)
	ctx := t.Context()
	slow, err := f.svc.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	quick, err := f.svc.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Out of memory, as after a restart: the next use reads the store.
	f.svc.mu.Lock()
	clear(f.svc.rooms)
	f.svc.mu.Unlock()
	store.code = slow.Code

	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := f.svc.View(ctx, slow.Code); err != nil {
				t.Errorf("View(%s): %v", slow.Code, err)
			}
		})
	}
	for store.loads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan error, 1)
	go func() { _, err := f.svc.View(ctx, quick.Code); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("View(%s): %v", quick.Code, err)
		}
	case <-time.After(waitTimeout):
		t.Error("another session waited for a slow read of the first")
	}
	time.Sleep(10 * time.Millisecond) // the other readers of slow join the one read
	close(store.release)
	wg.Wait()
	if n := store.loads.Load(); n != 1 {
		t.Errorf("got %d reads of session %s, want 1 shared by every request", n, slow.Code)
	}
}
