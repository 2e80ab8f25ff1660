package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
)

// Limits of a session.
const (
	// MaxLearners is the most learners one session admits.
	MaxLearners = 1000
	// LearnerRunLimit is how many runs one learner may have queued or
	// running at once, so one learner cannot flood the shared queue.
	LearnerRunLimit = 1
	// MaxPromptLen bounds a prediction's prompt, in bytes.
	MaxPromptLen = 200
	// MaxLiveSessions is the most sessions a service holds in memory. A
	// session stays in the store when it leaves memory and comes back on
	// its next use (see evictLocked).
	MaxLiveSessions = 200
	// IdleEvict is how long a session stays in memory with no
	// subscribers (no open sockets), no learner's run in progress and no
	// use at all.
	IdleEvict = 30 * time.Minute
)

// Errors the service returns, of the kinds the web layer answers.
var (
	ErrForbidden = errs.New(errs.Forbidden, "this needs the session's instructor key: a wrong or missing key changes nothing")
	ErrNoPush    = errs.New(errs.Conflict, "the instructor has not pushed an experiment yet")
	ErrFull      = errs.New(errs.Conflict, fmt.Sprintf("the session is full: it admits %d learners", MaxLearners))
	ErrLearner   = errs.New(errs.Forbidden, "unknown learner or wrong token: join the session again")
	ErrLocked    = errs.New(errs.Conflict, "the instructor has locked the parameters: run with the values pushed")
	ErrBusy      = errs.New(errs.Busy, "you already have a run waiting or running")
	ErrClosed    = errs.New(errs.Conflict, "no prediction is open")
	ErrBadInput  = errs.New(errs.Invalid, "bad input")
	ErrNoEntry   = errs.New(errs.Conflict, "that run is not on this session's board")
	ErrTooMany   = errs.New(errs.Unavailable, fmt.Sprintf("this server is hosting %d live sessions, the most it holds: try again in a few minutes", MaxLiveSessions))
)

// A Runner queues and reports runs: *lab.Manager is one.
type Runner interface {
	Experiment(id string) (lab.Experiment, error)
	Submit(ctx context.Context, id string, p lab.Params) (lab.Run, error)
	Get(ctx context.Context, id string) (lab.Run, error)
	Events(ctx context.Context, id string) (*lab.EventLog, error)
}

var _ Runner = (*lab.Manager)(nil)

// A Service holds the sessions in play. Make one with NewService and Close
// it after the server has stopped taking requests.
type Service struct {
	log   *slog.Logger
	store Store
	runs  Runner
	ctx   context.Context    // watchers of learners' runs stop when it is done
	stop  context.CancelFunc // cancels ctx, at Close
	wg    sync.WaitGroup     // the watchers; Add only under closeMu, before closing

	closeMu sync.Mutex // guards closing
	closing bool       // Close has begun: no new watcher or subscription

	mu       sync.Mutex       // guards rooms and swept
	rooms    map[string]*room // by code: the sessions in memory
	swept    time.Time        // when idle rooms were last evicted
	maxRooms int              // MaxLiveSessions; tests lower it
	idleFor  time.Duration    // IdleEvict; tests lower it

	ownersMu sync.Mutex          // guards owners and sweepAt
	owners   map[string]runOwner // the sessions' runs that may still be live, by run id (cancel.go)
	sweepAt  int                 // sweep owners when it holds this many
}

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

// NewService returns a service keeping sessions in store and running their
// runs through runs.
func NewService(log *slog.Logger, store Store, runs Runner) *Service {
	ctx, stop := context.WithCancel(context.Background())
	return &Service{
		log: log, store: store, runs: runs, ctx: ctx, stop: stop,
		rooms: make(map[string]*room), maxRooms: MaxLiveSessions, idleFor: IdleEvict,
		owners: make(map[string]runOwner), sweepAt: minOwnersSweep,
	}
}

// Close stops watching learners' runs and ends every subscription. Runs
// themselves belong to the Runner and carry on. Once Close has begun, no
// new watcher starts and every new subscription is ended at once.
func (s *Service) Close() {
	s.closeMu.Lock()
	s.closing = true
	s.closeMu.Unlock()
	s.stop()
	s.wg.Wait() // no Add can follow: watch checks closing under closeMu
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rooms {
		r.mu.Lock()
		for sub := range r.subs {
			sub.endLocked(nil)
		}
		r.mu.Unlock()
	}
}

// Created is what Create returns: the session and, this once, its key.
type Created struct {
	ID, Code string
	Key      string
}

// Create starts a new session with a fresh room code and key. It is
// ErrTooMany if memory holds MaxLiveSessions sessions that are all in use.
func (s *Service) Create(ctx context.Context) (Created, error) {
	s.mu.Lock()
	err := s.evictLocked(1)
	s.mu.Unlock()
	if err != nil {
		return Created{}, err
	}
	for range 10 {
		key := NewKey()
		rec := Record{
			ID: lab.NewID(10), Code: NewCode(), KeyHash: hashSecret(key),
			Created: time.Now().UTC(),
		}
		err := s.store.CreateSession(ctx, rec)
		if errors.Is(err, ErrCodeTaken) {
			continue
		}
		if err != nil {
			return Created{}, fmt.Errorf("session: create: %w", err)
		}
		s.log.Info("session created", "session", rec.ID, "code", rec.Code)
		return Created{ID: rec.ID, Code: rec.Code, Key: key}, nil
	}
	return Created{}, errors.New("session: create: no free room code after 10 tries")
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
	rec, err := s.store.LoadSession(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", code, err)
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
		Prediction: r.predictionLocked(),
		Learners:   make([]Learner, 0, len(r.learners)),
		Board:      make([]Entry, 0, len(r.entries)),
	}
	for _, l := range r.learners {
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

// View returns the public state of the session with the code.
func (s *Service) View(ctx context.Context, code string) (View, error) {
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return View{}, err
	}
	defer r.mu.Unlock()
	return r.viewLocked(), nil
}

// Authorize reports whether key drives the session: nil, ErrForbidden, or
// an error wrapping lab.ErrNotFound.
func (s *Service) Authorize(ctx context.Context, code, key string) error {
	r, err := s.room(ctx, code)
	if err != nil {
		return err
	}
	return r.authorize(key)
}

// Subscribe returns the session's public state and a subscription to every
// change after it, taken together so that no change falls between them.
func (s *Service) Subscribe(ctx context.Context, code string) (*Subscription, View, error) {
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return nil, View{}, err
	}
	defer r.mu.Unlock()
	sub := &Subscription{r: r, c: make(chan Event, subscriptionBuffer)}
	s.closeMu.Lock()
	closing := s.closing
	s.closeMu.Unlock()
	if closing {
		sub.endLocked(nil) // Close has ended the others, or is about to
	} else {
		r.subs[sub] = struct{}{}
	}
	return sub, r.viewLocked(), nil
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
