// Package harness is the lab's side of a learner's own program: it runs
// the learner's function once per trial the lab asks for, times it and
// reports what the lab's own primitives counted. It is built into the
// learner's program, in a sandbox, and imports only the standard library.
//
// The protocol, one JSON object a line: the lab writes the run on standard
// input ({"secret", "params"}), then one {"trial": n} per trial; the
// harness answers each on descriptor 3 with the secret, the trial, its
// time and count, or an error. A line without the secret, or a trial not
// asked for, is not the harness's: the lab fails the run.
package harness

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
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
}

// A Reply answers the lab: ready, or a trial's outcome.
type Reply struct {
	Secret string `json:"secret"`
	Trial  int    `json:"trial"` // 0: ready to run trials
	Ns     int64  `json:"ns"`    // the call's wall-clock time
	CPUNs  int64  `json:"cpu_ns"`
	Got    int64  `json:"got"`
	Error  string `json:"error,omitempty"`
}

// settle is how long goroutines started by the learner's function may
// take to end after it returned, before the trial counts them as left
// running.
const settle = 200 * time.Millisecond

// Serve runs trials until the lab closes standard input: each calls run,
// which calls the learner's function with the lab's primitives and
// returns what they counted.
func Serve(run func(Params) int64) {
	out := os.NewFile(3, "results")
	in := bufio.NewReader(os.Stdin)
	var s start
	if err := readLine(in, &s); err != nil || s.Secret == "" {
		fail("the lab's first line did not arrive whole (did your code read standard input?)")
	}
	w := json.NewEncoder(out)
	if err := w.Encode(Reply{Secret: s.Secret}); err != nil {
		fail("the lab's result pipe is gone (did your code close descriptor 3?)")
	}
	for {
		var ask struct {
			Trial int `json:"trial"`
		}
		if err := readLine(in, &ask); err != nil {
			return // the lab is done
		}
		r := trial(run, s.Params)
		r.Secret, r.Trial = s.Secret, ask.Trial
		if err := w.Encode(r); err != nil {
			fail("the lab's result pipe is gone (did your code close descriptor 3?)")
		}
		if r.Error != "" {
			os.Exit(0) // goroutines may be left running: this program is done
		}
	}
}

// trial runs run once, after a garbage collection, and times it.
func trial(run func(Params) int64, p Params) Reply {
	runtime.GC()
	before := runtime.NumGoroutine()
	cpu0 := cpuTime()
	t0 := time.Now()
	got, err := call(run, p)
	ns := time.Since(t0).Nanoseconds()
	cpu := cpuTime() - cpu0
	r := Reply{Ns: ns, CPUNs: cpu, Got: got}
	if err != nil {
		r.Error = err.Error()
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
// harness.
func call(run func(Params) int64, p Params) (got int64, err error) {
	done := make(chan struct{})
	go func() {
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
	return got, err
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
