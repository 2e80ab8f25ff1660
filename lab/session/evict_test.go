package session

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// evictAll evicts every idle room from memory now.
func evictAll(t *testing.T, s *Service) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	idle := s.idleFor
	s.idleFor = 0
	s.evictLocked(0)
	s.idleFor = idle
}

func inMemory(s *Service, code string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.rooms[code]
	return ok
}

// TestEvictionCap: memory holds at most maxRooms sessions; an idle one
// makes way (least recently used first) and comes back from the store as
// it was; when every one is in use, a new one is ErrTooMany.
func TestEvictionCap(t *testing.T) {
	f := newFixture(t, NewMemStore())
	f.svc.maxRooms = 2
	ctx := t.Context()
	a, _ := f.svc.Create(ctx)
	b, _ := f.svc.Create(ctx)
	c, _ := f.svc.Create(ctx)
	subA, _, err := f.svc.Subscribe(ctx, a.Code) // a has an open socket
	if err != nil {
		t.Fatal(err)
	}
	defer subA.Close()
	bo, _, err := f.svc.Join(ctx, b.Code, "Bo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.View(ctx, c.Code); err != nil {
		t.Fatalf("a third session with one idle: got %v, want it loaded", err)
	}
	if !inMemory(f.svc, a.Code) || inMemory(f.svc, b.Code) || !inMemory(f.svc, c.Code) {
		t.Errorf("in memory: want a (subscribed) and c, b evicted")
	}
	subC, _, _ := f.svc.Subscribe(ctx, c.Code)
	if _, err := f.svc.View(ctx, b.Code); !errors.Is(err, ErrTooMany) {
		t.Errorf("a third session with two in use: got %v, want ErrTooMany", err)
	}
	if _, err := f.svc.Create(ctx); !errors.Is(err, ErrTooMany) {
		t.Errorf("create with two in use: got %v, want ErrTooMany", err)
	}
	subC.Close()
	v, err := f.svc.View(ctx, b.Code)
	if err != nil {
		t.Fatalf("b once c is idle: %v", err)
	}
	if len(v.Learners) != 1 || v.Learners[0].ID != bo.ID {
		t.Errorf("b back from the store: got learners %+v, want Bo", v.Learners)
	}
}

// TestEvictionIdle: a session nobody has used for idleFor leaves memory,
// unless a socket is open or a learner's run is being watched; a caller
// holding an evicted room changes the one in memory instead.
func TestEvictionIdle(t *testing.T) {
	f := newFixture(t, NewMemStore()) // the gate stays shut
	f.svc.idleFor = 20 * time.Millisecond
	ctx := t.Context()
	idle, _ := f.svc.Create(ctx)
	open, _ := f.svc.Create(ctx)
	busy, _ := f.svc.Create(ctx)
	old, _ := f.svc.room(ctx, idle.Code)
	sub, _, _ := f.svc.Subscribe(ctx, open.Code)
	defer sub.Close()
	l, tok, _ := f.svc.Join(ctx, busy.Code, "Cy")
	f.svc.Push(ctx, busy.Code, busy.Key, "counter", nil, true)
	if _, err := f.svc.SubmitRun(ctx, busy.Code, l.ID, tok, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * f.svc.idleFor)
	f.svc.mu.Lock()
	f.svc.swept = time.Time{} // due for a sweep
	f.svc.mu.Unlock()
	f.svc.View(ctx, open.Code)
	if inMemory(f.svc, idle.Code) || !inMemory(f.svc, open.Code) || !inMemory(f.svc, busy.Code) {
		t.Errorf("after idleFor: want the idle session evicted, the subscribed and the busy one kept")
	}
	if !old.evicted {
		t.Errorf("the evicted room is not marked")
	}
	// Changes reach the room in memory, and its subscribers.
	if _, _, err := f.svc.Join(ctx, idle.Code, "Di"); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.svc.View(ctx, idle.Code); len(v.Learners) != 1 || len(old.learners) != 0 {
		t.Errorf("join after eviction: got %d learners in memory and %d in the evicted room, want 1 and 0", len(v.Learners), len(old.learners))
	}
}

// TestCloseRefusesWatchers: sessions loaded while Close runs start no
// watcher once it has begun (the race detector would see a WaitGroup.Add
// racing the Wait), and a subscription after Close ends at once.
func TestCloseRefusesWatchers(t *testing.T) {
	store := NewMemStore()
	f := newFixture(t, store) // the gate stays shut: the runs stay live
	ctx := t.Context()
	var codes []string
	for range 20 {
		c, _ := f.svc.Create(ctx)
		l, tok, _ := f.svc.Join(ctx, c.Code, "Ed")
		f.svc.Push(ctx, c.Code, c.Key, "counter", nil, true)
		if _, err := f.svc.SubmitRun(ctx, c.Code, l.ID, tok, nil); err != nil {
			t.Fatal(err)
		}
		codes = append(codes, c.Code)
	}
	// A second service on the store (a restart) watches each live entry
	// as it loads the session; it closes meanwhile.
	g := newFixture(t, store)
	g.open()
	var wg sync.WaitGroup
	for _, code := range codes {
		wg.Go(func() { g.svc.View(ctx, code) })
	}
	wg.Go(g.svc.Close)
	wg.Wait()
	g.svc.Close()
	sub, _, err := g.svc.Subscribe(ctx, codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := <-sub.C(); ok {
		t.Errorf("a subscription after Close: got an event, want it ended")
	}
}
