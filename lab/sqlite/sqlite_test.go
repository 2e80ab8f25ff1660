package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"

	"go.uber.org/goleak"

	"concurrencylab/lab/migration"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// openStore opens a store at path and closes it when the test ends.
func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func dbPath(t *testing.T) string { return filepath.Join(t.TempDir(), "lab.db") }

// TestStore runs the suite every store passes.
func TestStore(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		New: dbPath,
		Open: func(ctx context.Context, path string) (storetest.Store, error) {
			return Open(ctx, path)
		},
	})
}

func checkRun(t *testing.T, s *Store, want runs.Run) {
	t.Helper()
	storetest.CheckRun(t, s, want)
}

func fullRun(id string, status runs.Status) runs.Run { return storetest.FullRun(id, status) }

// schemaVersions returns the versions recorded in schema_version, in order.
func schemaVersions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestMigrationsIdempotent(t *testing.T) {
	ms, err := migration.Load(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.Version)
	}
	path := dbPath(t)
	for i := range 3 {
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		got := schemaVersions(t, s.read)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Open #%d: got schema versions %v, want %v", i+1, got, want)
		}
	}
}

// openRaw opens path as Open's writer does, without migrating.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateLater(t *testing.T) {
	initSQL, err := migrationFS.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	v1 := fstest.MapFS{"migrations/0001_init.sql": {Data: initSQL}}
	good := fstest.MapFS{
		"migrations/0001_init.sql":     {Data: initSQL},
		"migrations/0002_sessions.sql": {Data: []byte("CREATE TABLE sessions (id TEXT PRIMARY KEY);\nCREATE INDEX sessions_id ON sessions(id);")},
	}
	bad := fstest.MapFS{
		"migrations/0001_init.sql":   {Data: initSQL},
		"migrations/0002_broken.sql": {Data: []byte("CREATE TABLE half (id TEXT);\nNOT SQL AT ALL;")},
	}
	ctx := t.Context()
	db := openRaw(t, dbPath(t))
	if err := migrate(ctx, db, v1); err != nil {
		t.Fatal(err)
	}

	if err := migrate(ctx, db, bad); err == nil {
		t.Errorf("broken migration: got nil error, want one")
	}
	if got := schemaVersions(t, db); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("after a broken migration: got versions %v, want [1]", got)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'half'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("broken migration left table half behind, want it rolled back")
	}

	for range 2 {
		if err := migrate(ctx, db, good); err != nil {
			t.Fatal(err)
		}
		if got := schemaVersions(t, db); !reflect.DeepEqual(got, []int{1, 2}) {
			t.Errorf("got versions %v, want [1 2]", got)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sessions (id) VALUES ('x')`); err != nil {
		t.Errorf("migration 2 did not create sessions: %v", err)
	}
	if err := migrate(ctx, db, v1); err == nil {
		t.Errorf("older program on a newer database: got nil error, want one")
	}
}

func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a ?b#c%20d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "lab.db")
	s := openStore(t, path)
	r := fullRun("odd", runs.StatusDone)
	if err := s.SaveRun(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %q: %v", path, err)
	}
	checkRun(t, s, r)
}

func TestPragmas(t *testing.T) {
	s := openStore(t, dbPath(t))
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"busy_timeout", "5000"},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
	}
	for _, db := range []*sql.DB{s.write, s.read} {
		for _, tt := range tests {
			var got string
			if err := db.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s: got %q, want %q", tt.pragma, got, tt.want)
			}
		}
	}
	if _, err := s.read.ExecContext(t.Context(), `DELETE FROM runs`); err == nil {
		t.Errorf("write through the read pool: got nil error, want one")
	}
}
