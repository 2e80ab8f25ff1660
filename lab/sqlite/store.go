// Package sqlite is a runs.Store kept in an embedded SQLite file, using the
// pure-Go driver modernc.org/sqlite (no cgo).
//
// The database runs in WAL mode, so readers never wait for the writer nor
// the writer for readers. All writes go through one connection: SQLite
// allows one writer at a time anyway, and queueing writers in the Go pool
// rather than in SQLite's busy handler means no write ever fails with
// SQLITE_BUSY because of this process. busy_timeout still covers other
// processes (a backup, the sqlite3 shell) holding the lock for a moment.
package sqlite

import (
	"concurrencylab/lab/runs"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// readConns is how many connections may read at once.
const readConns = 4

// A Store is a runs.Store in an SQLite database file. It is safe for
// concurrent use.
type Store struct {
	write *sql.DB // one connection: every INSERT, UPDATE and migration
	read  *sql.DB // up to readConns query-only connections
}

var _ runs.Store = (*Store)(nil)

// Open opens the database at path, creating the file if it does not
// exist (its directory must), and brings its schema up to date. Close the
// Store when done.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		// In-memory databases are per connection, so the two pools would
		// not share one; and a URI would be mangled by dsn.
		return nil, fmt.Errorf("sqlite: open %q: want a file path", path)
	}
	write, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	// Migrate before the read pool connects, so the file is already in WAL
	// mode and has its tables when readers arrive.
	if err := migrate(ctx, write, migrationFS); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(readConns)
	read.SetMaxIdleConns(readConns)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &Store{write: write, read: read}, nil
}

// dsn returns the data source name for path. The pragmas ride in the DSN
// so that every connection either pool opens gets them, not just the first.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)") // durable enough with WAL: a crash loses at most the last commits, never the file
	if readOnly {
		q.Set("_query_only", "1") // a bug that writes through the read pool fails instead of racing the writer
	} else {
		// Take the write lock at BEGIN, not at the first write, so a
		// transaction that reads then writes cannot fail half-way with
		// SQLITE_BUSY when another process writes.
		q.Set("_txlock", "immediate")
	}
	// SQLite decodes %XX in a file: URI's path; escape what would end it.
	p := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	return "file:" + p + "?" + q.Encode()
}

// Close closes the database; the Store must not be used afterwards.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.write.Close())
}
