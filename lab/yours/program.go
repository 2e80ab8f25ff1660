// Package yours runs a learner's own variant: its built program, started
// in a sandbox for each trial, answers through the harness (package
// harness) on a pipe of its own, and the lab times the trial itself, from
// its go to the answer. Nothing of a trial's program outlives the trial:
// not a goroutine, not a child. What the program writes is data: a line
// on the pipe the harness did not write (no secret, another trial, a field
// too many) stops it and fails the run; what it prints is kept, bounded,
// for the learner to read.
package yours

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"concurrencylab/lab/sandbox"
	"concurrencylab/lab/yours/harness"
)

// Limits of a learner's program.
const (
	// MaxOutput bounds what the program's prints keep (the rest is counted).
	MaxOutput = 16 << 10
	// maxLine bounds one line on the results pipe.
	maxLine = 4 << 10
	// readyWait bounds the program's start, its init functions included.
	readyWait = 10 * time.Second
	// Procs bounds the processes and threads of the program's user.
	Procs = 128
	// killWait bounds the wait for a killed program's pipes.
	killWait = time.Second
)

// ErrForged is the error of a program whose results pipe carried a line
// the harness did not write.
var ErrForged = errors.New("your program wrote on the lab's results pipe (descriptor 3) something the harness did not: the run stops")

// A Spec says what to start.
type Spec struct {
	Sandbox *sandbox.Sandbox
	Path    string            // the built program
	Params  map[string]string // the run's parameters
	Trial   int               // the trial's number, from 1
	Output  *Output           // what the run's programs print, kept across trials
	UID     int               // its user (sandbox.RunUID + slot)
	Func    string            // the learner's function, for messages ("Count")
	Cores   int               // GOMAXPROCS
	Memory  int64             // GOMEMLIMIT, bytes (0: none)
	// Race marks a program built with the race detector: it is linked
	// dynamically (the system's libraries are bound in) and its reports
	// go to its standard error, ending in status 66.
	Race bool
	// Trace, if set, receives the trial's Go execution trace, which the
	// harness writes on descriptor 4.
	Trace io.Writer
}

// A Program is a learner's program running in its sandbox.
type Program struct {
	cmd     *exec.Cmd
	stdin   *os.File
	replies chan reply
	secret  string
	trial   int
	fn      string
	uid     int
	output  *Output
	waited  chan struct{}
	waitErr error
	traced  chan struct{} // closed once the trace pipe ended; nil untraced
}

type reply struct {
	r   harness.Reply
	err error
}

// Start starts the program in its sandbox for one trial and waits until
// its harness is ready.
func Start(ctx context.Context, spec Spec) (*Program, error) {
	subreaper()
	bin, err := sandbox.OpenPath(spec.Path)
	if err != nil {
		return nil, fmt.Errorf("yours: the built program: %w", err)
	}
	defer bin.Close()
	results, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("yours: results pipe: %w", err)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		results.Close()
		w.Close()
		return nil, fmt.Errorf("yours: input pipe: %w", err)
	}
	env := []string{"GOMAXPROCS=" + strconv.Itoa(max(spec.Cores, 1)), "HOME=/tmp", "TMPDIR=/tmp"}
	if spec.Memory > 0 {
		env = append(env, "GOMEMLIMIT="+strconv.FormatInt(spec.Memory, 10))
	}
	if spec.Race {
		env = append(env, "GORACE=halt_on_error=0 exitcode=66 atexit_sleep_ms=0")
	}
	files := []*os.File{w}
	traceR, traceW, err := tracePipe(spec)
	if err != nil {
		results.Close()
		w.Close()
		inR.Close()
		inW.Close()
		return nil, err
	}
	if traceW != nil {
		files = append(files, traceW)
		defer traceW.Close()
	}
	cmd, release, err := spec.Sandbox.Command(context.WithoutCancel(ctx), sandbox.Spec{
		Args:   []string{"/prog"},
		Files:  files,
		Mounts: []sandbox.Mount{{File: bin, Dest: "/prog"}},
		Env:    env, UID: spec.UID, Procs: Procs, System: spec.Race,
	})
	if err != nil {
		results.Close()
		w.Close()
		inR.Close()
		inW.Close()
		if traceR != nil {
			traceR.Close()
		}
		return nil, err
	}
	out := spec.Output
	if out == nil {
		out = NewOutput()
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, out, out
	cmd.WaitDelay = killWait
	p := &Program{cmd: cmd, stdin: inW, replies: make(chan reply, 1), output: out, waited: make(chan struct{}), fn: spec.Func, trial: spec.Trial, uid: spec.UID}
	if p.fn == "" {
		p.fn = "function"
	}
	err = cmd.Start()
	release()
	inR.Close()
	w.Close()
	if err != nil {
		results.Close()
		inW.Close()
		if traceR != nil {
			traceR.Close()
		}
		return nil, fmt.Errorf("yours: start the sandbox: %w", err)
	}
	p.copyTrace(traceR, spec.Trace)
	go p.read(results)
	go func() { p.waitErr = cmd.Wait(); close(p.waited) }()

	var b [16]byte
	rand.Read(b[:])
	p.secret = hex.EncodeToString(b[:])
	line, _ := json.Marshal(map[string]any{"secret": p.secret, "params": spec.Params, "trial": spec.Trial, "trace": spec.Trace != nil})
	p.stdin.Write(append(line, '\n')) // a program that died is found below
	if r, err := p.await(ctx, readyWait); err != nil || !r.Ready {
		if err == nil {
			err = ErrForged
		}
		p.Close()
		return nil, p.explain("before its trial began", err)
	}
	return p, nil
}

// A Result is a trial's outcome: what the harness counted, and the time
// from the lab's go to the answer, measured by the lab.
type Result struct {
	Got     int64
	Elapsed time.Duration // the lab's clock
	CPU     time.Duration // as the program reported it, at most Elapsed × cores
	// Anchor is the wall time of the trace's mark, within the trial (the
	// lab's go where the program said otherwise); zero untraced.
	Anchor time.Time
}

// Run starts the trial's clock and waits at most limit for the learner's
// function to return.
func (p *Program) Run(ctx context.Context, limit time.Duration, cores int) (Result, error) {
	start := time.Now()
	if _, err := p.stdin.Write([]byte("{\"go\": true}\n")); err != nil {
		return Result{}, p.explain("", errGone)
	}
	r, err := p.await(ctx, limit)
	elapsed := time.Since(start)
	if err == nil && (r.Ready || r.Ns > elapsed.Nanoseconds()) {
		err = ErrForged // a second ready, or a time longer than the lab's clock saw
	}
	if err != nil {
		return Result{}, p.explain("", err)
	}
	if r.Error != "" {
		return Result{}, fmt.Errorf("your %s %s", p.fn, r.Error)
	}
	cpu := min(time.Duration(r.CPUNs), elapsed*time.Duration(max(cores, 1)))
	res := Result{Got: r.Got, Elapsed: elapsed, CPU: cpu}
	res.Anchor = p.traceAnchor(r.AnchorNs, start, elapsed)
	return res, nil
}

var (
	errGone    = errors.New("gone")
	errTimeout = errors.New("timeout")
)

// await waits for the program's next answer.
func (p *Program) await(ctx context.Context, limit time.Duration) (harness.Reply, error) {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return harness.Reply{}, ctx.Err()
	case <-t.C:
		return harness.Reply{}, fmt.Errorf("%w after %s", errTimeout, limit)
	case r, ok := <-p.replies:
		if !ok {
			return harness.Reply{}, errGone
		}
		if r.err != nil {
			return harness.Reply{}, r.err
		}
		if r.r.Secret != p.secret || r.r.Trial != p.trial || r.r.Ns < 0 || r.r.CPUNs < 0 {
			return harness.Reply{}, ErrForged
		}
		return r.r, nil
	}
}

// read passes the results pipe's lines on as replies, each decoded
// strictly, until the pipe ends or carries something unreadable.
func (p *Program) read(results *os.File) {
	defer results.Close()
	defer close(p.replies)
	sc := bufio.NewScanner(results)
	sc.Buffer(make([]byte, 0, 512), maxLine)
	for sc.Scan() {
		var r harness.Reply
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil || dec.More() {
			p.replies <- reply{err: ErrForged}
			return
		}
		p.replies <- reply{r: r}
	}
	if sc.Err() != nil {
		p.replies <- reply{err: ErrForged}
	}
}

// explain turns what ended a wait into a message for the learner, with
// the end of what the program printed; when says when, if not in a trial.
func (p *Program) explain(when string, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, ErrForged):
		p.kill()
		return err
	case errors.Is(err, errTimeout):
		p.kill()
		return fmt.Errorf("your %s did not return (%v): an endless loop, or goroutines waiting for each other?", p.fn, err)
	}
	// The program ended: say how, once it is reaped.
	select {
	case <-p.waited:
	case <-time.After(2 * killWait):
		p.kill()
		<-p.waited
	}
	how := "ended"
	var ee *exec.ExitError
	if errors.As(p.waitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			how = "was killed by " + ws.Signal().String()
			if ws.Signal() == syscall.SIGKILL {
				how += " (past the run's memory limit?)"
			}
		} else {
			how = fmt.Sprintf("exited with status %d", ee.ExitCode())
		}
	} else if p.waitErr == nil {
		how = "exited with status 0"
	}
	msg := "your program " + how
	if when != "" {
		msg += " " + when
	}
	if tail := p.output.tail(1024); tail != "" {
		msg += "; it printed: " + tail
	}
	return errors.New(msg)
}

// Close ends the program and whatever is left of its sandbox.
func (p *Program) Close() error {
	p.stdin.Close()
	select {
	case <-p.waited:
	case <-time.After(killWait):
		p.kill()
		<-p.waited
	}
	go func() {
		for range p.replies { // lines no one asked for: the reader ends with the pipe
		}
	}()
	p.reap()
	p.traceDone()
	return nil
}

// kill kills the sandbox's process group, unless its leader was reaped
// already: its id may then be another's.
func (p *Program) kill() {
	select {
	case <-p.waited:
		return
	default:
	}
	if p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
}
