package workshop

import (
	"fmt"
	"net/http"

	"concurrencylab/lab/session"
	"concurrencylab/web/internal/serve"
)

// A room's places belong to its learners. A learner holds one live socket
// (a newer page replaces the older), so learners' sockets are bounded by
// the session's learners. Watchers (the console, the board, a projector)
// are counted apart: with the instructor key up to maxKeyedWatchers per
// session, without it up to watchersPerAddr per address and
// maxOpenWatchers per session. Past a cap the handshake gets 429.
const (
	maxKeyedWatchers = 20
	watchersPerAddr  = 10
	maxOpenWatchers  = 200
	// sessionSendBudget is the most bytes of messages one session socket
	// may have waiting; a page further behind is dropped and reconnects
	// to a fresh snapshot.
	sessionSendBudget = 256 << 10
	// joinsPerAddrPerRoom is the most learners joined from one address a
	// session admits: half its places, so a flood from one address leaves
	// the other half to everyone else. Counted while the server runs.
	joinsPerAddrPerRoom = session.MaxLearners / 2
	// maxJoinedFrom bounds the memory of joinedFrom: past it the counts
	// are forgotten (the rate limit on joins still holds).
	maxJoinedFrom = 1 << 16
)

// A role is what a session socket is for.
type role int

const (
	roleLearner role = iota
	roleKeyed        // a watcher with the instructor key
	roleOpen         // a watcher without it
)

// A place is a watcher's count in the session's caps; release gives it
// back.
type place struct {
	role role
	addr string
}

// takePlaceLocked counts a socket of role from addr in h, or returns a
// message naming the cap it would pass. sessionHubs.mu must be held.
func (s *Server) takePlaceLocked(h *hub, p place) string {
	switch p.role {
	case roleKeyed:
		if h.keyed >= maxKeyedWatchers {
			return fmt.Sprintf("this session has %d instructor pages open, the most it holds: close one", maxKeyedWatchers)
		}
		h.keyed++
	case roleOpen:
		if h.open[p.addr] >= s.hubs.watchersPerAddr {
			return fmt.Sprintf("too many pages watching this session from your address: at most %d without the instructor key", s.hubs.watchersPerAddr)
		}
		if h.openTotal >= maxOpenWatchers {
			return fmt.Sprintf("this session has %d watching pages open, the most it holds: try again later", maxOpenWatchers)
		}
		h.open[p.addr]++
		h.openTotal++
	}
	return ""
}

// releasePlaceLocked undoes takePlaceLocked. sessionHubs.mu must be held.
func (h *hub) releasePlaceLocked(p place) {
	switch p.role {
	case roleKeyed:
		h.keyed--
	case roleOpen:
		if h.open[p.addr]--; h.open[p.addr] <= 0 {
			delete(h.open, p.addr)
		}
		h.openTotal--
	}
}

// joinAllowed counts a join from r's address, before it is made, and
// spends one of the address's joins; it answers 429 and returns false
// past a cap. A join that then fails gives its count back with unjoin.
func (s *Server) joinAllowed(w http.ResponseWriter, r *http.Request, code string) bool {
	key := code + " " + s.client(r)
	s.hubs.mu.Lock()
	if len(s.hubs.joinedFrom) >= maxJoinedFrom {
		clear(s.hubs.joinedFrom)
	}
	full := s.hubs.joinedFrom[key] >= joinsPerAddrPerRoom
	if !full {
		s.hubs.joinedFrom[key]++
	}
	s.hubs.mu.Unlock()
	if full {
		serve.Error(w, http.StatusTooManyRequests, fmt.Sprintf("too many learners joined this session from your address: at most %d, half its places", joinsPerAddrPerRoom))
		return false
	}
	if !s.allowed(w, r, s.hubs.joins, false) {
		s.unjoin(r, code)
		return false
	}
	return true
}

// unjoin gives back the count of a join that was not made.
func (s *Server) unjoin(r *http.Request, code string) {
	key := code + " " + s.client(r)
	s.hubs.mu.Lock()
	defer s.hubs.mu.Unlock()
	if s.hubs.joinedFrom[key]--; s.hubs.joinedFrom[key] <= 0 {
		delete(s.hubs.joinedFrom, key)
	}
}
