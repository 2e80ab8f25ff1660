// The harness of a learner's own connection pool: the lab's database
// refuses a connection beyond its limit and records every request a
// query answered; the answer is how many requests were answered, each
// once.
package main

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"concurrencylab/experiments/pool/edit/yours"
	"concurrencylab/lab/yours/harness"
)

func main() {
	harness.Serve(func(p harness.Params) int64 { return trial(p, yours.Serve) })
}

// errTooMany is the database's refusal.
var errTooMany = errors.New("too many connections")

// A database is the lab's.
type database struct {
	limit    int64
	query    time.Duration
	open     atomic.Int64  // connections open now
	maxOpen  atomic.Int64  // the most open or being opened at once
	refused  atomic.Int64  // connections refused
	busy     atomic.Int64  // queries refused on a connection already querying
	answered []atomic.Bool // by request
}

// Connect implements yours.Database.
func (db *database) Connect() (yours.Conn, error) {
	n := db.open.Add(1)
	for m := db.maxOpen.Load(); n > m && !db.maxOpen.CompareAndSwap(m, n); m = db.maxOpen.Load() {
	}
	if n > db.limit {
		db.open.Add(-1)
		db.refused.Add(1)
		return nil, fmt.Errorf("connection %d of %d allowed: %w", n, db.limit, errTooMany)
	}
	return &conn{db: db}, nil
}

// A conn is one of the database's connections. Like a real one, it
// answers one query at a time.
type conn struct {
	db     *database
	closed atomic.Bool
	busy   atomic.Bool
}

// Query implements yours.Conn.
func (c *conn) Query(r int) error {
	if c.closed.Load() {
		return errors.New("query on a closed connection")
	}
	if r < 0 || r >= len(c.db.answered) {
		return fmt.Errorf("no request %d", r)
	}
	if !c.busy.CompareAndSwap(false, true) {
		c.db.busy.Add(1)
		return errors.New("connection busy: one query at a time on a connection")
	}
	defer c.busy.Store(false)
	time.Sleep(c.db.query)
	c.db.answered[r].Store(true)
	return nil
}

// Close implements yours.Conn.
func (c *conn) Close() {
	if !c.closed.Swap(true) {
		c.db.open.Add(-1)
	}
}

// trial runs the learner's Serve and counts the requests answered.
func trial(p harness.Params, serve func(yours.Database, int, int)) int64 {
	db := &database{limit: int64(p.Int("connections")), answered: make([]atomic.Bool, p.Int("requests"))}
	db.query, _ = time.ParseDuration(p["query"])
	serve(db, len(db.answered), int(db.limit))
	var answered int64
	for i := range db.answered {
		if db.answered[i].Load() {
			answered++
		}
	}
	if answered < int64(len(db.answered)) {
		fmt.Fprintf(os.Stderr, "lab: %d of %d requests answered; the database refused %d connections (up to %d asked for at once, %d allowed) and %d queries on a busy connection\n",
			answered, len(db.answered), db.refused.Load(), db.maxOpen.Load(), db.limit, db.busy.Load())
	}
	return answered
}
