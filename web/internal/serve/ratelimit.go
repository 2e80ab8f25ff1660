package serve

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxLimitClients bounds each limit's memory: past it, the limit forgets
// every client (it fails open rather than refuse everyone new).
const maxLimitClients = 1 << 16

// A RateLimit is a token bucket per client: burst tokens, one back every
// 1/perMinute minutes.
type RateLimit struct {
	what      string // "new sessions", for the message
	perMinute int
	burst     int
	Now       func() time.Time // time.Now; tests replace it

	mu      sync.Mutex // guards buckets and swept
	buckets map[string]*bucket
	swept   time.Time // when full buckets were last dropped
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was counted
}

func NewRateLimit(what string, perMinute, burst int) *RateLimit {
	return &RateLimit{what: what, perMinute: perMinute, burst: burst, Now: time.Now, buckets: make(map[string]*bucket)}
}

// Take spends one of client's tokens. If none is left it returns false
// and how long until one is back.
func (l *RateLimit) Take(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
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

// Refund gives back a token Take spent, for a request that turned out
// not to count (a lookup of a code that exists). Taking first and refunding
// after is what keeps a limit under concurrency: requests in flight have
// already spent their tokens, so no more than the limit are ever answered.
func (l *RateLimit) Refund(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[client]; ok {
		b.tokens = math.Min(float64(l.burst), b.tokens+1)
	}
}

// Refuse answers 429 for l with a Retry-After and a message naming the
// limit; page answers with an HTML page rather than JSON.
func Refuse(log *slog.Logger, w http.ResponseWriter, r *http.Request, l *RateLimit, wait time.Duration, page bool) {
	secs := max(1, int((wait+time.Second-time.Millisecond)/time.Second)) // rounded up, give or take a millisecond
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	msg := fmt.Sprintf("too many %s from your address: at most %d a minute", l.what, l.perMinute)
	if l.burst != l.perMinute {
		msg = fmt.Sprintf("too many %s from your address: at most %d at once, then %d a minute", l.what, l.burst, l.perMinute)
	}
	msg += fmt.Sprintf("; try again in %d s", secs)
	if page {
		PageError(log, w, r, http.StatusTooManyRequests, "T"+msg[1:]+".")
		return
	}
	Error(w, http.StatusTooManyRequests, msg)
}

// Allowed spends a token of client from l, or answers 429 and returns
// false.
func Allowed(log *slog.Logger, w http.ResponseWriter, r *http.Request, l *RateLimit, client string, page bool) bool {
	ok, wait := l.Take(client)
	if !ok {
		Refuse(log, w, r, l, wait, page)
	}
	return ok
}
