//go:build !race

package main

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// longRun is a race run that takes a few seconds on this machine.
const longRun = `{"experiment":"race","params":{"goroutines":4,"increments":5000000,"repeat":20,"variants":"sequential,unsynchronized"}}`

// waitEnd polls run id until it has ended and returns its status.
func waitEnd(t *testing.T, base, id string, within time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		status, run := call(t, "GET", base+"/api/runs/"+id, "", "")
		if s, _ := run["status"].(string); status == http.StatusOK && s != "queued" && s != "running" {
			return s
		}
	}
	t.Fatalf("run %s did not end within %v", id, within)
	return ""
}

// A server on -db keeps its runs, their events and its sessions across a
// restart, with a data directory of its own each time.
func TestPostgresKeepsAcrossRestart(t *testing.T) {
	db := newPostgresDB(t)
	base, stop := startServer(t, t.TempDir(), "-db", db)
	id := postRun(t, base, `{"experiment": "race", "params": `+sessionRun+`}`)
	if s := waitEnd(t, base, id, 30*time.Second); s != "done" {
		t.Fatalf("run %s: got %s, want done", id, s)
	}
	before := watch(t, base, "/runs/"+id+"/events")
	sess := createSession(t, base)
	stop()

	base, stop = startServer(t, t.TempDir(), "-db", db)
	defer stop()
	run := getRun(t, base+"/api/runs/"+id)
	if run["status"] != "done" || run["result"] == nil {
		t.Errorf("run after restart: got status %v, result %v, want done with a result", run["status"], run["result"] != nil)
	}
	after := watch(t, base, "/runs/"+id+"/events")
	if len(after) != len(before) || len(after) == 0 || after[len(after)-1]["state"] != "done" {
		t.Errorf("events after restart: got %d ending %v, want the %d before, ending done", len(after), after[len(after)-1], len(before))
	}
	if status, out := call(t, "GET", base+"/api/sessions/"+sess.Code, "", ""); status != http.StatusOK {
		t.Errorf("session %s after restart: got %d %v, want 200", sess.Code, status, out)
	}
}

// postRun posts a run and returns its id.
func postRun(t *testing.T, base, body string) string {
	t.Helper()
	status, out := call(t, "POST", base+"/api/runs", "", body)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/runs: got %d %v, want 201", status, out)
	}
	return out["id"].(string)
}

// PostgreSQL restarted under a running run: the run ends done or
// interrupted, the server reconnects by itself, and nothing finished is
// lost.
func TestPostgresRestartMidRun(t *testing.T) {
	db := newPostgresDB(t)
	dir := t.TempDir()
	base, stop := startServer(t, dir, "-db", db)
	defer func() { stop() }()
	done := postRun(t, base, `{"experiment": "race", "params": `+sessionRun+`}`)
	waitEnd(t, base, done, 30*time.Second)
	id := postRun(t, base, longRun)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, run := call(t, "GET", base+"/api/runs/"+id, "", ""); run["status"] == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the run did not start within 10s")
		}
	}
	start := time.Now()
	if err := pgCluster.Restart(); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostgreSQL restarted in %v", time.Since(start))
	status := waitEnd(t, base, id, 60*time.Second)
	if status != "done" && status != "interrupted" {
		t.Errorf("run across the restart: got %s, want done or interrupted", status)
	}
	t.Logf("the run across the restart ended %s, %v after the restart began", status, time.Since(start))
	if run := getRun(t, base+"/api/runs/"+id); status == "done" {
		started, _ := time.Parse(time.RFC3339Nano, run["started"].(string))
		finished, _ := time.Parse(time.RFC3339Nano, run["finished"].(string))
		if finished.Before(start) {
			t.Errorf("the run finished at %v, before the restart began at %v: it was not across the restart", finished, start)
		}
		t.Logf("it ran %v", finished.Sub(started))
	}
	next := postRun(t, base, `{"experiment": "race", "params": `+sessionRun+`}`)
	if s := waitEnd(t, base, next, 30*time.Second); s != "done" {
		t.Errorf("a run after the restart: got %s, want done", s)
	}
	stop()
	base, stop = startServer(t, dir, "-db", db)
	for _, r := range []struct{ id, want string }{{done, "done"}, {id, status}, {next, "done"}} {
		run := getRun(t, base+"/api/runs/"+r.id)
		if run["status"] != r.want {
			t.Errorf("run %s after the server's restart: got %v, want %s", r.id, run["status"], r.want)
		}
		if events := watch(t, base, "/runs/"+r.id+"/events"); len(events) == 0 || events[len(events)-1]["state"] != r.want {
			t.Errorf("run %s after the server's restart: got %d events, want them ending %s", r.id, len(events), r.want)
		}
	}
}

// With its database down, the server answers 503 with a message within
// 5 s, never hangs, and serves again once the database is back.
func TestPostgresUnreachable(t *testing.T) {
	db := newPostgresDB(t)
	base, stop := startServer(t, t.TempDir(), "-db", db)
	defer stop()
	id := postRun(t, base, `{"experiment": "race", "params": `+sessionRun+`}`)
	waitEnd(t, base, id, 30*time.Second)
	if err := pgCluster.Stop(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	defer func() {
		if !restarted {
			pgCluster.Start()
		}
	}()
	// All at once, as a room of learners would ask.
	client := &http.Client{Timeout: 20 * time.Second}
	var wg sync.WaitGroup
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/runs/" + id, ""},
		{"POST", "/api/runs", `{"experiment": "race", "params": ` + sessionRun + `}`},
		{"GET", "/runs/" + id, ""},
		{"GET", "/api/sessions/ABCDEF", ""},
	} {
		wg.Go(func() {
			req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			res, err := client.Do(req)
			took := time.Since(start)
			if err != nil {
				t.Errorf("%s %s: %v after %v", c.method, c.path, err, took)
				return
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			t.Logf("%s %s with the database down: %d in %v", c.method, c.path, res.StatusCode, took.Round(time.Millisecond))
			if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "database is not answering") {
				t.Errorf("%s %s: got %d %.200s, want 503 saying the database is not answering", c.method, c.path, res.StatusCode, body)
			}
			if took > 5*time.Second {
				t.Errorf("%s %s: answered after %v, want within 5s", c.method, c.path, took)
			}
		})
	}
	wg.Wait()
	if err := pgCluster.Start(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	if run := getRun(t, base+"/api/runs/"+id); run["status"] != "done" {
		t.Errorf("run %s once the database is back: got %v, want done", id, run["status"])
	}
}

// A -db URL is never quoted back: it may carry a password.
func TestDBURLNotQuoted(t *testing.T) {
	for _, u := range []string{"mysql://u:s3cret@h/lab", "postgres://u:s3cret@h:notaport/lab"} {
		err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-db", u},
			func(string) string { return "" }, io.Discard, nil)
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("-db %s: got %v, want an error that does not quote the password", u, err)
		}
	}
}
