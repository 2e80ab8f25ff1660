package process

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"concurrencylab/lab"
)

var getenv = os.Getenv

// Main is the child's main: it runs the job on stdin with exps and writes
// its messages to file descriptor 3; or, in a process a trial spawned, the
// task on stdin. It returns the process's exit code.
func Main(exps []lab.Experiment) int {
	if getenv(EnvMode) == modeSolo {
		return solo(exps)
	}
	out := os.NewFile(3, "events")
	if out == nil {
		fmt.Fprintln(os.Stderr, "runner: no events pipe on file descriptor 3")
		return 2
	}
	if err := Serve(context.Background(), exps, os.Stdin, out); err != nil {
		fmt.Fprintln(os.Stderr, "runner:", err)
		return 2
	}
	return 0
}

// Serve reads one job from in, runs it with exps and writes its events,
// then its report or its error, to out as JSON lines.
func Serve(ctx context.Context, exps []lab.Experiment, in io.Reader, out io.Writer) error {
	var job lab.Job
	if err := json.NewDecoder(io.LimitReader(in, 1<<20)).Decode(&job); err != nil {
		return fmt.Errorf("read the job: %w", err)
	}
	sink := &lineSink{w: bufio.NewWriterSize(out, 64<<10), start: job.Start}
	// Only the job's experiment is described: another's Info may cost
	// (pixels lists its clips), and it would delay every run.
	byID := make(map[string]lab.Experiment, 1)
	for _, e := range exps {
		if id := e.Info().ID; id == job.Experiment {
			byID[id] = e
			break
		}
	}
	exp, p, err := lab.CheckJob(byID, job)
	if err != nil {
		return sink.finish(message{Error: err.Error()})
	}
	if n := p.Cores(); n > 0 {
		runtime.GOMAXPROCS(n) // the parent set it in the environment too
	}
	if job.Timeout > 0 {
		// A backstop: the parent kills the child at the deadline.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, job.Timeout+time.Second)
		defer cancel()
	}
	if exe, err := os.Executable(); err == nil {
		ctx = lab.WithSpawner(ctx, spawner{path: exe})
	}
	res, err := lab.RunTrials(ctx, exp, p, sink)
	if err != nil {
		return sink.finish(message{Error: err.Error()})
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		res.PeakRSSBytes = ru.Maxrss * 1024 // Linux counts it in KiB
	}
	env := lab.CurrentEnv()
	var set unix.CPUSet
	if unix.SchedGetaffinity(0, &set) == nil {
		env.CPUs = cpuList(&set)
	}
	env.Pinned = len(job.CPUs) > 0 && slices.Equal(env.CPUs, job.CPUs)
	env.NumCPU = len(env.CPUs)
	env.Runner = job.Slot
	return sink.finish(message{Report: &lab.Report{Result: res, Env: env}})
}

// lineSink writes a run's events as JSON lines: one writer, buffered, sent
// whenever the emitter flushes.
type lineSink struct {
	start time.Time

	mu  sync.Mutex // guards w and err
	w   *bufio.Writer
	err error
}

func (s *lineSink) Start() time.Time { return s.start }

func (s *lineSink) Append(typ string, body map[string]any) bool {
	ev := maps.Clone(body)
	if ev == nil {
		ev = map[string]any{}
	}
	ev["type"] = typ
	data, err := json.Marshal(ev)
	if err != nil {
		panic("runner: encode event: " + err.Error()) // bodies are plain values
	}
	return s.write(message{Event: data})
}

// Flush sends what is buffered; the emitter calls it after each flush.
func (s *lineSink) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = s.w.Flush()
	}
	s.exitIfOrphaned()
}

func (s *lineSink) write(m message) bool {
	line, err := json.Marshal(m)
	if err != nil {
		panic("runner: encode message: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		_, s.err = s.w.Write(append(line, '\n'))
	}
	s.exitIfOrphaned()
	return s.err == nil
}

// exitIfOrphaned ends the process once its parent stopped reading: nobody
// is left to see the run. The caller holds s.mu.
func (s *lineSink) exitIfOrphaned() {
	if s.err != nil {
		fmt.Fprintln(os.Stderr, "runner: the server stopped reading:", s.err)
		os.Exit(3)
	}
}

// finish writes the last message and flushes.
func (s *lineSink) finish(m message) error {
	s.write(m)
	s.Flush()
	return nil
}
