package session

import (
	"context"
	"fmt"
	"time"
)

// Remove takes a learner out of the session (key): the roster no longer
// shows them, their token no longer opens the room, and their open page
// is closed (the hub sees the learner event with Removed). Their runs
// stay on the board. Removing one already removed changes nothing.
func (s *Service) Remove(ctx context.Context, code, key, learner string) error {
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	if err := r.authorize(key); err != nil {
		return err
	}
	l, ok := r.byID[learner]
	if !ok {
		return ErrNoLearner
	}
	if l.Removed {
		return nil
	}
	out := *l
	out.Removed = true
	if err := s.store.SaveLearner(ctx, r.id, out); err != nil {
		return fmt.Errorf("session %s: remove learner: %w", r.code, err)
	}
	l.Removed = true
	delete(r.conns, l.ID)
	pub := r.learnerLocked(l)
	r.publishLocked(Event{Type: EventLearner, Learner: &pub})
	return nil
}

// End ends the session (key): learners' pages say so, nobody can join,
// run, guess or be pushed anything more, and the board, its permalink and
// the runs stay readable. The ask is withdrawn and an open prediction
// closed. Ending an ended session is ErrEnded.
func (s *Service) End(ctx context.Context, code, key string) (time.Time, error) {
	var at time.Time
	err := s.change(ctx, code, key, func(r *room, st *State) error {
		at = time.Now().UTC()
		st.Ended = &at
		st.Ask = nil
		if st.Prediction != nil && st.Prediction.Open {
			p := *st.Prediction
			p.Open = false
			st.Prediction = &p
		}
		return nil
	})
	return at, err
}
