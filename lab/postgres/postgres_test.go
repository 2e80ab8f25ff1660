package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"concurrencylab/lab/errs"
	"concurrencylab/lab/migration"
	"concurrencylab/lab/pgtest"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/storetest"
)

// cluster is the throwaway PostgreSQL server of this package's tests.
var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	var err error
	cluster, err = pgtest.Start()
	if err != nil {
		// Fail, not skip: the store is tested against a real PostgreSQL.
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := cluster.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

var discard = slog.New(slog.DiscardHandler)

// newDB returns a fresh database's URL.
func newDB(t *testing.T) string {
	t.Helper()
	u, err := cluster.NewDB(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestStore runs the suite every store passes.
func TestStore(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		New: newDB,
		Open: func(ctx context.Context, url string) (storetest.Store, error) {
			return Open(ctx, discard, url)
		},
	})
}

func schemaVersions(t *testing.T, pool *pgxpool.Pool) []int {
	t.Helper()
	var vs []int
	rows, err := pool.Query(t.Context(), `SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

// Several servers opening one database at once apply each migration once.
func TestMigrateConcurrent(t *testing.T) {
	u := newDB(t)
	ms, err := migration.Load(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 4)
	stores := make(chan *Store, 4)
	for range 4 {
		go func() {
			s, err := Open(t.Context(), discard, u)
			errc <- err
			stores <- s
		}()
	}
	for range 4 {
		if err := <-errc; err != nil {
			t.Errorf("Open: %v", err)
		}
		if s := <-stores; s != nil {
			defer s.Close()
			if got := schemaVersions(t, s.pool); len(got) != len(ms) {
				t.Errorf("got schema versions %v, want 1..%d", got, len(ms))
			}
		}
	}
}

func TestMigrateLater(t *testing.T) {
	initSQL, err := migrationFS.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	v1 := fstest.MapFS{"migrations/0001_init.sql": {Data: initSQL}}
	bad := fstest.MapFS{
		"migrations/0001_init.sql":   {Data: initSQL},
		"migrations/0002_broken.sql": {Data: []byte("CREATE TABLE half (id TEXT);\nNOT SQL AT ALL;")},
	}
	s, err := Open(t.Context(), discard, newDB(t)) // at the newest version
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	if err := migrate(ctx, s.pool, v1); err == nil {
		t.Errorf("older program on a newer database: got nil error, want one")
	}
	s2, err := Open(ctx, discard, newDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.pool.Exec(ctx, `DROP TABLE schema_version, events, runs, session_guesses, session_entries, session_learners, sessions`); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, s2.pool, bad); err == nil {
		t.Errorf("broken migration: got nil error, want one")
	}
	if got := schemaVersions(t, s2.pool); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("after a broken migration: got versions %v, want [1]", got)
	}
	var n int
	if err := s2.pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'half'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("broken migration left table half behind, want it rolled back")
	}
}

// A database that accepts connections and never answers (a network
// black hole) fails Open within the connect timeout, and a store whose
// database went away answers with an Unavailable error within its
// deadline: never a hang.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and hold, saying nothing
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	start := time.Now()
	_, err = Open(t.Context(), discard, fmt.Sprintf("postgres://lab@%s/lab?sslmode=disable", ln.Addr()))
	if err == nil {
		t.Fatal("Open of a silent server: got nil error")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Open of a silent server took %v, want a bounded failure", d)
	}

	s, err := Open(t.Context(), discard, newDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SaveRun(t.Context(), storetest.FullRun("before", runs.StatusDone)); err != nil {
		t.Fatal(err)
	}
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := cluster.Start(); err != nil {
			t.Fatal(err)
		}
	}()
	start = time.Now()
	_, err = s.LoadRun(t.Context(), "before")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("LoadRun with the database down took %v, want under 5s", d)
	}
	if errs.KindOf(err) != errs.Unavailable {
		t.Errorf("LoadRun with the database down: got %v (kind %v), want kind unavailable", err, errs.KindOf(err))
	}
}

// Restarted under a store, the database serves it again: what was stored
// is there, and the next writes succeed without reopening.
func TestReconnect(t *testing.T) {
	s, err := Open(t.Context(), discard, newDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := storetest.FullRun("kept", runs.StatusDone)
	if err := s.SaveRun(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	if err := cluster.Restart(); err != nil {
		t.Fatal(err)
	}
	storetest.CheckRun(t, s, r)
	r2 := storetest.FullRun("after", runs.StatusQueued)
	if err := s.SaveRun(t.Context(), r2); err != nil {
		t.Fatalf("SaveRun after a restart: %v", err)
	}
	storetest.CheckRun(t, s, r2)
}
