package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

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
		{"defaults", nil, nil, Config{Addr: ":8080", Data: "./data", Clips: "data/clips", ParallelRuns: 1, RunTimeout: 2 * time.Minute, MaxQueue: 100, LogFormat: "text"}, ""},
		{"PORT", nil, map[string]string{"PORT": "9000"}, Config{Addr: ":9000", Data: "./data", Clips: "data/clips", ParallelRuns: 1, RunTimeout: 2 * time.Minute, MaxQueue: 100, LogFormat: "text"}, ""},
		{"env fallback", nil, map[string]string{"LAB_ADDR": "127.0.0.1:1", "LAB_DATA": "/d", "LAB_PARALLEL_RUNS": "3", "LAB_RUN_TIMEOUT": "30s"},
			Config{Addr: "127.0.0.1:1", Data: "/d", Clips: "/d/clips", ParallelRuns: 3, RunTimeout: 30 * time.Second, MaxQueue: 100, LogFormat: "text"}, ""},
		{"flags beat env", []string{"-addr", ":1", "-clips", "/c", "-log-format", "json"}, map[string]string{"LAB_ADDR": ":2"},
			Config{Addr: ":1", Data: "./data", Clips: "/c", ParallelRuns: 1, RunTimeout: 2 * time.Minute, MaxQueue: 100, LogFormat: "json"}, ""},
		{"bad parallel", []string{"-parallel-runs", "0"}, nil, Config{}, "-parallel-runs must be 1..64, got 0"},
		{"bad env number", nil, map[string]string{"LAB_PARALLEL_RUNS": "abc"}, Config{}, `LAB_PARALLEL_RUNS must be a whole number, got "abc"`},
		{"bad env duration", nil, map[string]string{"LAB_RUN_TIMEOUT": "300"}, Config{}, `LAB_RUN_TIMEOUT must be a duration such as 90s or 2m, got "300"`},
		{"bad timeout", []string{"-run-timeout", "1ms"}, nil, Config{}, "-run-timeout must be at least 1s"},
		{"bad log format", []string{"-log-format", "xml"}, nil, Config{}, `-log-format must be text or json, got "xml"`},
		{"unknown flag", []string{"-nope"}, nil, Config{}, "flag provided but not defined: -nope"},
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
	all := append([]string{"-addr", "127.0.0.1:0", "-data", dir}, args...)
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

func TestBusyPortFailsAtOnce(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	addr := strings.TrimPrefix(base, "http://")
	err := run(context.Background(), []string{"-addr", addr, "-data", t.TempDir()}, func(string) string { return "" }, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("got %v, want address already in use", err)
	}
}
