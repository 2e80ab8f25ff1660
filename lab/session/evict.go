package session

import (
	"cmp"
	"slices"
	"time"
)

// evictEvery is how often room looks for idle sessions to evict.
const evictEvery = time.Minute

// touch records that the room was just used.
func (r *room) touch() { r.used.Store(time.Now().UnixNano()) }

// idleLocked reports whether the room may leave memory: nobody subscribed
// (no open socket) and no learner's run being watched. r.mu must be held.
func (r *room) idleLocked() bool { return len(r.subs) == 0 && len(r.watchDone) == 0 }

// evictLocked makes room in memory for need more sessions. Every idle
// room unused for idleFor leaves memory; then, while the rooms and need
// exceed maxRooms, the idle rooms least recently used leave too. It is
// ErrTooMany if there is still no room. s.mu must be held.
//
// An evicted room stays in the store and is loaded again on its next use.
// It is marked, under its mu, so that a caller that looked it up just
// before looks it up again (lockRoom) rather than change a room no longer
// in memory.
func (s *Service) evictLocked(need int) error {
	now := time.Now()
	s.swept = now
	type candidate struct {
		code string
		r    *room
		used int64
	}
	var idle []candidate
	for code, r := range s.rooms {
		used := r.used.Load()
		r.mu.Lock()
		switch {
		case !r.idleLocked():
		case now.Sub(time.Unix(0, used)) >= s.idleFor:
			r.evicted = true
			delete(s.rooms, code)
		default:
			idle = append(idle, candidate{code, r, used})
		}
		r.mu.Unlock()
	}
	if len(s.rooms)+need <= s.maxRooms {
		return nil
	}
	slices.SortFunc(idle, func(a, b candidate) int { return cmp.Compare(a.used, b.used) })
	for _, c := range idle {
		if len(s.rooms)+need <= s.maxRooms {
			break
		}
		c.r.mu.Lock()
		if c.r.idleLocked() {
			c.r.evicted = true
			delete(s.rooms, c.code)
		}
		c.r.mu.Unlock()
	}
	if len(s.rooms)+need > s.maxRooms {
		return ErrTooMany
	}
	return nil
}
