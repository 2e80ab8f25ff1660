//go:build !race

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// These tests run the real catalog, racy counter included, so they are
// built without the race detector.

func postJSON(t testing.TB, url, body string) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func getRun(t testing.TB, url string) map[string]any {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: got %d %s, want 200", url, res.StatusCode, b)
	}
	var run map[string]any
	json.NewDecoder(res.Body).Decode(&run)
	return run
}

// watch reads a run's events over the websocket until the server closes it.
func watch(t testing.TB, base, path string) []map[string]any {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	var events []map[string]any
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Fatalf("socket ended with %v, want a normal closure", err)
			}
			return events
		}
		var e map[string]any
		json.Unmarshal(data, &e)
		events = append(events, e)
	}
}

func TestRaceEndToEnd(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServer(t, dir)
	defer stop()

	status, out := postJSON(t, base+"/api/runs", `{"experiment":"race","params":{"goroutines":8,"increments":500000,"repeat":3}}`)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/runs: got %d %v, want 201", status, out)
	}
	id := out["id"].(string)
	events := watch(t, base, out["events"].(string))

	var spans, lastT float64
	for i, e := range events {
		if e["seq"] != float64(i) {
			t.Fatalf("event %d: got seq %v, want %d", i, e["seq"], i)
		}
		if e["t"].(float64) < lastT {
			t.Errorf("event %d: t went back from %v to %v", i, lastT, e["t"])
		}
		lastT = e["t"].(float64)
		if e["type"] == "span" && e["variant"] == "unsynchronized" {
			spans++
		}
	}
	if spans != 8*3 {
		t.Errorf("got %v unsynchronized spans, want one per goroutine per trial, 24", spans)
	}

	run := getRun(t, base+"/api/runs/"+id)
	if run["status"] != "done" {
		t.Fatalf("got status %v (%v), want done", run["status"], run["error"])
	}
	env := run["env"].(map[string]any)
	if env["num_cpu"].(float64) < 1 || env["gomaxprocs"].(float64) < 1 || !strings.HasPrefix(env["go_version"].(string), "go") || env["in_flight"] != float64(1) {
		t.Errorf("got env %v, want Go version, cores, GOMAXPROCS and in_flight 1", env)
	}
	result := run["result"].(map[string]any)
	var lostSomewhere bool
	for _, v := range result["variants"].([]any) {
		v := v.(map[string]any)
		if len(v["trials"].([]any)) != 3 {
			t.Errorf("%s: got %d trials, want 3", v["name"], len(v["trials"].([]any)))
		}
		if v["expected"] != float64(4_000_000) {
			t.Errorf("%s: got expected %v, want 4000000", v["name"], v["expected"])
		}
		switch v["name"] {
		case "sequential":
			if v["correct"] != true || v["baseline"] != true || v["speedup"] != float64(1) {
				t.Errorf("sequential: got %v, want correct baseline with speedup 1", v)
			}
		case "unsynchronized":
			for _, tr := range v["trials"].([]any) {
				if tr.(map[string]any)["got"].(float64) < 4_000_000 {
					lostSomewhere = true
				}
			}
		}
	}
	verdict := result["verdict"].(string)
	if lostSomewhere != strings.Contains(verdict, "Updates were lost") {
		t.Errorf("verdict %q does not match the trials (lost updates: %v)", verdict, lostSomewhere)
	}

	// The permalink survives a restart, with every event.
	stop()
	base, stop = startServer(t, dir)
	defer stop()
	again := getRun(t, base+"/api/runs/"+id)
	if again["status"] != "done" || again["result"].(map[string]any)["verdict"] != verdict {
		t.Errorf("after restart: got %v, want the same finished run", again["status"])
	}
	if replay := watch(t, base, "/runs/"+id+"/events"); len(replay) != len(events) {
		t.Errorf("after restart: got %d events, want %d", len(replay), len(events))
	}
	res, err := http.Get(base + "/runs/" + id)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("run page after restart: got %v %v, want 200", res.Status, err)
	}
	res.Body.Close()
}

func TestStopInterruptsRuns(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServer(t, dir)
	// A long run, and one queued behind it.
	_, long := postJSON(t, base+"/api/runs", `{"experiment":"race","params":{"goroutines":50,"increments":10000000,"repeat":50}}`)
	_, queued := postJSON(t, base+"/api/runs", `{"experiment":"race"}`)
	time.Sleep(200 * time.Millisecond)
	stop()
	base, stop = startServer(t, dir)
	defer stop()
	for _, r := range []map[string]any{long, queued} {
		if got := getRun(t, base+"/api/runs/"+r["id"].(string)); got["status"] != "interrupted" {
			t.Errorf("run %v: got status %v, want interrupted", r["id"], got["status"])
		}
	}
}

// runThroughLab posts a run of experiment, watches its events over a
// websocket to the end and returns its first variant's median trial time.
func runThroughLab(t testing.TB, base, experiment, query string) (float64, error) {
	params := map[string]string{}
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		params[k] = v
	}
	body, _ := json.Marshal(map[string]any{"experiment": experiment, "params": params})
	status, out := postJSON(t, base+"/api/runs", string(body))
	if status != http.StatusCreated {
		return 0, fmt.Errorf("POST /api/runs: %d %v", status, out)
	}
	watch(t, base, out["events"].(string))
	run := getRun(t, base+"/api/runs/"+out["id"].(string))
	if run["status"] != "done" {
		return 0, fmt.Errorf("run %v: %v %v", out["id"], run["status"], run["error"])
	}
	v := run["result"].(map[string]any)["variants"].([]any)[0].(map[string]any)
	return v["median_ms"].(float64), nil
}
