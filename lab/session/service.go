package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/runs"
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
	ErrEnded     = errs.New(errs.Conflict, "the instructor has ended this session: its board and runs stay readable, nothing more can change")
	ErrRemoved   = errs.New(errs.Forbidden, "the instructor has removed you from this session")
	ErrNoLearner = errs.New(errs.Conflict, "no such learner in this session")
	ErrTooMany   = errs.New(errs.Unavailable, fmt.Sprintf("this server is hosting %d live sessions, the most it holds: try again in a few minutes", MaxLiveSessions))
)

// A Runner queues and reports runs: *runs.Manager is one.
type Runner interface {
	Experiment(id string) (lab.Experiment, error)
	Submit(ctx context.Context, id string, p lab.Params) (runs.Run, error)
	Get(ctx context.Context, id string) (runs.Run, error)
	Events(ctx context.Context, id string) (*runs.EventLog, error)
	State(ctx context.Context, id string) (runs.State, error)
}

var _ Runner = (*runs.Manager)(nil)

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

	mu       sync.Mutex       // guards rooms, loading and swept
	rooms    map[string]*room // by code: the sessions in memory
	loading  map[string]*load // by code: sessions being read from the store
	swept    time.Time        // when idle rooms were last evicted
	maxRooms int              // MaxLiveSessions; tests lower it
	idleFor  time.Duration    // IdleEvict; tests lower it

	ownersMu sync.Mutex          // guards owners and sweepAt
	owners   map[string]runOwner // the sessions' runs that may still be live, by run id (cancel.go)
	sweepAt  int                 // sweep owners when it holds this many
}

// NewService returns a service keeping sessions in store and running their
// runs through runs.
func NewService(log *slog.Logger, store Store, runs Runner) *Service {
	ctx, stop := context.WithCancel(context.Background())
	return &Service{
		log: log, store: store, runs: runs, ctx: ctx, stop: stop,
		rooms: make(map[string]*room), loading: make(map[string]*load), maxRooms: MaxLiveSessions, idleFor: IdleEvict,
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
			ID: runs.NewID(10), Code: NewCode(), KeyHash: hashSecret(key),
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
