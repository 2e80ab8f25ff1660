package pool

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
)

// A Database is a pretend database that serves at most limit connections
// at once: one more, and it refuses the connection, as PostgreSQL's
// max_connections does.
type Database struct {
	limit int
	query time.Duration // how long a query takes
	em    lab.Emitter

	open    atomic.Int64 // connections open, or being opened, now
	maxOpen atomic.Int64 // the most at once
}

// ErrTooManyConnections is the database's refusal.
var ErrTooManyConnections = errors.New("too many connections")

// A Conn is one connection to the database.
type Conn struct{ db *Database }

// Connect opens a connection, or fails if limit are open already.
func (db *Database) Connect() (*Conn, error) {
	n := db.open.Add(1)
	for m := db.maxOpen.Load(); n > m && !db.maxOpen.CompareAndSwap(m, n); m = db.maxOpen.Load() {
	}
	db.em.Sample("open", float64(n))
	if n > int64(db.limit) {
		db.open.Add(-1)
		return nil, fmt.Errorf("connection %d of %d allowed: %w", n, db.limit, ErrTooManyConnections)
	}
	return &Conn{db: db}, nil
}

// Query runs one query: it takes the database's query time.
func (c *Conn) Query() error {
	if c.db.query > 0 {
		time.Sleep(c.db.query)
	}
	return nil
}

// Close closes the connection.
func (c *Conn) Close() {
	c.db.em.Sample("open", float64(c.db.open.Add(-1)))
}

// requests are a trial's requests, each needing a connection for one
// query. They all arrive at once, when the trial starts.
type requests struct {
	ctx   context.Context
	n     int // requests
	limit int // connections the pool may hold
	em    lab.Emitter
	start time.Time

	served atomic.Int64 // requests that ran their query
	failed atomic.Int64 // requests that failed

	mu    sync.Mutex      // guards waits
	waits []time.Duration // per request: from its arrival to its connection
}

// A request is one of them.
type request struct {
	id int
	r  *requests
}

// acquired records that the request has its connection now: its wait is
// over.
func (q *request) acquired() {
	wait := time.Since(q.r.start)
	q.r.mu.Lock()
	q.r.waits = append(q.r.waits, wait)
	q.r.mu.Unlock()
}

// fail counts err, if any, as a failed request, and returns it.
func (r *requests) fail(err error) error {
	if err != nil && r.ctx.Err() == nil {
		r.failed.Add(1)
	}
	return err
}

// finish counts the request as served, or as failed with err, reports
// progress, and returns err.
func (q *request) finish(err error) error {
	r := q.r
	if r.fail(err) == nil {
		r.served.Add(1)
	}
	if n := r.served.Load() + r.failed.Load(); n%16 == 0 || int(n) == r.n {
		r.em.Progress(n, int64(r.n), "requests")
	}
	return err
}

// all yields the requests one by one, until ctx is done.
func (r *requests) all(ctx context.Context) iter.Seq[*request] {
	return func(yield func(*request) bool) {
		for i := range r.n {
			if ctx.Err() != nil || !yield(&request{id: i + 1, r: r}) {
				return
			}
		}
	}
}

// each serves every request in a goroutine of its own, all started at
// once, and returns when every one has ended.
func (r *requests) each(serve func(*request) error) {
	var wg sync.WaitGroup
	for q := range r.all(r.ctx) {
		wg.Go(func() { q.finish(serve(q)) })
	}
	wg.Wait()
}

// percentile returns the p-th percentile (0..100) of the waits, in
// milliseconds.
func (r *requests) percentile(p float64) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.waits) == 0 {
		return 0
	}
	s := slices.Clone(r.waits)
	slices.Sort(s)
	i := min(len(s)-1, int(p/100*float64(len(s))))
	return float64(s[i].Microseconds()) / 1000
}
