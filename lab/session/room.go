package session

// A room is one session in memory, and the Service's ways of finding,
// locking, changing and saving it.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
)

// room is one session in memory.
type room struct {
	id, code, keyHash string
	created           time.Time
	used              atomic.Int64 // when last used, in Unix nanoseconds (for eviction)

	mu        sync.Mutex // guards every field below
	evicted   bool       // no longer in Service.rooms: look the room up again
	state     State
	learners  []*Learner          // in the order they joined
	byID      map[string]*Learner // learners by id
	names     map[string]int      // learners per folded name, for labels
	conns     map[string]int      // open pages per learner id
	entries   []*Entry            // the board, in the order runs were made
	byRun     map[string]*Entry
	live      map[string]int   // queued or running runs per learner id
	guesses   map[string]Guess // the current prediction's, by learner id
	subs      map[*Subscription]struct{}
	watchDone map[string]chan struct{} // runs being watched, closed when stored
}

// room returns the session with the code, loading it from the store if it
// is not in memory. The error wraps lab.ErrNotFound for an unknown code,
// and is ErrTooMany if memory is full of sessions in use. A room that is
// to be changed must be locked with lockRoom instead, which makes sure it
// has not been evicted meanwhile.
func (s *Service) room(ctx context.Context, code string) (*room, error) {
	code, ok := NormalizeCode(code)
	if !ok {
		return nil, lab.ErrNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.swept) >= evictEvery {
		s.evictLocked(0)
	}
	if r, ok := s.rooms[code]; ok {
		r.touch()
		return r, nil
	}
	rec, err := s.loadLocked(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", code, err)
	}
	if r, ok := s.rooms[code]; ok { // another request made it meanwhile
		r.touch()
		return r, nil
	}
	if err := s.evictLocked(1); err != nil {
		return nil, err
	}
	r := &room{
		id: rec.ID, code: rec.Code, keyHash: rec.KeyHash, created: rec.Created, state: rec.State,
		byID: make(map[string]*Learner), names: make(map[string]int), conns: make(map[string]int),
		byRun: make(map[string]*Entry), live: make(map[string]int), guesses: make(map[string]Guess),
		subs: make(map[*Subscription]struct{}), watchDone: make(map[string]chan struct{}),
	}
	for _, l := range rec.Learners {
		l.Connected = false
		r.addLearner(&l)
	}
	for _, e := range rec.Entries {
		r.entries = append(r.entries, &e)
		r.byRun[e.Run] = &e
	}
	for _, g := range rec.Guesses {
		r.guesses[g.Learner] = g
	}
	r.touch()
	s.rooms[code] = r
	s.startSync(r)
	// Runs that were live when the session was last stored: a restart has
	// made them interrupted; a session only evicted from memory would find
	// them still going.
	r.mu.Lock()
	if r.state.Run != nil {
		s.own(r.state.Run.ID, runOwner{code: r.code})
	}
	for _, e := range r.entries {
		if !e.Status.Final() {
			r.live[e.Learner]++
			s.own(e.Run, runOwner{code: r.code, learner: e.Learner})
			s.watch(r, e.Run)
		}
	}
	r.mu.Unlock()
	return r, nil
}

// A load is one read of a session from the store, which every request
// for that code waits for and shares.
type load struct {
	done chan struct{} // closed when rec and err are set
	rec  Record
	err  error
}

// loadLocked reads session code from the store with s.mu released, so
// that a slow or absent database holds up only the requests for that
// code, each no longer than one read; s.mu is held again on return.
func (s *Service) loadLocked(ctx context.Context, code string) (Record, error) {
	if l, ok := s.loading[code]; ok {
		s.mu.Unlock()
		select {
		case <-l.done:
		case <-ctx.Done():
		}
		s.mu.Lock()
		select {
		case <-l.done:
		default:
			return Record{}, ctx.Err()
		}
		if errors.Is(l.err, context.Canceled) && ctx.Err() == nil {
			return s.loadLocked(ctx, code) // the reader's request went away, not ours
		}
		return l.rec, l.err
	}
	l := &load{done: make(chan struct{})}
	s.loading[code] = l
	s.mu.Unlock()
	l.rec, l.err = s.store.LoadSession(ctx, code)
	s.mu.Lock()
	delete(s.loading, code)
	close(l.done)
	return l.rec, l.err
}

// lockRoom returns the session with the code, as room does, with its mu
// held: never a room that was evicted while it was looked up.
func (s *Service) lockRoom(ctx context.Context, code string) (*room, error) {
	for {
		r, err := s.room(ctx, code)
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		if !r.evicted {
			return r, nil
		}
		r.mu.Unlock()
	}
}

func (r *room) addLearner(l *Learner) {
	r.learners = append(r.learners, l)
	r.byID[l.ID] = l
	r.names[foldName(l.Name)]++
}

// authorize checks an instructor key.
func (r *room) authorize(key string) error {
	if !secretMatches(key, r.keyHash) {
		return ErrForbidden
	}
	return nil
}

// viewLocked returns the room's public state. r.mu must be held.
func (r *room) viewLocked() View {
	v := View{
		ID: r.id, Code: r.code, Created: r.created,
		Push: r.state.Push, Run: r.state.Run, Ask: r.state.Ask, Spotlight: r.state.Spotlight,
		Prediction: r.predictionLocked(), Ended: r.state.Ended,
		Learners: make([]Learner, 0, len(r.learners)),
		Board:    make([]Entry, 0, len(r.entries)),
	}
	for _, l := range r.learners {
		if l.Removed {
			continue
		}
		v.Learners = append(v.Learners, r.learnerLocked(l))
		if r.conns[l.ID] > 0 {
			v.Connected++
		}
	}
	for _, e := range r.entries {
		v.Board = append(v.Board, *e)
	}
	return v
}

// learnerLocked returns a copy of l as the public sees it.
func (r *room) learnerLocked(l *Learner) Learner {
	out := *l
	out.Connected = r.conns[l.ID] > 0
	return out
}

// predictionLocked returns the current prediction as the public sees it:
// its guesses only once revealed.
func (r *room) predictionLocked() *Prediction {
	p := r.state.Prediction
	if p == nil {
		return nil
	}
	out := *p
	out.Count = len(r.guesses)
	out.Guesses = []Guess{}
	if p.Revealed {
		for _, l := range r.learners {
			if g, ok := r.guesses[l.ID]; ok {
				g.Label = l.Label
				out.Guesses = append(out.Guesses, g)
			}
		}
	}
	return &out
}

// saveStateLocked stores st as the room's state and, if that worked, makes
// it current. r.mu must be held: the store and memory change together.
func (s *Service) saveStateLocked(ctx context.Context, r *room, st State) error {
	if err := s.store.SaveState(ctx, r.id, st); err != nil {
		return fmt.Errorf("session %s: save state: %w", r.code, err)
	}
	r.state = st
	return nil
}

// publishStateLocked publishes the parts of the state that differ from old.
func (r *room) publishStateLocked(old State) {
	st := r.state
	if st.Push != old.Push {
		r.publishLocked(Event{Type: EventPush, Push: st.Push})
	}
	if st.Run != old.Run {
		r.publishLocked(Event{Type: EventRun, Run: st.Run})
	}
	if st.Ask != old.Ask {
		r.publishLocked(Event{Type: EventAsk, Ask: st.Ask})
	}
	if st.Prediction != old.Prediction {
		r.publishLocked(Event{Type: EventPrediction, Prediction: r.predictionLocked()})
	}
	if st.Spotlight != old.Spotlight {
		r.publishLocked(Event{Type: EventSpotlight, Spotlight: st.Spotlight})
	}
	if st.Ended != old.Ended {
		r.publishLocked(Event{Type: EventEnded, Ended: st.Ended})
	}
}

// change runs f on a copy of the state of session code, if key drives it,
// then stores the copy and publishes what changed. Nothing changes if the
// key is wrong or f or the store fails.
func (s *Service) change(ctx context.Context, code, key string, f func(r *room, st *State) error) error {
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	if err := r.authorize(key); err != nil {
		return err
	}
	if r.state.Ended != nil {
		return ErrEnded
	}
	old := r.state
	st := old
	if err := f(r, &st); err != nil {
		return err
	}
	if err := s.saveStateLocked(ctx, r, st); err != nil {
		return err
	}
	if st.Prediction == nil || old.Prediction == nil || st.Prediction.ID != old.Prediction.ID {
		r.guesses = make(map[string]Guess) // a new prediction, or none: the old guesses are stored
	}
	r.publishStateLocked(old)
	return nil
}

// foldName is the form in which two names count as the same.
func foldName(name string) string { return strings.ToLower(name) }
