package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab/event"
	"concurrencylab/lab/process"
	"concurrencylab/lab/runner"
)

// The runner program links none of the web server's code: no SQLite,
// metrics, websocket, templates or web package, and no C (gocv). It
// links the PostgreSQL store, for the shared queue it serves with -db.
func TestLinksNoServerCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "concurrencylab/cmd/runner").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	forbidden := []string{"gocv.io/", "sqlite", "gorilla/websocket", "a-h/templ",
		"prometheus", "concurrencylab/web", "concurrencylab/lab/datadir", "concurrencylab/experiments/pixels"}
	for _, dep := range deps {
		for _, f := range forbidden {
			if strings.Contains(dep, f) {
				t.Errorf("the runner links %s", dep)
			}
		}
	}
	if !strings.Contains(string(out), "concurrencylab/experiments/race\n") {
		t.Errorf("the runner does not link the race experiment; its deps:\n%s", out)
	}
}

// buildRunner builds this program as make build does.
func buildRunner(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "runner")
	cmd := exec.Command("go", "build", "-o", out, "concurrencylab/cmd/runner")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
	return out
}

// events keeps a run's events.
type events struct {
	start time.Time
	types []string
}

func (e *events) Append(b event.Body) bool {
	e.types = append(e.types, b.Type())
	return true
}
func (e *events) Start() time.Time { return e.start }

// The built program executes a job the way the server hands it one, and
// refuses an experiment that needs cgo with a message that names it.
func TestRunsAJob(t *testing.T) {
	r := &process.Runner{Path: buildRunner(t)}
	job := runner.Job{Run: "r1", Experiment: "race", Start: time.Now(),
		Params: map[string]string{"goroutines": "2", "increments": "1000", "repeat": "2", "variants": "sequential"}}
	sink := &events{start: job.Start}
	rep, err := r.Run(context.Background(), job, sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Result.Variants) != 1 {
		t.Fatalf("got %d variants, want 1", len(rep.Result.Variants))
	}
	v := rep.Result.Variants[0]
	if v.Name != "sequential" || len(v.Trials) != 2 || v.Got == nil || *v.Got != 2000 {
		t.Errorf("got variant %s with %d trials and got %v, want sequential, 2 trials, 2000", v.Name, len(v.Trials), v.Got)
	}
	if rep.Env.GOMAXPROCS < 1 {
		t.Errorf("got gomaxprocs %d in the report's env, want the child's", rep.Env.GOMAXPROCS)
	}
	if !strings.Contains(strings.Join(sink.types, " "), event.TypeLog) {
		t.Errorf("got events %v, want the trials' log lines", sink.types)
	}

	job.Experiment, job.Params = "pixels", nil
	_, err = r.Run(context.Background(), job, &events{start: job.Start})
	if err == nil || !strings.Contains(err.Error(), `no experiment "pixels"`) {
		t.Errorf("got %v for a pixels job, want the runner to say it has no such experiment", err)
	}
}

// Started by hand, the runner says what it is for and stops.
func TestByHand(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		wantOut string
	}{
		{"no job", nil, "start the server instead", ""},
		{"not postgres", []string{"-db", "mysql://h/lab"}, "-db (LAB_DB) must be a PostgreSQL URL", ""},
		{"bad cores", []string{"-db", "postgres://h/lab", "-cores-per-run", "-1"}, "-cores-per-run must be at least 1", ""},
		{"bad lease", []string{"-db", "postgres://h/lab", "-lease", "1h"}, "-lease must be 2s..1m, got 1h0m0s", ""},
		{"help", []string{"-h"}, flag.ErrHelp.Error(), "Start the server, not this program."},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined: -nope", ""},
		{"arguments", []string{"job.json"}, `unexpected arguments ["job.json"]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(t.Context(), tt.args, func(string) string { return "" }, &out)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if tt.name == "help" && !errors.Is(err, flag.ErrHelp) {
				t.Errorf("got %v, want flag.ErrHelp", err)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("got output %q, want it to contain %q", out.String(), tt.wantOut)
			}
		})
	}
}
