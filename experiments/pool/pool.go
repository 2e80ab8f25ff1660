package pool

import (
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// requestsSemaphore bounds the connections with a weighted semaphore,
// Python's BoundedSemaphore(K) in Go (golang.org/x/sync/semaphore): each
// request's goroutine acquires one of K units before it connects and
// releases it after it closes, so at most K connections are open. The
// goroutines still all exist at once; the others wait in Acquire, which
// also gives up when the context is cancelled.
func requestsSemaphore(db *Database, r *requests) {
	sem := semaphore.NewWeighted(int64(r.limit))
	r.each(func(q *request) error {
		if err := sem.Acquire(r.ctx, 1); err != nil {
			return err
		}
		defer sem.Release(1)
		return query(db, q)
	})
}

// requestsChannel makes the pool itself a buffered channel holding K
// connections, opened once: a request takes one out (waiting while the
// channel is empty) and puts it back when done. Connections are reused
// instead of opened for every request, as database/sql's pool does.
func requestsChannel(db *Database, r *requests) {
	pool := make(chan *Conn, r.limit)
	for range r.limit {
		conn, err := db.Connect()
		if err != nil {
			r.fail(err)
			continue
		}
		pool <- conn
	}
	r.each(func(q *request) error {
		var conn *Conn
		select {
		case conn = <-pool:
		case <-r.ctx.Done():
			return r.ctx.Err()
		}
		defer func() { pool <- conn }()
		q.acquired()
		return conn.Query()
	})
	close(pool)
	for conn := range pool {
		conn.Close()
	}
}

// requestsErrgroup is Python's ThreadPoolExecutor(max_workers=K) in Go:
// an errgroup with SetLimit(K) starts a goroutine for a request only when
// fewer than K are running (g.Go waits otherwise), so there are never more
// than K goroutines, nor connections. The first error cancels the rest.
func requestsErrgroup(db *Database, r *requests) {
	g, ctx := errgroup.WithContext(r.ctx)
	g.SetLimit(r.limit)
	for q := range r.all(ctx) {
		g.Go(func() error { return q.finish(query(db, q)) })
	}
	g.Wait()
}

// requestsUnbounded has no limit: every request connects at once, the
// database refuses every connection past its K, and those requests fail.
func requestsUnbounded(db *Database, r *requests) {
	r.each(func(q *request) error { return query(db, q) })
}

// query is one request's work on a connection of its own: connect, run
// one query, close.
func query(db *Database, q *request) error {
	conn, err := db.Connect()
	if err != nil {
		return err
	}
	defer conn.Close()
	q.acquired()
	return conn.Query()
}
