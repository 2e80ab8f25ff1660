package harness

import (
	"context"
	"os"
	"runtime/trace"
	"time"
)

// A tracer records the trial's Go execution trace on descriptor 4, for the
// lab's timeline of the learner's goroutines. A nil tracer does nothing.
type tracer struct{ out *os.File }

// traceCategory and traceMessage name the log event that marks the
// goroutine calling the learner's function: the lab's timeline shows it
// and every goroutine started from it.
const traceCategory, traceMessage = "lab", "trial"

// startTrace starts tracing on descriptor 4; it fails the program if the
// lab gave none.
func startTrace() *tracer {
	out := os.NewFile(4, "trace")
	if err := trace.Start(out); err != nil {
		fail("the lab's trace pipe is gone: " + err.Error())
	}
	return &tracer{out: out}
}

// mark logs the trial's start from the calling goroutine and returns its
// wall time (Unix ns), or 0 untraced.
func (t *tracer) mark() int64 {
	if t == nil {
		return 0
	}
	at := time.Now().UnixNano()
	trace.Log(context.Background(), traceCategory, traceMessage)
	return at
}

// stop ends the trace and closes its pipe, so the lab has all of it
// before the answer.
func (t *tracer) stop() {
	if t == nil {
		return
	}
	trace.Stop()
	t.out.Close()
}
