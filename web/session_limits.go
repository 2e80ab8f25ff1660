package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limits on what one client may do to sessions. A client is its address
// (client.go: an IPv6 address by its /64; behind a trusted reverse proxy,
// the address the proxy saw).
const (
	// createsPerMinute and createBurst limit new sessions (POST
	// /api/sessions, POST /sessions): 10 a minute.
	createsPerMinute = 10
	createBurst      = 10
	// joinsPerMinute and joinBurst limit joins (POST
	// /api/sessions/{code}/join, a socket with ?name=): 60 a minute, after
	// a first 400, since a whole room behind one school router is one
	// address and joins at once (the load test's 300 learners all come from
	// 127.0.0.1, and it holds). Rejoining as a known learner is no join.
	joinsPerMinute = 60
	joinBurst      = 400
	// maxSessionSockets is the most sockets one session holds: another is
	// closed with 1013 (try again later) and a reason that says so.
	maxSessionSockets = 1000
	// maxLimitClients bounds each limit's memory: past it, the limit forgets
	// every client (it fails open rather than refuse everyone new).
	maxLimitClients = 1 << 16
)

// A rateLimit is a token bucket per client: burst tokens, one back every
// 1/perMinute minutes.
type rateLimit struct {
	what      string // "new sessions", for the message
	perMinute int
	burst     int
	now       func() time.Time // time.Now; tests replace it

	mu      sync.Mutex // guards buckets and swept
	buckets map[string]*bucket
	swept   time.Time // when full buckets were last dropped
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was counted
}

func newRateLimit(what string, perMinute, burst int) *rateLimit {
	return &rateLimit{what: what, perMinute: perMinute, burst: burst, now: time.Now, buckets: make(map[string]*bucket)}
}

// take spends one of client's tokens. If none is left it returns false
// and how long until one is back.
func (l *rateLimit) take(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	every := float64(time.Minute / time.Duration(l.perMinute)) // one token back every so many nanoseconds
	refill := func(b *bucket) {
		b.tokens = math.Min(float64(l.burst), b.tokens+float64(now.Sub(b.at))/every)
		b.at = now
	}
	if now.Sub(l.swept) >= time.Minute || len(l.buckets) >= maxLimitClients {
		for k, b := range l.buckets {
			if refill(b); b.tokens >= float64(l.burst) {
				delete(l.buckets, k) // a full bucket is no different from none
			}
		}
		if len(l.buckets) >= maxLimitClients {
			clear(l.buckets)
		}
		l.swept = now
	}
	b, ok := l.buckets[client]
	if !ok {
		b = &bucket{tokens: float64(l.burst), at: now}
		l.buckets[client] = b
	}
	refill(b)
	if b.tokens < 1 {
		return false, time.Duration(math.Ceil((1 - b.tokens) * every))
	}
	b.tokens--
	return true, 0
}

// peek reports whether client has a token left, without spending it, and
// if not how long until one is back.
func (l *rateLimit) peek(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[client]
	if !ok {
		return true, 0
	}
	every := float64(time.Minute / time.Duration(l.perMinute))
	tokens := math.Min(float64(l.burst), b.tokens+float64(l.now().Sub(b.at))/every)
	if tokens < 1 {
		return false, time.Duration(math.Ceil((1 - tokens) * every))
	}
	return true, 0
}

// refuse answers 429 for l with a Retry-After and a message naming the
// limit; page answers with an HTML page rather than JSON.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, l *rateLimit, wait time.Duration, page bool) {
	secs := max(1, int((wait+time.Second-time.Millisecond)/time.Second)) // rounded up, give or take a millisecond
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	msg := fmt.Sprintf("too many %s from your address: at most %d a minute", l.what, l.perMinute)
	if l.burst != l.perMinute {
		msg = fmt.Sprintf("too many %s from your address: at most %d at once, then %d a minute", l.what, l.burst, l.perMinute)
	}
	msg += fmt.Sprintf("; try again in %d s", secs)
	if page {
		s.pageError(w, r, http.StatusTooManyRequests, "T"+msg[1:]+".")
		return
	}
	apiError(w, http.StatusTooManyRequests, msg)
}

// allowed spends a token of the request's client from l, or answers 429
// and returns false.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, l *rateLimit, page bool) bool {
	ok, wait := l.take(s.client(r))
	if !ok {
		s.refuse(w, r, l, wait, page)
	}
	return ok
}
