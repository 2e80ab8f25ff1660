//go:build !race

package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"concurrencylab/experiments/race"
)

// mutexCount is the fix a learner writes: a mutex around each increment.
const mutexCount = `package yours

import "sync"

// Count increments c under a mutex, so no update is lost.
func Count(c Counter, goroutines, increments int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range increments {
				mu.Lock()
				c.Increment()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
`

// The lesson with the learner's own code: the starting file, run as
// yours, loses updates on two cores; the same file with a mutex is
// correct in every trial of a six-trial run; a syntax error is refused
// with its line; the file comes back by its id.
func TestYoursRace(t *testing.T) {
	base, _, stop := startEditServer(t)
	defer stop()

	start, err := race.Experiment{}.Info().Edit.StartingFile()
	if err != nil {
		t.Fatal(err)
	}
	startID := mustCheck(t, base, "race", start)

	// Lost updates need two cores at once; on a busy machine a run may
	// get less, so runs are tried again for a while.
	lost := false
	for deadline := time.Now().Add(60 * time.Second); !lost && time.Now().Before(deadline); {
		run := runToEnd(t, base, "race", map[string]any{"variants": "sequential,yours", "code": startID, "repeat": 4}, time.Minute)
		if run["status"] != "done" {
			t.Fatalf("the starting file's run: got %v (%v), want done", run["status"], run["error"])
		}
		yours := variantOf(t, run, "yours")
		lost = yours["correct"] == false && yours["wrong_trials"].(float64) > 0
	}
	if !lost {
		t.Error("the starting file as yours lost no update in a minute of runs on 2 cores")
	}

	fixID := mustCheck(t, base, "race", mutexCount)
	run := runToEnd(t, base, "race", map[string]any{"variants": "unsynchronized,yours", "code": fixID, "repeat": 6}, time.Minute)
	if run["status"] != "done" {
		t.Fatalf("the mutex's run: got %v (%v), want done", run["status"], run["error"])
	}
	yours := variantOf(t, run, "yours")
	if yours["correct"] != true || yours["wrong_trials"].(float64) != 0 || len(yours["trials"].([]any)) != 6 {
		t.Errorf("yours with a mutex: got correct %v, %v wrong of %d trials, want correct in all 6", yours["correct"], yours["wrong_trials"], len(yours["trials"].([]any)))
	}
	if yours["got"].(float64) != 5_000_000 {
		t.Errorf("yours with a mutex counted %v, want 5000000", yours["got"])
	}

	status, out := checkCode(t, base, "race", "package yours\n\nfunc Count(c Counter, goroutines, increments int) {\n\tfor i := 0; i < goroutines; i++ {\n\t\tc.Increment(\n\t}\n}\n")
	problems, _ := out["problems"].([]any)
	if status != http.StatusUnprocessableEntity || len(problems) == 0 {
		t.Fatalf("a syntax error: got %d %v, want 422 with problems", status, out)
	}
	if p := problems[0].(map[string]any); p["line"].(float64) != 6 {
		t.Errorf("a syntax error found on line 6: got the problem %v", p)
	}

	status, out = call(t, "GET", base+"/api/code/"+fixID, "", "")
	if status != http.StatusOK || out["code"] != mutexCount || out["experiment"] != "race" {
		t.Errorf("GET /api/code/%s: got %d %v, want the mutex's file", fixID, status, out)
	}
}

// Bad requests get a 4xx naming what was wrong, and yours is never run
// without checked code.
func TestYoursBadRequests(t *testing.T) {
	base, _, stop := startEditServer(t)
	defer stop()
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"not editable", "POST", "/api/code", `{"experiment": "waits", "code": "package yours"}`, 400, `"waits" has no variant of your own (editable: `},
		{"no experiment", "POST", "/api/code", `{"code": "package yours"}`, 400, "experiment is missing"},
		{"unknown field", "POST", "/api/code", `{"experiment": "race", "source": "x"}`, 400, "unknown field"},
		{"1 MiB of source", "POST", "/api/code", fmt.Sprintf(`{"experiment": "race", "code": %q}`, strings.Repeat("x", 1<<20)), 413, "your code may be at most 65536 bytes"},
		{"wrong package", "POST", "/api/code", `{"experiment": "race", "code": "package main\nfunc Count(c Counter, g, n int) {}"}`, 422, "the package must be yours"},
		{"wrong signature", "POST", "/api/code", `{"experiment": "race", "code": "package yours\nfunc Count(c Counter) {}"}`, 422, "the harness calls func Count(Counter, int, int)"},
		{"refused import", "POST", "/api/code", `{"experiment": "race", "code": "package yours\nimport \"unsafe\"\nvar _ unsafe.Pointer\nfunc Count(c Counter, g, n int) {}"}`, 422, "unsafe is not allowed"},
		{"bad id", "GET", "/api/code/..%2f..%2fetc", "", 400, "a code id is 20 hexadecimal digits"},
		{"unknown id", "GET", "/api/code/0123456789abcdef0123", "", 404, "no code 0123456789abcdef0123"},
		{"yours without code", "POST", "/api/runs", `{"experiment": "race", "params": {"variants": "yours"}}`, 400, "code must name your checked code"},
		{"code of another form", "POST", "/api/runs", `{"experiment": "race", "params": {"variants": "yours", "code": "../x"}}`, 400, "code must be the id checking your code gave"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := call(t, tt.method, base+tt.path, "", tt.body)
			msg, _ := out["error"].(string)
			if status != tt.status || !strings.Contains(msg, tt.want) {
				t.Errorf("got %d %q, want %d with %q", status, msg, tt.status, tt.want)
			}
		})
	}
	// /metrics counts the checks by outcome.
	if got := sample(scrapeMetrics(t, base), `lab_builds_total{result="refused"}`); got != "4" {
		t.Errorf("/metrics: got %q refused checks, want 4 (wrong package, signature, import; the experiment)", got)
	}
	// Code unknown to the server fails the run, naming it.
	run := runToEnd(t, base, "race", map[string]any{"variants": "yours", "code": "0123456789abcdef0123", "repeat": 1}, 30*time.Second)
	if run["status"] != "failed" || !strings.Contains(fmt.Sprint(run["error"]), "no code 0123456789abcdef0123") {
		t.Errorf("a run of unknown code: got %v %v, want failed naming the code", run["status"], run["error"])
	}
}

// A server with editing off says so, and why, and refuses yours.
func TestEditingOff(t *testing.T) {
	base, stop := startServer(t, t.TempDir(), "-edit=false")
	defer stop()
	status, out := call(t, "POST", base+"/api/code", "", `{"experiment": "race", "code": "package yours"}`)
	if status != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(out["error"]), "editing is off on this server: it is turned off (-edit=false)") {
		t.Errorf("got %d %v, want 503 saying editing is off and why", status, out)
	}
	status, out = call(t, "POST", base+"/api/runs", "", `{"experiment": "race", "params": {"variants": "yours", "code": "0123456789abcdef0123"}}`)
	if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(out["error"]), "variants names yours, but editing is off on this server") {
		t.Errorf("a run of yours with editing off: got %d %v, want 400 saying editing is off", status, out)
	}
}
