package web

import (
	"concurrencylab/lab/runs"
	"context"
	"sync"
	"time"
)

// sharedLogs hands every socket of a run the same event log while any is
// open. A finished run's events come from the store; loading them once per
// socket gave each socket its own copy of the run's history (1,200 sockets
// on a run of 13,000 events held 4.4 GB). The log is forgotten when its
// last socket closes, so its memory goes with the sockets.
type sharedLogs struct {
	mu sync.Mutex // guards m and every sharedLog's refs
	m  map[string]*sharedLog
}

// A sharedLog is one run's log and the sockets holding it.
type sharedLog struct {
	refs   int           // sockets holding it; guarded by sharedLogs.mu
	ready  chan struct{} // closed once log or err is set
	log    *runs.EventLog
	err    error
	replay framedReplay // the replay as frames, shared by the run's sockets
}

// acquire returns run id's log, loading it with load if no socket holds it
// yet (the first caller loads; the others wait for it). Every acquire
// without an error must be matched by a release.
func (c *sharedLogs) acquire(ctx context.Context, id string, load func(context.Context, string) (*runs.EventLog, error)) (*runs.EventLog, *framedReplay, error) {
	c.mu.Lock()
	sl, ok := c.m[id]
	if !ok {
		sl = &sharedLog{ready: make(chan struct{})}
		c.m[id] = sl
	}
	sl.refs++
	c.mu.Unlock()
	if !ok {
		// The load serves every socket waiting for it: the first one's
		// client going away must not fail the others.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		sl.log, sl.err = load(lctx, id)
		cancel()
		close(sl.ready)
	} else {
		select {
		case <-sl.ready:
		case <-ctx.Done():
			c.release(id)
			return nil, nil, ctx.Err()
		}
	}
	if sl.err != nil {
		c.release(id)
		return nil, nil, sl.err
	}
	return sl.log, &sl.replay, nil
}

// loadTimeout bounds loading a run's stored events for its sockets.
const loadTimeout = 30 * time.Second

// release lets go of a log acquire returned (or failed to return).
func (c *sharedLogs) release(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sl := c.m[id]
	if sl.refs--; sl.refs == 0 {
		delete(c.m, id)
	}
}

// held is how many runs' logs are held, for tests.
func (c *sharedLogs) held() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
