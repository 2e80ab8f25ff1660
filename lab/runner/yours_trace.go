package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
)

// traceYours runs one more trial of the learner's program, after the timed
// ones, with the execution tracer on in it, and returns its spans as
// TraceTrial does: the goroutine that calls the learner's function (the
// harness marks it) and every goroutine started from it. A learner's code
// reports no spans of its own; this is how its goroutines get lanes.
//
// The trace comes from the learner's program, so it is data that program
// controls: it is read here, in the run's own child (pinned, memory-bound,
// running no learner's code), never in the server, bounded like the lab's
// own traces, and a trace that cannot be read costs only the timeline.
func traceYours(ctx context.Context, p lab.Params, start time.Time) (Traced, error) {
	yr, _ := ctx.Value(yoursKey{}).(*yoursRun)
	if yr == nil {
		return Traced{}, errors.New("yours cannot run here: this server runs no learners' code")
	}
	buf := &capped{max: MaxTraceBytes}
	r, err := yr.trial(ctx, yr.job.Yours.Program, yr.job.Params, p.Repeat()+1, p.Cores(), false, buf)
	if err != nil {
		return Traced{}, fmt.Errorf("the traced trial: %w", err)
	}
	raw, cut := buf.bytes()
	spans, dropped, err := readForeignSpans(raw, r.Anchor, start)
	if err != nil && !cut {
		return Traced{}, fmt.Errorf("read the trace of your program: %w", err)
	}
	t := Traced{Spans: spans, Cut: cut, Elapsed: r.Elapsed, Total: len(spans) + dropped}
	if !cut {
		t.Raw = raw
	}
	return t, nil
}

// readForeignSpans is readSpans of a trace another program wrote: a panic
// of the trace reader is an error, spans are kept to the trial's
// goroutines, which a trace without the harness's mark has none of, and
// a wait reason, text from the trace's own string table, is kept short
// and printable (the runtime's are a few words).
func readForeignSpans(raw []byte, anchor, start time.Time) (spans []event.Span, dropped int, err error) {
	defer func() {
		if v := recover(); v != nil {
			spans, dropped, err = nil, 0, fmt.Errorf("the trace is malformed: %v", v)
		}
	}()
	spans, dropped, err = readSpans(bytes.NewReader(raw), lab.Yours, anchor, start)
	for i := range spans {
		if r := spans[i].Reason; r != "" {
			spans[i].Reason = shortReason(r)
			spans[i].Label = spans[i].State + ": " + spans[i].Reason
		}
	}
	return spans, dropped, err
}

// maxReason bounds a wait reason read from a learner's trace.
const maxReason = 40

// shortReason keeps the first maxReason letters, digits, spaces and
// punctuation of r.
func shortReason(r string) string {
	var b strings.Builder
	for _, c := range r {
		if b.Len() >= maxReason {
			return b.String() + "…"
		}
		if unicode.IsLetter(c) || unicode.IsDigit(c) || c == ' ' || unicode.IsPunct(c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}
