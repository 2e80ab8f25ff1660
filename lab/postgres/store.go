// Package postgres is the lab's store in PostgreSQL (github.com/jackc/pgx):
// runs, their events and workshop sessions, behind the same interfaces as
// the SQLite store (runs.Store, session.Store), for an operator who keeps
// the lab's data in a database they already run and back up.
//
// The database may go away and come back (a restart, a failover): every
// operation is retried on a failed or lost connection, with a growing
// pause, until its own deadline; after that it fails with an error of kind
// errs.Unavailable (503), whose message names no host. The pool replaces
// broken connections by itself, so the store needs no reconnect of its own.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"concurrencylab/lab/errs"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/session"
)

// Deadlines of one operation, retries included. A request waits for the
// store at most opTimeout, so an unreachable database answers 503 within
// seconds, never hangs; storing a run's events may take longer.
const (
	opTimeout      = 3 * time.Second
	eventsTimeout  = 30 * time.Second
	connectTimeout = 2 * time.Second // per attempt, when the URL sets none
	pingTimeout    = time.Second
)

// A Store keeps runs and sessions in a PostgreSQL database. It is safe for
// concurrent use.
type Store struct {
	log  *slog.Logger
	pool *pgxpool.Pool

	notes         *notifier // wakes watchers of other servers' changes
	listenOnce    sync.Once
	stopListening func() // set once listening has begun
}

var (
	_ runs.Store    = (*Store)(nil)
	_ session.Store = (*Store)(nil)
)

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://), as -db takes it.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at url, a postgres:// URL (TLS,
// credentials and the rest as the URL and libpq's environment variables
// give them), and brings its schema up to date. Close the Store when done.
func Open(ctx context.Context, log *slog.Logger, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parser's message may quote the URL, password and all.
		return nil, errors.New("postgres: the -db URL does not parse: want postgres://user:password@host:port/database?options")
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	cfg.PingTimeout = pingTimeout
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{log: log, pool: pool}
	s.notes = &notifier{start: func() { s.listenOnce.Do(s.startListening) }}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	mctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := migrate(mctx, pool, migrationFS); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	return s, nil
}

// Close closes every connection; the Store must not be used afterwards.
func (s *Store) Close() error {
	s.listenOnce.Do(func() {}) // no listening begins after this
	if s.stopListening != nil {
		s.stopListening()
	}
	s.pool.Close()
	return nil
}

// do runs f until it succeeds, fails for a reason other than the
// connection, or timeout has passed, pausing between attempts. All of the
// store's statements may run twice: they are reads, upserts or inserts
// that ignore what is already stored.
func (s *Store) do(ctx context.Context, timeout time.Duration, op string, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pause := 50 * time.Millisecond
	for {
		err := f(ctx)
		if err == nil || !connectionLost(err) {
			return err
		}
		select {
		case <-ctx.Done():
			s.log.Warn("database unavailable", "op", op, "err", err)
			return &unavailableError{err: err}
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Second)
	}
}

// connectionLost reports whether err says the database could not be
// reached or the connection broke, rather than that a statement failed.
func connectionLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01..03: the server is
		// shutting down or starting; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "conn closed")
}

// unavailableError is a database that did not answer in time. Its
// message is for the public: the cause, with the database's address, is
// logged where it happened.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string {
	return "the lab's database is not answering: try again in a moment"
}

func (e *unavailableError) Unwrap() []error { return []error{errs.Unavailable, e.err} }

// wrap adds context to err: the operation, as format and a describe it;
// an unavailable database's error goes out as it is, its message being
// for the public and its cause already logged.
func wrap(err error, format string, a ...any) error {
	var u *unavailableError
	if errors.As(err, &u) {
		return u
	}
	return fmt.Errorf(format+": %w", append(a, err)...)
}
