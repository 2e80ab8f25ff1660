package session

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"concurrencylab/lab"
)

// ErrCodeTaken is returned by Store.CreateSession when the code is in use.
var ErrCodeTaken = errors.New("session: room code already in use")

// State is the part of a session that changes as the instructor drives it.
type State struct {
	Round      int         `json:"round"` // pushes so far
	Push       *Push       `json:"push"`
	Run        *RoomRun    `json:"run"`
	Ask        *Ask        `json:"ask"`
	Prediction *Prediction `json:"prediction"` // without guesses: they are kept apart
	Spotlight  *Spotlight  `json:"spotlight"`
	// Asks and Predictions number them, so a page can tell a new one from
	// the one it has.
	Asks        int `json:"asks"`
	Predictions int `json:"predictions"`
	// Ended is when the instructor ended the session; nil while it runs.
	Ended *time.Time `json:"ended,omitempty"`
}

// A Record is a stored session.
type Record struct {
	ID      string
	Code    string
	KeyHash string
	Created time.Time
	State   State
	// Learners in the order they joined, the board's entries in the order
	// they were made, and the guesses of State.Prediction.
	Learners []Learner
	Entries  []Entry
	Guesses  []Guess
}

// A Store keeps sessions. Every method is safe for concurrent use.
type Store interface {
	// CreateSession stores a new session; ErrCodeTaken if its code is.
	CreateSession(ctx context.Context, r Record) error
	// LoadSession returns the session with the code, with its learners,
	// entries and the guesses of its current prediction; an error
	// wrapping lab.ErrNotFound if there is none.
	LoadSession(ctx context.Context, code string) (Record, error)
	// SaveState replaces the state of session id.
	SaveState(ctx context.Context, id string, st State) error
	// SaveLearner inserts or replaces a learner of session id.
	SaveLearner(ctx context.Context, id string, l Learner) error
	// SaveEntry inserts or replaces a board entry of session id (by run).
	SaveEntry(ctx context.Context, id string, e Entry) error
	// SaveGuess inserts or replaces a learner's guess (by prediction and
	// learner).
	SaveGuess(ctx context.Context, id string, g Guess) error
}

// MemStore is a Store in memory, for tests and throwaway servers.
type MemStore struct {
	mu       sync.Mutex // guards sessions
	sessions map[string]*Record
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{sessions: make(map[string]*Record)} }

// CreateSession implements Store.
func (m *MemStore) CreateSession(_ context.Context, r Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sessions[r.Code]; ok {
		return ErrCodeTaken
	}
	m.sessions[r.Code] = &r
	return nil
}

// LoadSession implements Store.
func (m *MemStore) LoadSession(_ context.Context, code string) (Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.sessions[code]
	if !ok {
		return Record{}, lab.ErrNotFound
	}
	out := *r
	out.Learners = slices.Clone(r.Learners)
	out.Entries = slices.Clone(r.Entries)
	out.Guesses = nil
	if p := r.State.Prediction; p != nil {
		for _, g := range r.Guesses {
			if g.Prediction == p.ID {
				out.Guesses = append(out.Guesses, g)
			}
		}
	}
	return out, nil
}

func (m *MemStore) byID(id string) *Record {
	for _, r := range m.sessions {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// SaveState implements Store.
func (m *MemStore) SaveState(_ context.Context, id string, st State) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.byID(id)
	if r == nil {
		return lab.ErrNotFound
	}
	r.State = st
	return nil
}

// SaveLearner implements Store.
func (m *MemStore) SaveLearner(_ context.Context, id string, l Learner) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.byID(id)
	if r == nil {
		return lab.ErrNotFound
	}
	l.Connected = false
	r.Learners = upsert(r.Learners, l, func(x Learner) bool { return x.ID == l.ID })
	return nil
}

// SaveEntry implements Store.
func (m *MemStore) SaveEntry(_ context.Context, id string, e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.byID(id)
	if r == nil {
		return lab.ErrNotFound
	}
	r.Entries = upsert(r.Entries, e, func(x Entry) bool { return x.Run == e.Run })
	return nil
}

// SaveGuess implements Store.
func (m *MemStore) SaveGuess(_ context.Context, id string, g Guess) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.byID(id)
	if r == nil {
		return lab.ErrNotFound
	}
	r.Guesses = upsert(r.Guesses, g, func(x Guess) bool { return x.Prediction == g.Prediction && x.Learner == g.Learner })
	return nil
}
