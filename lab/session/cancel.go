package session

import (
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"time"

	"concurrencylab/lab"
)

// minOwnersSweep is the fewest runs the owners index holds before a sweep
// looks for finished ones to forget.
const minOwnersSweep = 64

// runOwner is the session a run belongs to.
type runOwner struct {
	code    string
	learner string // the learner whose own run it is; "" for a room run
}

// own records that run belongs to a session, before its id is published.
// It may be called with a room's mu held.
func (s *Service) own(run string, o runOwner) {
	s.ownersMu.Lock()
	s.owners[run] = o
	s.ownersMu.Unlock()
}

// disown forgets a run that is over.
func (s *Service) disown(run string) {
	s.ownersMu.Lock()
	delete(s.owners, run)
	s.ownersMu.Unlock()
}

// sweepOwners forgets the runs that are over (room runs have no watcher
// to disown them), once the index has doubled since the last sweep: it
// holds about as many runs as may still be live, and a run that is over
// cannot be cancelled anyway. Call it with no room's mu held.
func (s *Service) sweepOwners() {
	s.ownersMu.Lock()
	if len(s.owners) < s.sweepAt {
		s.ownersMu.Unlock()
		return
	}
	ids := slices.Collect(maps.Keys(s.owners))
	s.sweepAt = math.MaxInt // one sweep at a time
	s.ownersMu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var over []string
	for _, id := range ids {
		run, err := s.runs.Get(ctx, id)
		if (err == nil && run.Status.Final()) || errors.Is(err, lab.ErrNotFound) {
			over = append(over, id)
		}
	}
	s.ownersMu.Lock()
	for _, id := range over {
		delete(s.owners, id)
	}
	s.sweepAt = max(minOwnersSweep, 2*len(s.owners))
	s.ownersMu.Unlock()
}

// A CancelError refuses to cancel a session's run: it says who may. It
// wraps ErrForbidden.
type CancelError struct {
	Code string // the room
	Own  bool   // a learner's own run: its learner may cancel it too
}

func (e *CancelError) Error() string {
	if e.Own {
		return "this run is on room " + e.Code + "'s board: only the learner who made it (with their token) or the instructor (with the key) can cancel it"
	}
	return "this run plays for room " + e.Code + ": only its instructor (with the key) can cancel it"
}

// Unwrap makes it an ErrForbidden.
func (e *CancelError) Unwrap() error { return ErrForbidden }

// MayCancel reports whether secret (an instructor key or a learner's
// token) lets its bearer cancel run. A run that belongs to no session:
// nil, whatever the secret. A session's room run, the current one or one
// before it, or the run in its spotlight: only the session's key. A
// learner's own run on the board: the key, or that learner's token.
// Otherwise a *CancelError; other errors (the session could not be read)
// refuse too.
func (s *Service) MayCancel(ctx context.Context, run, secret string) error {
	s.ownersMu.Lock()
	o, ok := s.owners[run]
	s.ownersMu.Unlock()
	if !ok {
		return nil
	}
	r, err := s.lockRoom(ctx, o.code)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	if r.authorize(secret) == nil {
		return nil
	}
	spotlit := r.state.Spotlight != nil && r.state.Spotlight.Run == run
	if o.learner == "" || spotlit {
		return &CancelError{Code: r.code}
	}
	if l, ok := r.byID[o.learner]; ok && secretMatches(secret, l.TokenHash) {
		return nil
	}
	return &CancelError{Code: r.code, Own: true}
}
