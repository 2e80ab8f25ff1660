package process

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runner"
)

// Main is the child's main: it runs the job on stdin with exps and writes
// its messages to file descriptor 3; or, in a process a trial spawned, the
// task on stdin. It returns the process's exit code.
func Main(exps []lab.Experiment) int {
	if os.Getenv(EnvMode) == modeSolo {
		return solo(exps)
	}
	if _, err := unix.FcntlInt(3, unix.F_GETFD, 0); err != nil {
		fmt.Fprintln(os.Stderr, "process: no events pipe on file descriptor 3: start runs through the server")
		return 2
	}
	// Processes this one starts must not hold the pipe open after it dies.
	unix.CloseOnExec(3)
	out := os.NewFile(3, "events")
	if err := Serve(context.Background(), exps, os.Stdin, out); err != nil {
		fmt.Fprintln(os.Stderr, "process:", err)
		return 2
	}
	return 0
}

// Serve reads one job from in, runs it with exps and writes its events,
// then its report or its error, to out as JSON lines. The parent keeps in
// open while the run lasts: its end means the parent is gone, and the run
// ends with its whole process group.
func Serve(ctx context.Context, exps []lab.Experiment, in io.Reader, out io.Writer) error {
	var job runner.Job
	dec := json.NewDecoder(io.LimitReader(in, 1<<20))
	if err := dec.Decode(&job); err != nil {
		return fmt.Errorf("read the job: %w", err)
	}
	go exitWithParent(io.MultiReader(dec.Buffered(), in))
	sink := &lineSink{out: out, start: job.Start}
	// Only the job's experiment is described: another's Info may cost
	// (pixels lists its clips), and it would delay every run.
	byID := make(map[string]lab.Experiment, 1)
	for _, e := range exps {
		if id := e.Info().ID; id == job.Experiment {
			byID[id] = e
			break
		}
	}
	exp, p, err := runner.CheckJob(byID, job)
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
	rep, err := runner.Execute(ctx, job, exp, p, sink)
	if err != nil {
		return sink.finish(message{Error: err.Error()})
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		rep.Result.PeakRSSBytes = ru.Maxrss * 1024 // Linux counts it in KiB
	}
	return sink.finish(message{Report: &rep})
}

// exitWithParent waits for the end of the parent's side of stdin and then
// kills this process's group: with the server gone, nobody is left to see
// the run, and processes of their own it started go with it.
func exitWithParent(in io.Reader) {
	io.Copy(io.Discard, in)
	endGroup()
}

// endGroup ends this process, and with it its process group where it leads
// one (as the runner starts it): whatever it started goes too. Started by
// hand, in someone else's group, it ends only itself.
func endGroup() {
	if syscall.Getpgrp() == os.Getpid() {
		syscall.Kill(0, syscall.SIGKILL)
	}
	os.Exit(3)
}

// lineSink writes a run's events as JSON lines. Appending only adds to a
// buffer in memory, so an experiment never waits for the pipe; the
// emitter's flusher sends the buffer every FlushEvery.
type lineSink struct {
	start time.Time

	mu  sync.Mutex   // guards buf
	buf bytes.Buffer // lines not yet sent

	wmu sync.Mutex // guards out and err: one writer, lines in order
	out io.Writer
	err error
}

var _ runner.Flusher = (*lineSink)(nil)

func (s *lineSink) Start() time.Time { return s.start }

func (s *lineSink) Append(b event.Body) bool {
	data, err := json.Marshal(b)
	if err != nil {
		panic("process: encode event: " + err.Error()) // bodies are plain values
	}
	// The message {"type": ..., "event": ...} written around the body as
	// it is: encoding the message would only copy and check it again.
	s.mu.Lock()
	s.buf.WriteString(`{"type":`)
	s.buf.WriteString(strconv.Quote(b.Type()))
	s.buf.WriteString(`,"event":`)
	s.buf.Write(data)
	s.buf.WriteString("}\n")
	s.mu.Unlock()
	return true
}

func (s *lineSink) add(m message) {
	line, err := json.Marshal(m)
	if err != nil {
		panic("process: encode message: " + err.Error())
	}
	s.mu.Lock()
	s.buf.Write(line)
	s.buf.WriteByte('\n')
	s.mu.Unlock()
}

// Flush sends the lines buffered so far.
func (s *lineSink) Flush() {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	pending := bytes.Clone(s.buf.Bytes())
	s.buf.Reset()
	s.mu.Unlock()
	if s.err == nil && len(pending) > 0 {
		_, s.err = s.out.Write(pending)
	}
	if s.err != nil {
		// The server stopped reading: nobody is left to see the run.
		fmt.Fprintln(os.Stderr, "process: the server stopped reading:", s.err)
		endGroup()
	}
}

// finish sends the last message and everything before it.
func (s *lineSink) finish(m message) error {
	s.add(m)
	s.Flush()
	return nil
}
