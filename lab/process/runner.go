package process

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runner"
)

// Limits on what a child may send and print.
const (
	// MaxLine bounds one message from a child (a result with every trial).
	MaxLine = 16 << 20
	// MaxOutput bounds what a child's stdout and stderr keep, for the
	// message of a run that crashed.
	MaxOutput = 64 << 10
	// rssEvery is how often the parent reads a child's resident memory.
	rssEvery = 50 * time.Millisecond
	// killWait bounds the wait for a killed child's pipes to close.
	killWait = time.Second
)

// A Runner executes each run in a child process: the runner program, or,
// for an experiment that declares Info.Cgo, a cgo program of the lab.
type Runner struct {
	// Path is the program to start in runner mode: the runner program
	// (cmd/runner), pure Go, which holds every experiment that needs no cgo.
	Path string
	// CgoPath is the program that runs the experiments listed in Cgo: a
	// cgo build of the lab that serves as a child too (the server's own
	// binary). Empty: Path runs them.
	CgoPath string
	// Cgo holds the ids of the experiments whose runs start CgoPath, as
	// their Infos declare (CgoExperiments).
	Cgo map[string]bool
	// Env is added to the child's environment (LAB_CLIPS=..., say).
	Env []string
	// Memory is the most memory a run's whole process tree may own, in
	// bytes (private pages and swap, not shared libraries); the child
	// gets GOMEMLIMIT below it and the tree is killed past it. 0: no limit.
	Memory int64
	// Limit is the mechanism that makes Memory real (DetectMemory): a
	// cgroup per run, or polling. Nil: the private memory is polled.
	Limit *Memory
	// Log, if set, receives what a crashed child printed, for the operator.
	Log *slog.Logger
	// Prepare, if set, completes a job before its child starts, in the
	// run's slot: it gives a run of a learner's variant its built program.
	Prepare func(ctx context.Context, job *runner.Job) error
}

// ErrMemory is the error of a run killed for using too much memory.
var ErrMemory = errors.New("memory limit")

// errTorn is the end of a child's events in the middle of a line: it died
// while writing.
var errTorn = errors.New("the events pipe ended in the middle of a line")

// Run implements runs.Runner: it starts the child pinned to job.CPUs, feeds
// sink from its events and returns its report, or the error that ended it.
func (r *Runner) Run(ctx context.Context, job runner.Job, sink runner.Sink) (runner.Report, error) {
	if r.Prepare != nil {
		if err := r.Prepare(ctx, &job); err != nil {
			return runner.Report{}, err
		}
	}
	in, err := json.Marshal(job)
	if err != nil {
		return runner.Report{}, fmt.Errorf("process: encode job: %w", err)
	}
	events, w, err := os.Pipe()
	if err != nil {
		return runner.Report{}, fmt.Errorf("process: events pipe: %w", err)
	}
	defer events.Close()
	output := NewBoundedBuffer(MaxOutput)
	cmd := exec.CommandContext(ctx, r.program(job.Experiment))
	cmd.Env = r.env(job)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		w.Close()
		return runner.Report{}, fmt.Errorf("process: stdin pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = output, output
	cmd.ExtraFiles = []*os.File{w}
	// Its own process group, so that a kill takes whatever it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process) }
	cmd.WaitDelay = killWait

	b, err := r.Limit.newBox(r.Memory)
	if err != nil {
		w.Close()
		stdin.Close()
		return runner.Report{}, err
	}
	err = b.start(cmd, job.CPUs)
	w.Close() // the child has its own copy
	if err != nil {
		stdin.Close()
		return runner.Report{}, fmt.Errorf("process: start the run's process: %w", err)
	}
	// The job, then stdin stays open while the run lasts: the child takes
	// its end for the server's death.
	stdin.Write(append(in, '\n'))
	defer stdin.Close()

	report, msgErr, readErr := read(events, sink)
	if readErr != nil && !errors.Is(readErr, errTorn) {
		killGroup(cmd.Process) // it speaks nonsense: stop it
	}
	// Kill what the run left in its group while its leader is a zombie
	// still holding the group's id, then reap it: a reaped id could be
	// reused by the next run's child.
	var info unix.Siginfo
	unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
	overMemory, peak := b.end()
	waitErr := cmd.Wait()
	if r.Log != nil {
		r.Log.Debug("a run's memory", "run", job.Run, "experiment", job.Experiment,
			"mechanism", r.Limit.Mechanism(), "peak_bytes", peak, "over", overMemory)
	}

	switch {
	case ctx.Err() != nil:
		return runner.Report{}, ctx.Err()
	case overMemory:
		return runner.Report{}, fmt.Errorf("%w: the run held more than %s of memory and was stopped: ask for smaller sizes", ErrMemory, bytesString(r.Memory))
	case report != nil && waitErr == nil && readErr == nil:
		return *report, nil
	case msgErr != "" && readErr == nil:
		return runner.Report{}, errors.New(msgErr)
	case readErr != nil && !errors.Is(readErr, errTorn) && waitErr == nil:
		return runner.Report{}, fmt.Errorf("the run's process sent a message the server could not read (%v)", readErr)
	}
	crash := crashError(waitErr, output.String())
	if r.Log != nil {
		r.Log.Warn("a run's process crashed", "run", job.Run, "experiment", job.Experiment,
			"pid", cmd.Process.Pid, "exit", fmt.Sprint(waitErr), "output", output.String())
	}
	return runner.Report{}, crash
}

// program returns the program that runs an experiment's runs.
func (r *Runner) program(experiment string) string {
	if r.Cgo[experiment] && r.CgoPath != "" {
		return r.CgoPath
	}
	return r.Path
}

// CgoExperiments returns the ids of the experiments among exps that
// declare Info.Cgo, for Runner.Cgo.
func CgoExperiments(exps []lab.Experiment) map[string]bool {
	ids := make(map[string]bool)
	for _, e := range exps {
		if info := e.Info(); info.Cgo {
			ids[info.ID] = true
		}
	}
	return ids
}

// passEnv are the variables of the server's environment a child gets:
// what finding programs, libraries and files needs, and nothing else
// (no credentials; no GOGC or GODEBUG that would change its figures).
var passEnv = []string{"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE", "TZ",
	"LD_LIBRARY_PATH", "LAB_RACECOUNTER", "GORACE", "GOCOVERDIR"}

// env returns the child's environment: the variables it may have, the
// run's GOMAXPROCS and GOMEMLIMIT, and the runner mode.
func (r *Runner) env(job runner.Job) []string {
	env := append(childEnv(r.Env), EnvMode+"="+modeChild)
	if n, err := strconv.Atoi(job.Params["cores"]); err == nil && n > 0 {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(n))
	}
	if r.Memory > 0 {
		// A soft limit below the hard one: the collector works harder before
		// the kill, which leaves room for memory Go does not manage (OpenCV).
		env = append(env, "GOMEMLIMIT="+strconv.FormatInt(r.Memory/10*9, 10))
	}
	return env
}

// childEnv returns the variables of the server's environment a child
// may have, then extra.
func childEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if slices.Contains(passEnv, name) || strings.HasPrefix(name, "OPENCV_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// read feeds sink from the child's messages until the pipe closes. A line
// that does not decode is an error; so is an unfinished last line
// (errTorn), which means the child died while writing it.
func read(events io.Reader, sink runner.Sink) (report *runner.Report, msgErr string, err error) {
	sc := bufferedLines(events)
	for sc.Scan() {
		var m message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, "", fmt.Errorf("undecodable line: %w", err)
		}
		switch {
		case m.Event != nil:
			b, err := checkEvent(m.Type, m.Event)
			if err != nil {
				return nil, "", err
			}
			// The body as its type has it, encoded again by the server: what
			// reaches a page is never a child's own bytes.
			sink.Append(b)
		case m.Report != nil:
			report = m.Report
		case m.Error != "":
			msgErr = m.Error
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return report, msgErr, fmt.Errorf("a message over %d MiB", MaxLine>>20)
	}
	return report, msgErr, sc.Err()
}

// bufferedLines splits a child's output into lines; an unfinished last line
// is reported as errTorn, not returned as data.
func bufferedLines(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			return i + 1, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			return 0, nil, errTorn
		}
		return 0, nil, nil
	})
	return sc
}

// checkEvent decodes an event's body as its type says, refusing fields
// the type does not have. Status, result and error events are the
// manager's alone.
func checkEvent(typ string, data []byte) (event.Body, error) {
	b, ok := event.FromChild(typ)
	if !ok {
		return nil, fmt.Errorf("an event of type %q", typ)
	}
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("a %s event that is not an object", typ)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(b); err != nil {
		return nil, fmt.Errorf("undecodable %s event: %w", typ, err)
	}
	if d.More() {
		return nil, fmt.Errorf("a %s event followed by more", typ)
	}
	return b, nil
}

// crashError describes a child that ended without a report, with the
// first lines it printed.
func crashError(waitErr error, output string) error {
	how := "ended without a result"
	var ee *exec.ExitError
	switch {
	case errors.As(waitErr, &ee) && ee.ExitCode() == -1:
		how = "was killed (" + waitErr.Error() + ") by something outside the lab, such as the system running out of memory"
	case waitErr != nil:
		how = "crashed (" + waitErr.Error() + ")"
	}
	lines := strings.Split(strings.TrimSpace(output), "\n")
	if len(lines) > 12 {
		lines = append(lines[:12], "…")
	}
	if out := strings.TrimSpace(strings.Join(lines, "\n")); out != "" {
		return fmt.Errorf("the run's process %s:\n%s", how, out)
	}
	return fmt.Errorf("the run's process %s", how)
}

// bytesString writes n bytes the way -run-memory takes them.
func bytesString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
