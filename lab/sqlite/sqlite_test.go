package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runs"
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

func ptr[T any](v T) *T { return &v }

// fullRun returns a run with every field set. Times are UTC and numbers in
// maps float64, so the JSON round trip gives back exactly this value.
func fullRun(id string, status runs.Status) runs.Run {
	created := time.Date(2025, 3, 4, 5, 6, 7, 890123000, time.UTC)
	return runs.Run{
		ID:         id,
		Experiment: "mutex-vs-atomic",
		Params:     map[string]any{"n": 1000.0, "workers": 8.0, "mode": "fast", "flags": []any{"a", "b"}},
		Status:     status,
		Created:    created,
		Started:    ptr(created.Add(time.Second)),
		Finished:   ptr(created.Add(3 * time.Second)),
		Result: &lab.Result{
			Verdict: "atomic was fastest: 1.2 ms, 3.40x the baseline.",
			Variants: []lab.VariantResult{
				{
					Name: "mutex", Baseline: true, MedianMs: 4.08, MinMs: 3.9, MaxMs: 5.1, Speedup: 1,
					Correct: ptr(true), Expected: ptr[int64](8000), Got: ptr[float64](8000),
					Trials: []lab.TrialResult{
						{Ms: 4.08, Expected: ptr[int64](8000), Got: ptr[int64](8000)},
						{Ms: 3.9, Expected: ptr[int64](8000), Got: ptr[int64](8000), Extra: map[string]any{"gc": 2.0}},
					},
					Peaks: map[string]any{"goroutines": 9.0, "heap_mb": 1.5},
				},
				{
					Name: "racy", MedianMs: 1.1, MinMs: 1, MaxMs: 1.3, Speedup: 3.709,
					Correct: ptr(false), Expected: ptr[int64](8000), Got: ptr[float64](7431),
					Trials: []lab.TrialResult{{Ms: 1.1, Got: ptr[int64](7431)}},
					Peaks:  map[string]any{},
					Extra:  map[string]any{"note": "lost updates", "lost": 569.0},
				},
				{Name: "noop", Trials: []lab.TrialResult{}, Peaks: map[string]any{}}, // nil pointers
			},
		},
		Error: "",
		Env:   lab.Env{GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", NumCPU: 8, GOMAXPROCS: 8, InFlight: 2},
	}
}

// eventAt returns event seq of a run's stream, as lab would encode it.
func eventAt(seq int64) runs.Event {
	typ, key := event.TypeProgress, fmt.Sprintf("v%d", seq%3)
	if seq == 0 {
		typ, key = event.TypeStatus, ""
	}
	data := fmt.Sprintf(`{"seq":%d,"t":%d.5,"type":%q,"variant":%q,"done":[1,2]}`, seq, seq, typ, key)
	return runs.Event{Seq: seq, Type: typ, Key: key, Data: json.RawMessage(data)}
}

func events(seqs ...int64) []runs.Event {
	es := make([]runs.Event, len(seqs))
	for i, s := range seqs {
		es[i] = eventAt(s)
	}
	return es
}

func span(from, to int64) []int64 {
	var s []int64
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// checkEvents compares events field by field, Data as JSON values.
func checkEvents(t *testing.T, got, want []runs.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.Type != w.Type || g.Key != w.Key {
			t.Errorf("event %d: got seq %d type %q key %q, want seq %d type %q key %q",
				i, g.Seq, g.Type, g.Key, w.Seq, w.Type, w.Key)
		}
		var gv, wv any
		if err := json.Unmarshal(g.Data, &gv); err != nil {
			t.Fatalf("event %d: data %s: %v", i, g.Data, err)
		}
		if err := json.Unmarshal(w.Data, &wv); err != nil {
			t.Fatalf("event %d: want data %s: %v", i, w.Data, err)
		}
		if !reflect.DeepEqual(gv, wv) {
			t.Errorf("event %d: got data %s, want %s", i, g.Data, w.Data)
		}
	}
}

func checkRun(t *testing.T, s *Store, want runs.Run) {
	t.Helper()
	got, err := s.LoadRun(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("LoadRun(%s): %v", want.ID, err)
	}
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Errorf("LoadRun(%s):\ngot  %s\nwant %s", want.ID, gj, wj)
	}
}

func checkLoadEvents(t *testing.T, s *Store, id string, want []runs.Event) {
	t.Helper()
	got, err := s.LoadEvents(t.Context(), id)
	if err != nil {
		t.Fatalf("LoadEvents(%s): %v", id, err)
	}
	checkEvents(t, got, want)
}

func TestRoundTrip(t *testing.T) {
	s := openStore(t, dbPath(t))
	ctx := t.Context()
	r := fullRun("abc234", runs.StatusDone)
	if err := s.SaveRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	es := events(span(0, 10)...)
	if err := s.SaveEvents(ctx, r.ID, es); err != nil {
		t.Fatal(err)
	}
	checkRun(t, s, r)
	checkLoadEvents(t, s, r.ID, es)

	// SaveRun replaces: the same id with new contents.
	r.Status, r.Error, r.Result = runs.StatusFailed, "boom", nil
	if err := s.SaveRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	checkRun(t, s, r)
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM runs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("got %d rows in runs, want 1", n)
	}
}

func TestSaveEventsIdempotent(t *testing.T) {
	tests := []struct {
		name    string
		batches [][]int64
		want    []int64
	}{
		{"same twice", [][]int64{span(0, 5), span(0, 5)}, span(0, 5)},
		{"overlapping", [][]int64{span(0, 5), span(3, 9)}, span(0, 9)},
		{"out of order", [][]int64{{4, 2, 3}, {0, 1, 2}}, span(0, 5)},
		{"empty batch", [][]int64{span(0, 2), nil}, span(0, 2)},
	}
	s := openStore(t, dbPath(t))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("run%d", i)
			if err := s.SaveRun(t.Context(), fullRun(id, runs.StatusRunning)); err != nil {
				t.Fatal(err)
			}
			for _, b := range tt.batches {
				if err := s.SaveEvents(t.Context(), id, events(b...)); err != nil {
					t.Fatal(err)
				}
			}
			checkLoadEvents(t, s, id, events(tt.want...))
		})
	}

	t.Run("stored seq left alone", func(t *testing.T) {
		ctx := t.Context()
		if err := s.SaveRun(ctx, fullRun("keep", runs.StatusRunning)); err != nil {
			t.Fatal(err)
		}
		first := runs.Event{Seq: 0, Type: event.TypeLog, Key: "", Data: json.RawMessage(`{"seq":0,"msg":"first"}`)}
		again := runs.Event{Seq: 0, Type: event.TypeError, Key: "x", Data: json.RawMessage(`{"seq":0,"msg":"again"}`)}
		for _, e := range []runs.Event{first, again} {
			if err := s.SaveEvents(ctx, "keep", []runs.Event{e}); err != nil {
				t.Fatal(err)
			}
		}
		checkLoadEvents(t, s, "keep", []runs.Event{first})
	})
}

func TestSaveEventsUnknownRun(t *testing.T) {
	s := openStore(t, dbPath(t))
	if err := s.SaveEvents(t.Context(), "nosuchrun", events(0)); err == nil {
		t.Errorf("SaveEvents of an unsaved run: got nil error, want a foreign key error")
	}
}

func TestRestart(t *testing.T) {
	path := dbPath(t)
	ctx := t.Context()
	r := fullRun("restart", runs.StatusDone)
	es := events(span(0, 20)...)

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEvents(ctx, r.ID, es); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openStore(t, path)
	checkRun(t, s, r)
	checkLoadEvents(t, s, r.ID, es)
}

func TestInterrupt(t *testing.T) {
	path := dbPath(t)
	ctx := t.Context()
	before := []runs.Run{
		fullRun("queued", runs.StatusQueued),
		fullRun("running", runs.StatusRunning),
		fullRun("failing", runs.StatusRunning), // keeps its own error
		fullRun("done", runs.StatusDone),
		fullRun("failed", runs.StatusFailed),
		fullRun("cancelled", runs.StatusCancelled),
	}
	before[0].Result, before[0].Started, before[0].Finished = nil, nil, nil
	before[2].Error = "worker panicked"
	before[4].Error = "boom"

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range before {
		if err := s.SaveRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Interrupt(ctx)
	if err != nil {
		t.Fatalf("Interrupt: %v", err)
	}
	if n != 3 {
		t.Errorf("Interrupt: got %d, want 3", n)
	}

	want := make(map[string]runs.Run)
	for _, r := range before {
		if !r.Status.Final() {
			r.Status = runs.StatusInterrupted
			if r.Error == "" {
				r.Error = "the server stopped during the run"
			}
		}
		want[r.ID] = r
	}
	check := func(t *testing.T, s *Store) {
		t.Helper()
		for _, r := range before {
			checkRun(t, s, want[r.ID])
			var status string
			if err := s.read.QueryRowContext(ctx, `SELECT status FROM runs WHERE id = ?`, r.ID).Scan(&status); err != nil {
				t.Fatal(err)
			}
			if status != string(want[r.ID].Status) {
				t.Errorf("run %s: got status column %q, want %q", r.ID, status, want[r.ID].Status)
			}
		}
	}
	check(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openStore(t, path)
	check(t, s)
	if n, err := s.Interrupt(ctx); err != nil || n != 0 {
		t.Errorf("Interrupt after reopen: got %d, %v, want 0, nil", n, err)
	}
}

func TestLoadRunNotFound(t *testing.T) {
	s := openStore(t, dbPath(t))
	_, err := s.LoadRun(t.Context(), "nosuchrun")
	if !errors.Is(err, lab.ErrNotFound) {
		t.Errorf("LoadRun of an unknown id: got error %v, want lab.ErrNotFound", err)
	}
	es, err := s.LoadEvents(t.Context(), "nosuchrun")
	if err != nil || len(es) != 0 {
		t.Errorf("LoadEvents of an unknown id: got %d events, %v, want 0, nil", len(es), err)
	}
}

func TestConcurrent(t *testing.T) {
	const goroutines, perGoroutine, nevents = 8, 20, 12
	s := openStore(t, dbPath(t))
	ctx := t.Context()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				r := fullRun(fmt.Sprintf("g%dr%d", g, i), runs.StatusRunning)
				if err := s.SaveRun(ctx, r); err != nil {
					t.Errorf("SaveRun(%s): %v", r.ID, err)
					return
				}
				// Two overlapping batches, as a live run flushes them.
				if err := s.SaveEvents(ctx, r.ID, events(span(0, nevents/2+2)...)); err != nil {
					t.Errorf("SaveEvents(%s): %v", r.ID, err)
					return
				}
				if err := s.SaveEvents(ctx, r.ID, events(span(nevents/2, nevents)...)); err != nil {
					t.Errorf("SaveEvents(%s): %v", r.ID, err)
					return
				}
				r.Status = runs.StatusDone
				if err := s.SaveRun(ctx, r); err != nil {
					t.Errorf("SaveRun(%s): %v", r.ID, err)
					return
				}
				if _, err := s.LoadRun(ctx, r.ID); err != nil {
					t.Errorf("LoadRun(%s): %v", r.ID, err)
				}
				if _, err := s.LoadEvents(ctx, r.ID); err != nil {
					t.Errorf("LoadEvents(%s): %v", r.ID, err)
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for g := range goroutines {
		for i := range perGoroutine {
			id := fmt.Sprintf("g%dr%d", g, i)
			r, err := s.LoadRun(ctx, id)
			if err != nil {
				t.Fatalf("LoadRun(%s): %v", id, err)
			}
			if r.Status != runs.StatusDone {
				t.Errorf("run %s: got status %q, want %q", id, r.Status, runs.StatusDone)
			}
			checkLoadEvents(t, s, id, events(span(0, nevents)...))
		}
	}
}

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
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.version)
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

func TestLoadMigrationsErrors(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name string
		fsys fstest.MapFS
	}{
		{"gap", fstest.MapFS{"migrations/0001_a.sql": file, "migrations/0003_c.sql": file}},
		{"repeat", fstest.MapFS{"migrations/0001_a.sql": file, "migrations/0001_b.sql": file}},
		{"no number", fstest.MapFS{"migrations/init.sql": file}},
		{"zero", fstest.MapFS{"migrations/0000_a.sql": file}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := loadMigrations(tt.fsys); err == nil {
				t.Errorf("got nil error, want one")
			}
		})
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
