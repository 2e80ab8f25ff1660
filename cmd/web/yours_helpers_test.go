//go:build !race

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"concurrencylab/lab/sandbox"
)

// sharedBuildCache is the compiler's cache every server under test
// builds learners' code with: a cold cache compiles the standard library
// first (half a minute here), once for the whole test binary and then,
// kept between runs of the tests, not again.
var sharedBuildCache = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(os.TempDir(), "concurrencylab-test-gocache-"+strconv.Itoa(os.Geteuid()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(dir, sandbox.BuildUID, sandbox.BuildUID); err != nil {
			return "", err
		}
	}
	return dir, os.Chmod(dir, 0o755)
})

// startEditServer starts a server with learners' own code on, its
// builds using the shared compiler cache; it returns the base URL, the
// data directory and the stop func.
func startEditServer(t testing.TB, args ...string) (base, data string, stop func()) {
	t.Helper()
	cache, err := sharedBuildCache()
	if err != nil {
		t.Fatal(err)
	}
	data = t.TempDir()
	for d := data; d != filepath.Dir(d); d = filepath.Dir(d) {
		if strings.HasPrefix(d, os.TempDir()) && d != os.TempDir() {
			os.Chmod(d, 0o755) // the sandbox's users reach the builds through it
		}
	}
	build := filepath.Join(data, "code", "build")
	if err := os.MkdirAll(build, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(cache, filepath.Join(build, "gocache")); err != nil {
		t.Fatal(err)
	}
	base, stop = startServer(t, data, append([]string{"-edit=true"}, args...)...)
	return base, data, stop
}

// checkCode posts src as experiment's learner's file and returns the
// status and the answer.
func checkCode(t testing.TB, base, experiment, src string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"experiment": experiment, "code": src})
	return call(t, "POST", base+"/api/code", "", string(body))
}

// mustCheck checks src and returns its code id.
func mustCheck(t testing.TB, base, experiment, src string) string {
	t.Helper()
	status, out := checkCode(t, base, experiment, src)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/code: got %d %v, want 201", status, out)
	}
	id, _ := out["id"].(string)
	return id
}

// runToEnd posts a run with params and waits up to limit for its end; it
// returns the run as GET /api/runs/{id} gives it.
func runToEnd(t testing.TB, base, experiment string, params map[string]any, limit time.Duration) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"experiment": experiment, "params": params})
	status, out := call(t, "POST", base+"/api/runs", "", string(body))
	if status != http.StatusCreated {
		t.Fatalf("POST /api/runs: got %d %v, want 201", status, out)
	}
	id := out["id"].(string)
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, run := call(t, "GET", base+"/api/runs/"+id, "", "")
		if s, _ := run["status"].(string); s != "queued" && s != "running" {
			return run
		}
	}
	t.Fatalf("run %s did not end within %s", id, limit)
	return nil
}

// variantOf returns the named variant of a finished run's result.
func variantOf(t testing.TB, run map[string]any, name string) map[string]any {
	t.Helper()
	res, _ := run["result"].(map[string]any)
	vs, _ := res["variants"].([]any)
	for _, v := range vs {
		if m, _ := v.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("run has no variant %s: %v", name, run)
	return nil
}

// runLog returns the text of a run's log events.
func runLog(t testing.TB, base string, run map[string]any) string {
	t.Helper()
	var b strings.Builder
	for _, e := range watch(t, base, "/runs/"+run["id"].(string)+"/events") {
		if e["type"] == "log" {
			fmt.Fprintln(&b, e["text"])
		}
	}
	return b.String()
}

// sandboxProcesses lists the processes of the users learners' programs
// run as, for checking that none outlives its run.
func sandboxProcesses() []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
				if uid, _ := strconv.Atoi(f[1]); uid >= sandbox.RunUID && uid < sandbox.RunUID+64 {
					found = append(found, e.Name())
				}
			}
		}
	}
	return found
}
