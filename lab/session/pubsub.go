package session

import (
	"errors"
	"sync"
)

// subscriptionBuffer is how many events a subscriber may fall behind
// before it is dropped. A subscriber is a fan-out (one per session per
// server), not a browser, so it rarely lags at all.
const subscriptionBuffer = 4096

// ErrSlow is a Subscription's Err when it fell behind and was dropped:
// subscribe again for a fresh View.
var ErrSlow = errors.New("session: subscriber fell behind and was dropped")

// A Subscription receives a session's events in order. Publishing never
// blocks: a subscription that falls subscriptionBuffer events behind is
// closed, and its Err says so.
type Subscription struct {
	r    *room
	c    chan Event
	once sync.Once
	err  error // set before c is closed
}

// C returns the channel of events. It is closed when the subscription ends.
func (s *Subscription) C() <-chan Event { return s.c }

// Err says why C was closed: nil after Close, ErrSlow if it fell behind.
// Call it only after C is closed.
func (s *Subscription) Err() error { return s.err }

// Close ends the subscription and closes C; it may be called more than once.
func (s *Subscription) Close() {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.endLocked(nil)
}

// endLocked removes s from its room and closes C once. r.mu must be held.
func (s *Subscription) endLocked(err error) {
	s.once.Do(func() {
		delete(s.r.subs, s)
		s.r.touch() // idle from now, if it was the last
		s.err = err
		close(s.c)
	})
}

// publishLocked sends e to every subscriber without blocking. r.mu must
// be held, so events reach subscribers in the order the changes were made.
func (r *room) publishLocked(e Event) {
	for s := range r.subs {
		select {
		case s.c <- e:
		default:
			s.endLocked(ErrSlow)
		}
	}
}
