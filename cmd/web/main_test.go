package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"concurrencylab/experiments/pure"
	"concurrencylab/lab"
	"concurrencylab/lab/process"
)

// TestMain serves as a run's child process when the server under test
// starts this binary again for a run of an experiment that needs cgo, as
// main does; other runs start the runner program, built once here.
func TestMain(m *testing.M) {
	if code, ok := pure.Helper(); ok {
		os.Exit(code)
	}
	if process.IsChild() {
		os.Exit(child(os.Getenv))
	}
	if isDecodeChild(os.Getenv) {
		os.Exit(decodeChildCrashing())
	}
	dir, err := os.MkdirTemp("", "lab-runner-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runnerProgram, err = buildRunner(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	stopPostgres()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runnerProgram is the runner program the servers under test start for
// runs that need no cgo.
var runnerProgram string

// buildRunner builds cmd/runner into dir as make build does, pure Go;
// under the race detector, with it (which needs cgo), so the experiments'
// code is checked in their children too.
func buildRunner(dir string) (string, error) {
	out := filepath.Join(dir, "runner")
	args := []string{"build", "-o", out}
	env := append(os.Environ(), "CGO_ENABLED=0")
	if lab.RaceEnabled {
		args = append(args, "-race")
		env = append(os.Environ(), "CGO_ENABLED=1")
	}
	cmd := exec.Command("go", append(args, "concurrencylab/cmd/runner")...)
	cmd.Env = env
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build cmd/runner: %v\n%s", err, msg)
	}
	return out, nil
}

func TestParseFlags(t *testing.T) {
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{"defaults", nil, nil, Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true}, ""},
		{"PORT", nil, map[string]string{"PORT": "9000"}, Config{Runners: -1, Addr: ":9000", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true}, ""},
		{"env fallback", nil, map[string]string{"LAB_ADDR": "127.0.0.1:1", "LAB_DATA": "/d", "LAB_CORES_PER_RUN": "3", "LAB_RUN_TIMEOUT": "30s", "LAB_RUN_MEMORY": "512MiB"},
			Config{Runners: -1, Addr: "127.0.0.1:1", Data: "/d", Clips: "/d/clips", CoresPerRun: 3, RunTimeout: 30 * time.Second, RunMemory: 512 << 20, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true}, ""},
		{"cores and memory flags", []string{"-cores-per-run", "1", "-run-memory", "2G"}, nil,
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", CoresPerRun: 1, RunTimeout: 2 * time.Minute, RunMemory: 2 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true}, ""},
		{"flags beat env", []string{"-addr", ":1", "-clips", "/c", "-log-format", "json"}, map[string]string{"LAB_ADDR": ":2"},
			Config{Runners: -1, Addr: ":1", Data: "./data", Clips: "/c", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "json", Edit: true}, ""},
		{"parallel runs are gone", []string{"-parallel-runs", "2"}, nil, Config{}, "-parallel-runs (LAB_PARALLEL_RUNS) is gone"},
		{"parallel runs env is gone", nil, map[string]string{"LAB_PARALLEL_RUNS": "2"}, Config{}, "set -cores-per-run"},
		{"bad cores", []string{"-cores-per-run", "-1"}, nil, Config{}, "-cores-per-run must be at least 1 (or 0 for every usable CPU), got -1"},
		{"bad env number", nil, map[string]string{"LAB_CORES_PER_RUN": "abc"}, Config{}, `LAB_CORES_PER_RUN must be a whole number, got "abc"`},
		{"bad memory", []string{"-run-memory", "lots"}, nil, Config{}, `must be a size such as 512MiB or 2GiB, got "lots"`},
		{"bad env memory", nil, map[string]string{"LAB_RUN_MEMORY": "-1G"}, Config{}, `LAB_RUN_MEMORY must be a size such as 512MiB or 2GiB, got "-1G"`},
		{"too little memory", []string{"-run-memory", "1MiB"}, nil, Config{}, "-run-memory must be at least 128MiB, got 1MiB"},
		{"bad env duration", nil, map[string]string{"LAB_RUN_TIMEOUT": "300"}, Config{}, `LAB_RUN_TIMEOUT must be a duration such as 90s or 2m, got "300"`},
		{"bad timeout", []string{"-run-timeout", "1ms"}, nil, Config{}, "-run-timeout must be at least 1s"},
		{"bad log format", []string{"-log-format", "xml"}, nil, Config{}, `-log-format must be text or json, got "xml"`},
		{"unknown flag", []string{"-nope"}, nil, Config{}, "flag provided but not defined: -nope"},
		{"proxy and share", []string{"-trusted-proxy", "10.0.0.0/8,192.0.2.1", "-runs-per-address", "3"}, nil,
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 3, TrustedProxy: "10.0.0.0/8,192.0.2.1", LogFormat: "text", Edit: true}, ""},
		{"proxy env", nil, map[string]string{"LAB_TRUSTED_PROXY": "::1", "LAB_RUNS_PER_ADDRESS": "2"},
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 2, TrustedProxy: "::1", LogFormat: "text", Edit: true}, ""},
		{"bad proxy", []string{"-trusted-proxy", "10.0.0.0/33"}, nil, Config{}, "-trusted-proxy: not a CIDR prefix or an address: 10.0.0.0/33"},
		{"bad share", []string{"-runs-per-address", "0"}, nil, Config{}, "-runs-per-address must be at least 1, got 0"},
		{"public URL", []string{"-public-url", "http://lab.example.org:8080/"}, nil,
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true, PublicURL: "http://lab.example.org:8080"}, ""},
		{"public URL from env", nil, map[string]string{"LAB_PUBLIC_URL": "https://[2001:db8::1]"},
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true, PublicURL: "https://[2001:db8::1]"}, ""},
		{"allowed hosts", nil, map[string]string{"LAB_ALLOWED_HOSTS": "lab.example.org,192.0.2.1"},
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true, AllowedHosts: "lab.example.org,192.0.2.1"}, ""},
		{"allowed host with a scheme", []string{"-allowed-hosts", "http://lab.example.org"}, nil, Config{}, `-allowed-hosts (LAB_ALLOWED_HOSTS): not a host name or an address: "http://lab.example.org"`},
		{"public URL without scheme", []string{"-public-url", "lab.example.org:8080"}, nil, Config{}, `-public-url (LAB_PUBLIC_URL) must be an absolute http(s) URL of a host, such as http://lab.example.org:8080: the scheme must be http or https, got "lab.example.org:8080"`},
		{"public URL ftp", []string{"-public-url", "ftp://lab.example.org"}, nil, Config{}, "the scheme must be http or https"},
		{"public URL with a path", []string{"-public-url", "http://lab.example.org/lab"}, nil, Config{}, `it must not have a path, got "http://lab.example.org/lab"`},
		{"public URL with a query", []string{"-public-url", "http://lab.example.org/?x=1"}, nil, Config{}, "it must not have a query"},
		{"public URL with a fragment", []string{"-public-url", "http://lab.example.org#x"}, nil, Config{}, "it must not have a fragment"},
		{"public URL with no host", []string{"-public-url", "http:///x"}, nil, Config{}, "it has no host"},
		{"public URL with a user", []string{"-public-url", "http://me:pw@lab.example.org"}, nil, Config{}, "user name or password"},
		{"public URL with a bad port", []string{"-public-url", "http://lab.example.org:99999"}, nil, Config{}, "the port must be 1..65535"},
		{"db", []string{"-db", "postgres://lab:pw@db.example.org/lab"}, nil,
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true, DB: "postgres://lab:pw@db.example.org/lab"}, ""},
		{"db from env", nil, map[string]string{"LAB_DB": "postgresql:///lab?host=/run/postgresql", "LAB_DEBUG_ADDR": "127.0.0.1:6060"},
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true, DB: "postgresql:///lab?host=/run/postgresql", DebugAddr: "127.0.0.1:6060"}, ""},
		{"db not postgres", []string{"-db", "mysql://u:secret@h/lab"}, nil, Config{}, "-db (LAB_DB) must be a PostgreSQL URL"},
		{"debug off loopback", []string{"-debug-addr", "0.0.0.0:6060"}, nil, Config{}, `-debug-addr (LAB_DEBUG_ADDR) must be on loopback (127.0.0.1, ::1 or localhost), got "0.0.0.0"`},
		{"bad public URL env", nil, map[string]string{"LAB_PUBLIC_URL": "http://a b"}, Config{}, "-public-url (LAB_PUBLIC_URL)"},
		{"runners 0 needs a database", []string{"-runners", "0"}, nil, Config{}, "-runners 0 serves without executing runs: it needs -db"},
		{"bad runners", []string{"-runners", "-2"}, nil, Config{}, "-runners must be 0 or more, got -2"},
		{"serve only", []string{"-runners", "0", "-db", "postgres://db.example.org/lab"}, nil,
			Config{Runners: 0, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true, DB: "postgres://db.example.org/lab"}, ""},
		{"runner program", []string{"-runner-program", "/opt/lab/runner"}, nil,
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true, RunnerProgram: "/opt/lab/runner"}, ""},
		{"runner program from env", nil, map[string]string{"LAB_RUNNER_PROGRAM": "/opt/lab/runner"},
			Config{Runners: -1, Addr: ":8080", Data: "./data", Clips: "data/clips", RunTimeout: 2 * time.Minute, RunMemory: 1 << 30, MaxQueue: 100, RunsPerAddress: 10, LogFormat: "text", Edit: true, RunnerProgram: "/opt/lab/runner"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFlags(tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// startServer runs the real server on a free loopback port with its data in
// dir, and returns its base URL and a func that stops it.
func startServer(t testing.TB, dir string, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	// Learners' own code is off unless a test turns it on: its warm-up
	// build would take a runner slot from the test's runs.
	all := append([]string{"-addr", "127.0.0.1:0", "-data", dir, "-runner-program", runnerProgram, "-edit=false"}, args...)
	go func() { errc <- run(ctx, all, func(string) string { return "" }, io.Discard, ready) }()
	select {
	case addr := <-ready:
		stopped := false
		return "http://" + addr, func() {
			if stopped {
				return
			}
			stopped = true
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("server stopped with %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Error("server did not stop within 15s")
			}
		}
	case err := <-errc:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(15 * time.Second):
		cancel()
		t.Fatal("server did not start within 15s")
	}
	return "", nil
}

// A runner program that cannot be started stops the server at start, with
// a message naming the flag; none given and none beside the server, runs
// start the server's own binary.
func TestRunnerProgram(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-runner")
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", dir, "-runner-program", missing},
		func(string) string { return "" }, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "-runner-program (LAB_RUNNER_PROGRAM)") || !strings.Contains(err.Error(), missing) {
		t.Errorf("got %v, want an error naming -runner-program and %s", err, missing)
	}

	var logs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	ready, errc := make(chan string, 1), make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-runner-program", "", "-edit=false"},
			func(string) string { return "" }, &logs, ready)
	}()
	select {
	case addr := <-ready:
		// This test binary serves as every run's process then (TestMain).
		if status := finishRun(t, "http://"+addr, `{"experiment": "race", "params": `+sessionRun+`}`); status != "done" {
			t.Errorf("got a run %s through the server's own binary, want done", status)
		}
	case err := <-errc:
		t.Fatalf("server did not start: %v", err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("server stopped with %v", err)
	}
	if !strings.Contains(logs.String(), "no runner program beside the server") {
		t.Errorf("got logs %q, want a warning that runs start the server's own binary", logs.String())
	}
}

// finishRun posts a run and waits for its end; it returns its status.
func finishRun(t *testing.T, base, body string) string {
	t.Helper()
	status, out := call(t, "POST", base+"/api/runs", "", body)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/runs: got %d %v, want 201", status, out)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		_, run := call(t, "GET", base+"/api/runs/"+out["id"].(string), "", "")
		if s, _ := run["status"].(string); s != "queued" && s != "running" {
			return s
		}
	}
	t.Fatal("the run did not end within 30s")
	return ""
}

func TestBusyPortFailsAtOnce(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	addr := strings.TrimPrefix(base, "http://")
	err := run(context.Background(), []string{"-addr", addr, "-data", t.TempDir()}, func(string) string { return "" }, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("got %v, want address already in use", err)
	}
}

func TestSecondServerOnDataDirStops(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServer(t, dir)
	defer stop()
	// An upload in progress on the first server: a second one must not
	// take it for a leftover and delete it.
	partial := filepath.Join(dir, "clips", ".upload-inflight.avi")
	if err := os.WriteFile(partial, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", dir}, func(string) string { return "" }, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "lock")) {
		t.Fatalf("second server: got %v, want an error naming the lock file", err)
	}
	if _, err := os.Stat(partial); err != nil {
		t.Errorf("the first server's upload in progress: %v, want it left alone", err)
	}
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("first server after the second tried: %v, want it serving", err)
	} else {
		resp.Body.Close()
	}
}

// lockedBuffer is a bytes.Buffer safe for the server's logger and the test.
type lockedBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestStartLogsFileDescriptorLimit(t *testing.T) {
	var out lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-edit=false"}, func(string) string { return "" }, &out, ready)
	}()
	select {
	case <-ready:
	case err := <-errc:
		t.Fatalf("server did not start: %v", err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("server stopped with %v", err)
	}
	for _, want := range []string{"msg=\"file descriptors\" limit=", "run_sockets_total=", "run_sockets_per_address=1200"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up log lacks %q:\n%s", want, out.String())
		}
	}
}
