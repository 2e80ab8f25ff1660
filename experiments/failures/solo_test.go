package failures

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"concurrencylab/lab/event"
	"concurrencylab/lab/process"
	"concurrencylab/lab/runner"
)

// sink records what a runner appends.
type sink struct {
	start time.Time

	mu     sync.Mutex // guards events
	events []map[string]any
}

func (s *sink) Start() time.Time { return s.start }

func (s *sink) Append(b event.Body) bool {
	data, _ := json.Marshal(b)
	var body map[string]any
	json.Unmarshal(data, &body)
	s.mu.Lock()
	defer s.mu.Unlock()
	body["type"] = b.Type()
	s.events = append(s.events, body)
	return true
}

// openFiles counts this process's file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// children lists the processes this one started that are still there.
func children(t *testing.T) string {
	t.Helper()
	paths, _ := filepath.Glob("/proc/self/task/*/children")
	var all []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, strings.Fields(string(b))...)
	}
	return strings.Join(all, " ")
}

// The panic variant through the lab's own process runner: each trial's
// process of its own dies of the panic with exit status 2 and its stack,
// no other task having finished, and the run goes on to the next trial
// (recover's, here) and ends done. Nothing is left behind: no process, no
// file descriptor.
func TestPanicEndsItsProcessAndTheRunGoesOn(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	fds := openFiles(t)
	job := runner.Job{Run: "r1", Experiment: "failures", Start: time.Now(), Timeout: time.Minute,
		Params: map[string]string{"variants": "panic,recover", "repeat": "2", "tasks": "12", "fail": "3,8", "workers": "4", "work": "200ms"}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := (&process.Runner{Path: exe}).Run(ctx, job, &sink{start: job.Start})
	if err != nil {
		t.Fatal(err)
	}
	res := rep.Result
	if len(res.Variants) != 2 {
		t.Fatalf("got %d variants, want panic and recover", len(res.Variants))
	}
	pv, rv := res.Variant("panic"), res.Variant("recover")
	if len(pv.Trials) != 2 || len(rv.Trials) != 2 {
		t.Fatalf("got %d panic and %d recover trials, want 2 each: the run goes on after a panic", len(pv.Trials), len(rv.Trials))
	}
	for i, tr := range pv.Trials {
		if tr.Extra["exit_status"] != float64(2) {
			t.Errorf("panic trial %d: got exit_status %v, want 2", i+1, tr.Extra["exit_status"])
		}
		if tr.Extra["tasks_done"] != float64(0) {
			t.Errorf("panic trial %d: got tasks_done %v, want 0: no other task finished", i+1, tr.Extra["tasks_done"])
		}
		out, _ := tr.Extra["output"].(string)
		for _, want := range []string{"panic: task 3 failed", "goroutine ", "[running]:", "concurrencylab/experiments/failures.(*job).task(", "created by golang.org/x/sync/errgroup.(*Group).Go"} {
			if !strings.Contains(out, want) {
				t.Errorf("panic trial %d: output lacks %q:\n%s", i+1, want, out)
			}
		}
		if strings.Contains(out, " done\n") || strings.Contains(out, "every task returned") || len(out) > MaxOutput+8 {
			t.Errorf("panic trial %d: got output of %d bytes, want the panic alone, bounded:\n%s", i+1, len(out), out)
		}
		if *tr.Expected != 1 || *tr.Got != 0 {
			t.Errorf("panic trial %d: got %d of %d errors seen, want 0 of 1", i+1, *tr.Got, *tr.Expected)
		}
	}
	if pv.Correct == nil || *pv.Correct {
		t.Errorf("panic: got correct %v, want false", pv.Correct)
	}
	if rv.Correct == nil || !*rv.Correct {
		t.Errorf("recover: got correct %v, want true", rv.Correct)
	}
	if c := children(t); c != "" {
		t.Errorf("processes left behind: %s", c)
	}
	if n := openFiles(t); n > fds {
		t.Errorf("got %d open files after the run, %d before", n, fds)
	}
	h, _ := Experiment{}.Judge(res, params(t, "tasks=12&fail=3,8&workers=4&work=200ms"), rep.Env)
	if !strings.Contains(h, "exit status 2") {
		t.Errorf("got headline %q, want it to tell the exit status", h)
	}
}

// A failing task list left empty: the process of its own ends normally,
// every task done.
func TestPanicVariantWithoutFailures(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	job := runner.Job{Run: "r2", Experiment: "failures", Start: time.Now(), Timeout: time.Minute,
		Params: map[string]string{"variants": "panic", "repeat": "1", "tasks": "5", "fail": "", "work": "1ms"}}
	rep, err := (&process.Runner{Path: exe}).Run(context.Background(), job, &sink{start: job.Start})
	if err != nil {
		t.Fatal(err)
	}
	tr := rep.Result.Variants[0].Trials[0]
	if tr.Extra["exit_status"] != float64(0) || tr.Extra["tasks_done"] != float64(5) || *tr.Expected != 0 {
		t.Errorf("got exit_status %v, tasks_done %v, expected %d; want 0, 5, 0", tr.Extra["exit_status"], tr.Extra["tasks_done"], *tr.Expected)
	}
	if out, _ := tr.Extra["output"].(string); !strings.Contains(out, "every task returned; the caller saw 0 errors") {
		t.Errorf("got output %q", out)
	}
}
