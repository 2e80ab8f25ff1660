package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runner"
)

// sink records what a runner appends.
type sink struct {
	start time.Time

	mu     sync.Mutex // guards events
	events []map[string]any
}

func (s *sink) Start() time.Time { return s.start }

var _ runner.Sink = (*sink)(nil)

// Append keeps the body as JSON decodes it, for the test.
func (s *sink) Append(b event.Body) bool {
	data, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	typ := b.Type()
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		panic(fmt.Sprintf("a body the runner passed on does not decode: %s", data))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	body["type"] = typ
	s.events = append(s.events, body)
	return true
}

func (s *sink) of(typ string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, e := range s.events {
		if e["type"] == typ {
			out = append(out, e)
		}
	}
	return out
}

// pid returns the child's pid, from the log line every probe trial writes.
func (s *sink) pid(t *testing.T) int {
	t.Helper()
	for _, e := range s.of(event.TypeLog) {
		if rest, ok := strings.CutPrefix(e["text"].(string), "pid "); ok {
			n, _ := strconv.Atoi(rest)
			return n
		}
	}
	t.Fatal("got no pid line from the child")
	return 0
}

func newRunner(t *testing.T) *Runner { return &Runner{Path: selfPath(t)} }

// selfPath returns this test binary, which serves as a child (TestMain).
func selfPath(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func job(variant string, params map[string]string) runner.Job {
	p := map[string]string{"variants": variant, "repeat": "1"}
	for k, v := range params {
		p[k] = v
	}
	return runner.Job{Run: "r1", Experiment: "probe", Params: p, Start: time.Now(), Timeout: time.Minute}
}

func TestRunInAChild(t *testing.T) {
	s := &sink{start: time.Now()}
	rep, err := newRunner(t).Run(context.Background(), job("report", nil), s)
	if err != nil {
		t.Fatal(err)
	}
	v := rep.Result.Variant("report")
	if v == nil || len(v.Trials) != 1 {
		t.Fatalf("got result %+v, want one trial of report", rep.Result)
	}
	if pid, _ := lab.Number(v.Trials[0].Extra["pid"]); int(pid) == os.Getpid() || pid == 0 {
		t.Errorf("got the trial's pid %v, want a child's, not this process's %d", pid, os.Getpid())
	}
	if v.CPUMs <= 0 {
		t.Errorf("got cpu_ms %v, want the child's CPU time, above 0", v.CPUMs)
	}
	if rep.Result.PeakRSSBytes <= 0 {
		t.Errorf("got peak_rss_bytes %d, want above 0", rep.Result.PeakRSSBytes)
	}
	for _, typ := range []string{event.TypeProgress, event.TypeSample, event.TypeSpan, event.TypeLog} {
		if len(s.of(typ)) == 0 {
			t.Errorf("got no %s event from the child", typ)
		}
	}
	if got := s.of(event.TypeSample); !slices.ContainsFunc(got, func(e map[string]any) bool { return e["series"] == "custom" }) {
		t.Errorf("got samples %v, want the experiment's custom series", got)
	}
	span := s.of(event.TypeSpan)[0]
	if start, _ := span["start"].(float64); start < 0 || start > 10_000 {
		t.Errorf("got span start %v ms, want it on the run's clock (0..10000)", span["start"])
	}
}

func TestRunIsPinned(t *testing.T) {
	cpus, err := UsableCPUs()
	if err != nil {
		t.Fatal(err)
	}
	one := cpus[len(cpus)-1:]
	j := job("report", map[string]string{"cores": "1"})
	j.CPUs, j.Slot = one, "local/9"
	rep, err := newRunner(t).Run(context.Background(), j, &sink{})
	if err != nil {
		t.Fatal(err)
	}
	env := rep.Env
	if !env.Pinned || !slices.Equal(env.CPUs, one) || env.NumCPU != 1 || env.GOMAXPROCS != 1 || env.Runner != "local/9" {
		t.Errorf("got env %+v, want pinned to %v, 1 CPU, GOMAXPROCS 1, runner local/9", env, one)
	}
	extra := rep.Result.Variants[0].Trials[0].Extra
	if n, _ := lab.Number(extra["numcpu"]); n != 1 {
		t.Errorf("got runtime.NumCPU() %v in the child, want 1", n)
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name    string
		job     runner.Job
		memory  int64
		want    string
		wantErr error
	}{
		{name: "the experiment's error", job: job("fail", nil), want: "fail, trial 1: the knobs asked for the impossible"},
		{name: "a panic in a goroutine", job: job("panic", nil), want: "panic: boom in a goroutine"},
		{name: "a panic after a torn line", job: job("torn", nil), want: "panic: died mid-line"},
		{name: "an exit", job: job("exit", nil), want: "exit status 7"},
		{name: "its output", job: job("exit", nil), want: "leaving early"},
		{name: "bad params", job: job("report", map[string]string{"ms": "-1"}), want: "ms must be 0..60,000, got -1"},
		{name: "unknown experiment", job: runner.Job{Run: "r", Experiment: "nope"}, want: `no experiment "nope"`},
		{name: "memory", job: job("hog", map[string]string{"mib": "512"}), memory: 128 << 20,
			want: "more than 128 MiB", wantErr: ErrMemory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t)
			r.Memory = tt.memory
			_, err := r.Run(context.Background(), tt.job, &sink{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("got error %v, want it to wrap %v", err, tt.wantErr)
			}
		})
	}
}

func TestCancelKillsTheChild(t *testing.T) {
	s := &sink{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := newRunner(t).Run(ctx, job("spin", nil), s)
		done <- err
	}()
	waitFor(t, "the child's first progress", func() bool { return len(s.of(event.TypeProgress)) > 0 })
	pid := s.pid(t)
	asked := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got error %v, want context.Canceled", err)
		}
		if took := time.Since(asked); took > time.Second {
			t.Errorf("got the run stopped %s after the cancel, want within 1s", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the run did not return within 5s of the cancel")
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("got kill(%d, 0) = %v, want ESRCH: the child is still there", pid, err)
	}
}

func TestBadMessages(t *testing.T) {
	tests := []struct {
		name, lines, want string
	}{
		{"torn last line", `{"type":"log","event":{"text":"hi"}}` + "\n" + `{"type":"log","event":{"te`, "the events pipe ended in the middle of a line"},
		{"not JSON", "hello\n", "undecodable line"},
		{"a status event", `{"type":"status","event":{"state":"done"}}` + "\n", `an event of type "status"`},
		{"no type", `{"event":{"text":"x"}}` + "\n", `an event of type ""`},
		{"a forged field", `{"type":"log","event":{"text":"x","seq":0}}` + "\n", "unknown field"},
		{"a null body", `{"type":"log","event":null}` + "\n", "not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			go func() { w.WriteString(tt.lines); w.Close() }()
			_, _, err = read(r, &sink{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("%s: not within 10s", what)
}

func TestSoloProcesses(t *testing.T) {
	tests := []struct {
		task       string
		wantStatus int
		wantOutput string
		timedOut   bool
	}{
		{task: "ok", wantStatus: 0, wantOutput: "solo pid"},
		{task: "panic", wantStatus: 2, wantOutput: "panic: boom in a process of its own"},
		{task: "deadlock", wantStatus: 2, wantOutput: "fatal error: all goroutines are asleep - deadlock!"},
		{task: "error", wantStatus: 1, wantOutput: "the task failed"},
		{task: "hang", wantStatus: -1, timedOut: true},
	}
	if lab.RaceEnabled { // the deadlock goes unnoticed: the process hangs until the deadline
		tests[2].wantStatus, tests[2].wantOutput, tests[2].timedOut = -1, "solo pid", true
	}
	for _, tt := range tests {
		t.Run(tt.task, func(t *testing.T) {
			rep, err := newRunner(t).Run(context.Background(), job("solo", map[string]string{"task": tt.task}), &sink{})
			if err != nil {
				t.Fatalf("got error %v, want the run to go on after its process of its own ended", err)
			}
			extra := rep.Result.Variants[0].Trials[0].Extra
			if got, _ := lab.Number(extra["exit_status"]); int(got) != tt.wantStatus {
				t.Errorf("got exit status %v, want %d (output %q)", extra["exit_status"], tt.wantStatus, extra["output"])
			}
			if out, _ := extra["output"].(string); !strings.Contains(out, tt.wantOutput) {
				t.Errorf("got output %q, want it to contain %q", out, tt.wantOutput)
			}
			if extra["timed_out"] != tt.timedOut {
				t.Errorf("got timed_out %v, want %v", extra["timed_out"], tt.timedOut)
			}
		})
	}
}

func TestSpawnNeedsAProcessRunner(t *testing.T) {
	if _, err := lab.Spawn(context.Background(), lab.SoloTask{}); !errors.Is(err, lab.ErrNoSpawner) {
		t.Errorf("got %v, want ErrNoSpawner outside a run's child", err)
	}
}

func TestRefusedPinningRunsUnpinned(t *testing.T) {
	j := job("report", map[string]string{"cores": "1"})
	j.CPUs = []int{1023} // no such CPU: the system refuses the mask
	rep, err := newRunner(t).Run(context.Background(), j, &sink{})
	if err != nil {
		t.Fatalf("got error %v, want the run to go on unpinned", err)
	}
	if rep.Env.Pinned || slices.Contains(rep.Env.CPUs, 1023) || len(rep.Env.CPUs) == 0 {
		t.Errorf("got env %+v, want pinned false and the CPUs it really had", rep.Env)
	}
}

func TestKilledChildTakesItsProcessesWithIt(t *testing.T) {
	s := &sink{}
	done := make(chan error, 1)
	go func() {
		_, err := newRunner(t).Run(context.Background(), job("solo", map[string]string{"task": "hang"}), s)
		done <- err
	}()
	waitFor(t, "the child's pid", func() bool { return len(s.of(event.TypeLog)) > 0 })
	pid := s.pid(t)
	time.Sleep(200 * time.Millisecond) // its process of its own is running
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "killed") {
			t.Errorf("got error %v, want one saying the process was killed", err)
		}
		if took := time.Since(killed); took > time.Second {
			t.Errorf("got the run's end %s after the kill, want within 1s", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the run did not end within 5s of its child's kill")
	}
	waitFor(t, "the run's process group to be gone", func() bool { return len(liveInGroup(t, pid)) == 0 })
}

// liveInGroup returns the processes of group pgid that are not zombies
// (a killed process stays one until whoever adopted it reaps it).
func liveInGroup(t *testing.T, pgid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var live []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// After the command's closing parenthesis: state, ppid, pgrp.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) >= 3 && f[2] == strconv.Itoa(pgid) && f[0] != "Z" {
			live = append(live, pid)
		}
	}
	return live
}

// A child started by hand, in its starter's process group, whose stdin
// ends at once, ends only itself: not the group it was started in (this
// test's).
func TestChildStartedByHandEndsOnlyItself(t *testing.T) {
	in, err := json.Marshal(job("report", nil))
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(selfPath(t))
	cmd.Env = append(os.Environ(), EnvMode+"="+modeChild)
	cmd.Stdin = strings.NewReader(string(in))
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	io.Copy(io.Discard, r)
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Errorf("got the child killed by %v, want it to exit", ws.Signal())
	}
	_ = err // exit 0 (the run finished first) or 3 (its stdin's end came first): both are fine
}

// A Runner starts the program an experiment's declaration calls for: the
// cgo program for those listed in Cgo, the runner program for the rest.
func TestRunnerPicksTheProgram(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name    string
		r       *Runner
		wantErr bool
	}{
		{"pure experiment, runner program", &Runner{Path: selfPath(t), CgoPath: missing, Cgo: map[string]bool{"pixels": true}}, false},
		{"pure experiment, no runner program", &Runner{Path: missing, CgoPath: selfPath(t), Cgo: map[string]bool{"pixels": true}}, true},
		{"cgo experiment, cgo program", &Runner{Path: missing, CgoPath: selfPath(t), Cgo: map[string]bool{"probe": true}}, false},
		{"cgo experiment, no cgo program", &Runner{Path: selfPath(t), CgoPath: missing, Cgo: map[string]bool{"probe": true}}, true},
		{"cgo experiment, one program for all", &Runner{Path: selfPath(t), Cgo: map[string]bool{"probe": true}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.r.Run(context.Background(), job("report", nil), &sink{start: time.Now()})
			if (err != nil) != tt.wantErr {
				t.Errorf("got error %v, want an error: %v", err, tt.wantErr)
			}
		})
	}
}

func TestCgoExperiments(t *testing.T) {
	got := CgoExperiments([]lab.Experiment{probe{}, cgoProbe{}})
	if len(got) != 1 || !got["cgo-probe"] {
		t.Errorf("got %v, want only cgo-probe", got)
	}
}

// cgoProbe is an experiment that declares cgo.
type cgoProbe struct{ probe }

func (cgoProbe) Info() lab.Info {
	info := probe{}.Info()
	info.ID, info.Cgo = "cgo-probe", true
	return info
}

// What a child sends is checked against its type before it passes on: no
// event of the manager's, no unknown field (a forged seq or type), nothing
// after the body.
func TestCheckEvent(t *testing.T) {
	tests := []struct {
		name, typ, body string
		wantErr         string
	}{
		{"progress", "progress", `{"variant":"a","done":1,"total":2,"unit":"items"}`, ""},
		{"span", "span", `{"variant":"a","trial":0,"worker":3,"start":1.5,"end":2,"label":"work"}`, ""},
		{"a status", "status", `{"state":"done"}`, `an event of type "status"`},
		{"a result", "result", `{"verdict":"forged"}`, `an event of type "result"`},
		{"no type", "", `{"text":"x"}`, `an event of type ""`},
		{"a forged seq", "log", `{"text":"x","seq":5}`, "unknown field"},
		{"a forged type", "sample", `{"series":"s","value":1,"type":"status"}`, "unknown field"},
		{"a wrong kind", "sample", `{"series":"s","value":"many"}`, "undecodable sample event"},
		{"not an object", "log", `"text"`, "not an object"},
		{"null", "log", `null`, "not an object"},
		{"more after", "log", `{"text":"x"} {"text":"y"}`, "followed by more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkEvent(tt.typ, []byte(tt.body))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
