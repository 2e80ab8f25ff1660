// Package harness is the lab's side of a learner's own program: it runs
// the learner's function for one trial and reports what the lab's own
// primitives counted. It is built into the learner's program, which runs
// in a sandbox, once per trial, and imports only the standard library.
//
// The protocol, one JSON object a line: the lab writes the trial on
// standard input ({"secret", "params", "trial"}); the harness collects the
// garbage and answers ready on descriptor 3; the lab starts its clock and
// writes {"go": true}; the harness calls the function and answers its
// count (or an error) and exits. The lab times the trial from its go to
// the answer itself. A line without the secret, or for another trial, is
// not the harness's: the lab fails the run.
package harness

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Params are the run's parameters, as strings.
type Params map[string]string

// Int returns the integer parameter name (0 if it is not one).
func (p Params) Int(name string) int {
	n, _ := strconv.Atoi(p[name])
	return n
}

// start is the lab's first line.
type start struct {
	Secret string `json:"secret"`
	Params Params `json:"params"`
	Trial  int    `json:"trial"`
	// Trace asks for the trial's Go execution trace, written on
	// descriptor 4 and closed before the answer.
	Trace bool `json:"trace,omitempty"`
}

// A Reply answers the lab: ready, or the trial's outcome.
type Reply struct {
	Secret string `json:"secret"`
	Trial  int    `json:"trial"`
	Ready  bool   `json:"ready,omitempty"` // garbage collected: the lab may start its clock
	Ns     int64  `json:"ns"`              // the call's wall-clock time, as the program saw it
	CPUNs  int64  `json:"cpu_ns"`
	Got    int64  `json:"got"`
	Error  string `json:"error,omitempty"`
	// AnchorNs is the wall time (Unix ns) of the trace's "trial" log
	// event, which the calling goroutine makes before the call: it puts
	// the trace on the lab's clock. 0 without a trace.
	AnchorNs int64 `json:"anchor_ns,omitempty"`
}

// maxError bounds the text of an error the harness reports.
const maxError = 1024

// settle is how long goroutines started by the learner's function may
// take to end after it returned, before the trial counts them as left
// running.
const settle = 200 * time.Millisecond

// Serve runs one trial: run calls the learner's function with the lab's
// primitives and returns what they counted.
func Serve(run func(Params) int64) {
	out := os.NewFile(3, "results")
	in := bufio.NewReader(os.NewFile(0, "lab"))
	var s start
	if err := readLine(in, &s); err != nil || s.Secret == "" {
		fail("the lab's first line did not arrive whole (did your code read standard input?)")
	}
	w := json.NewEncoder(out)
	send := func(r Reply) {
		r.Secret, r.Trial = s.Secret, s.Trial
		if err := w.Encode(r); err != nil {
			fail("the lab's result pipe is gone (did your code close descriptor 3?)")
		}
	}
	runtime.GC() // outside the lab's clock
	send(Reply{Ready: true})
	var goAhead struct {
		Go bool `json:"go"`
	}
	if err := readLine(in, &goAhead); err != nil || !goAhead.Go {
		fail("the lab's go did not arrive")
	}
	var tr *tracer
	if s.Trace {
		tr = startTrace()
	}
	send(trial(run, s.Params, tr))
}

// trial runs run once and times it; tr, if not nil, traces the call.
func trial(run func(Params) int64, p Params, tr *tracer) Reply {
	before := runtime.NumGoroutine()
	cpu0 := cpuTime()
	t0 := time.Now()
	got, anchor, err := call(run, p, tr)
	ns := time.Since(t0).Nanoseconds()
	cpu := cpuTime() - cpu0
	tr.stop()
	r := Reply{Ns: ns, CPUNs: cpu, Got: got, AnchorNs: anchor}
	if err != nil {
		r.Error = err.Error()
		if len(r.Error) > maxError {
			r.Error = strings.ToValidUTF8(r.Error[:maxError], "") + "…"
		}
		return r
	}
	if left := leftRunning(before); left > 0 {
		which := fmt.Sprintf("%d goroutines it started were", left)
		if left == 1 {
			which = "a goroutine it started was"
		}
		r.Error = "returned while " + which + " still running: wait for them (a sync.WaitGroup) before returning"
	}
	return r
}

// call calls run in a goroutine of its own, so that a panic or a
// runtime.Goexit in the learner's function ends the trial, not the
// harness. With tr, that goroutine marks itself in the trace first.
func call(run func(Params) int64, p Params, tr *tracer) (got, anchor int64, err error) {
	done := make(chan struct{})
	go func() {
		anchor = tr.mark()
		returned := false
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panicked: %v", v)
			} else if !returned {
				err = errors.New("called runtime.Goexit")
			}
			close(done)
		}()
		got = run(p)
		returned = true
	}()
	<-done
	return got, anchor, err
}

// leftRunning waits up to settle for the goroutine count to come back to
// before, and returns how many more there are.
func leftRunning(before int) int {
	deadline := time.Now().Add(settle)
	for {
		n := runtime.NumGoroutine() - before
		if n <= 0 || time.Now().After(deadline) {
			return max(n, 0)
		}
		time.Sleep(time.Millisecond)
	}
}

func readLine(in *bufio.Reader, v any) error {
	line, err := in.ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, v)
}

func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "harness:", msg)
	os.Exit(3)
}
