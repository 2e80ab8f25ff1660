package session

// Rooms across servers: where the store tells of changes other servers
// made (PostgreSQL's LISTEN/NOTIFY), a room in memory reads its session
// again on each and publishes what differs, so a push, room run, ask,
// prediction or spotlight made on any server reaches the learners of
// every server. Connected counts and run limits stay each server's own.

import (
	"context"
	"reflect"
	"time"
)

// A Watcher tells of sessions changed by other servers: the channel
// receives a value whenever session id may have changed.
type Watcher interface {
	WatchSession(id string) (c <-chan struct{}, stop func())
}

// evictedCheck is how often a room's sync notices it left memory.
const evictedCheck = 2 * time.Second

// startSync begins keeping r in step with the store, where the store
// tells of changes. s.mu is held; r is new.
func (s *Service) startSync(r *room) {
	w, ok := s.store.(Watcher)
	if !ok {
		return
	}
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closing {
		return
	}
	changed, stop := w.WatchSession(r.id)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer stop()
		tick := time.NewTicker(evictedCheck)
		defer tick.Stop()
		for {
			select {
			case <-changed:
				if !s.sync(r) {
					return
				}
			case <-tick.C:
				r.mu.Lock()
				gone := r.evicted
				r.mu.Unlock()
				if gone {
					return
				}
			case <-s.ctx.Done():
				return
			}
		}
	}()
}

// sync reads r's session again and publishes what changed; false once r
// has left memory. It reads with r.mu held, as changes store with it
// held: a read from before this server's own change never undoes it.
func (s *Service) sync(r *room) bool {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.evicted {
		return false
	}
	rec, err := s.store.LoadSession(ctx, r.code)
	if err != nil {
		if s.ctx.Err() == nil {
			s.log.Warn("read a session changed on another server", "session", r.code, "err", err)
		}
		return true
	}
	old := r.state
	st := old
	same := func(a, b any) bool { return reflect.DeepEqual(a, b) }
	if !same(st.Push, rec.State.Push) {
		st.Push = rec.State.Push
	}
	if !same(st.Run, rec.State.Run) {
		st.Run = rec.State.Run
	}
	if !same(st.Ask, rec.State.Ask) {
		st.Ask = rec.State.Ask
	}
	newPrediction := !same(st.Prediction, rec.State.Prediction)
	if newPrediction {
		st.Prediction = rec.State.Prediction
	}
	if !same(st.Spotlight, rec.State.Spotlight) {
		st.Spotlight = rec.State.Spotlight
	}
	if !same(st.Ended, rec.State.Ended) {
		st.Ended = rec.State.Ended
	}
	r.state = st
	guesses := make(map[string]Guess, len(rec.Guesses))
	for _, g := range rec.Guesses {
		guesses[g.Learner] = g
	}
	counted := len(guesses) != len(r.guesses)
	r.guesses = guesses
	r.publishStateLocked(old)
	if counted && !newPrediction && st.Prediction != nil {
		r.publishLocked(Event{Type: EventPrediction, Prediction: r.predictionLocked()})
	}
	for _, l := range rec.Learners {
		have, ok := r.byID[l.ID]
		switch {
		case !ok:
			l := l
			r.addLearner(&l)
			out := r.learnerLocked(&l)
			r.publishLocked(Event{Type: EventLearner, Learner: &out})
		case have.Removed != l.Removed || have.Label != l.Label:
			have.Removed, have.Label = l.Removed, l.Label
			out := r.learnerLocked(have)
			r.publishLocked(Event{Type: EventLearner, Learner: &out})
		}
	}
	for _, e := range rec.Entries {
		have, ok := r.byRun[e.Run]
		switch {
		case !ok:
			e := e
			r.entries = append(r.entries, &e)
			r.byRun[e.Run] = &e
			r.publishLocked(Event{Type: EventEntry, Entry: new(e)})
		case !same(*have, e) && !r.watching(e.Run):
			*have = e
			r.publishLocked(Event{Type: EventEntry, Entry: new(e)})
		}
	}
	return true
}

// watching reports whether this server follows run itself (it started
// it), and so keeps its entry current without the store. r.mu is held.
func (r *room) watching(run string) bool {
	_, ok := r.watchDone[run]
	return ok
}
