package web

import (
	"fmt"
	"net/http"
	"sync"

	"concurrencylab/web/internal/serve"
)

// Limits on run websockets (GET /runs/{id}/events), so idle sockets from
// one address cannot use up the server's file descriptors. A whole room
// behind one school router is one address: the per-address cap holds a
// full session (maxSessionSockets) with room to spare. Past a cap the
// handshake is answered 429 with Retry-After.
const (
	// DefaultRunSockets is the most sockets one run may have.
	DefaultRunSockets = 2000
	// DefaultAddrSockets is the most run sockets one address may have.
	DefaultAddrSockets = 1200
	// DefaultTotalSockets is the most run sockets in all, unless the
	// server's file-descriptor limit calls for fewer (RunSockets).
	DefaultTotalSockets = 10000
)

// SocketLimits caps run websockets.
type SocketLimits struct {
	PerRun, PerAddr, Total int
}

// socketCount counts open run websockets against SocketLimits.
type socketCount struct {
	limits SocketLimits

	mu      sync.Mutex // guards the fields below
	total   int
	perRun  map[string]int
	perAddr map[string]int
}

// newSocketCount counts sockets against l; zero fields of l take the
// defaults.
func newSocketCount(l SocketLimits) *socketCount {
	if l.PerRun <= 0 {
		l.PerRun = DefaultRunSockets
	}
	if l.PerAddr <= 0 {
		l.PerAddr = DefaultAddrSockets
	}
	if l.Total <= 0 {
		l.Total = DefaultTotalSockets
	}
	return &socketCount{limits: l, perRun: make(map[string]int), perAddr: make(map[string]int)}
}

// acquire counts a socket of run from addr, or returns a message naming
// the cap it would pass. release undoes a successful acquire.
func (c *socketCount) acquire(run, addr string) (release func(), refused string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.total >= c.limits.Total:
		return nil, fmt.Sprintf("the server holds as many run sockets as it may (%d); try again soon", c.limits.Total)
	case c.perAddr[addr] >= c.limits.PerAddr:
		return nil, fmt.Sprintf("too many run sockets from your address: at most %d at once", c.limits.PerAddr)
	case c.perRun[run] >= c.limits.PerRun:
		return nil, fmt.Sprintf("this run has as many watchers as it may (%d); try again soon", c.limits.PerRun)
	}
	c.total++
	c.perAddr[addr]++
	c.perRun[run]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.total--
			if c.perAddr[addr]--; c.perAddr[addr] == 0 {
				delete(c.perAddr, addr)
			}
			if c.perRun[run]--; c.perRun[run] == 0 {
				delete(c.perRun, run)
			}
		})
	}, ""
}

// tooManySockets answers a handshake past a socket cap, logged at debug:
// a flood of handshakes would otherwise write a line each.
func tooManySockets(w http.ResponseWriter, r *http.Request, msg string) {
	serve.Quiet(r.Context())
	w.Header().Set("Retry-After", "10")
	serve.Error(w, http.StatusTooManyRequests, msg)
}
