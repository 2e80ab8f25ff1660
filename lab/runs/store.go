package runs

import (
	"concurrencylab/lab"
	"context"
	"slices"
	"sync"
)

// A Store keeps runs and their events, so permalinks outlive the process.
type Store interface {
	// SaveRun inserts or replaces the run's record.
	SaveRun(ctx context.Context, r Run) error
	// SaveEvents stores events of run id; events already stored (by seq)
	// are left as they are.
	SaveEvents(ctx context.Context, id string, events []Event) error
	// LoadRun returns the run, or ErrNotFound.
	LoadRun(ctx context.Context, id string) (Run, error)
	// LoadEvents returns the run's events in seq order.
	LoadEvents(ctx context.Context, id string) ([]Event, error)
	// Interrupt marks every queued or running run interrupted (after a
	// restart) and returns how many there were.
	Interrupt(ctx context.Context) (int, error)
	// Close releases the store.
	Close() error
}

// MemStore is a Store in memory, for tests and throwaway servers.
type MemStore struct {
	mu     sync.Mutex // guards runs and events
	runs   map[string]Run
	events map[string][]Event
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{runs: make(map[string]Run), events: make(map[string][]Event)}
}

// SaveRun implements Store.
func (s *MemStore) SaveRun(_ context.Context, r Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs[r.ID] = r
	return nil
}

// SaveEvents implements Store.
func (s *MemStore) SaveEvents(_ context.Context, id string, events []Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	have := s.events[id]
	for _, e := range events {
		if int(e.Seq) == len(have) {
			have = append(have, e)
		}
	}
	s.events[id] = have
	return nil
}

// LoadRun implements Store.
func (s *MemStore) LoadRun(_ context.Context, id string) (Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[id]
	if !ok {
		return Run{}, lab.ErrNotFound
	}
	return r, nil
}

// LoadEvents implements Store.
func (s *MemStore) LoadEvents(_ context.Context, id string) ([]Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events[id]), nil
}

// Interrupt implements Store.
func (s *MemStore) Interrupt(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, r := range s.runs {
		if !r.Status.Final() {
			r.Status = StatusInterrupted
			s.runs[id] = r
			n++
		}
	}
	return n, nil
}

// Close implements Store.
func (s *MemStore) Close() error { return nil }
