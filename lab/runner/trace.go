package runner

// A run with trace=true runs one extra trial of each variant under the Go
// execution tracer, after the timed trials (so no timing in the table pays
// for it), and turns the trace into spans of that trial's goroutines: when
// each ran and on which processor, when it sat runnable waiting for one,
// when and why it was blocked and which goroutine woke it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/trace"
	"time"

	xtrace "golang.org/x/exp/trace"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
)

// Bounds on what tracing keeps.
const (
	// MaxTraceBytes bounds one traced trial's raw trace; past it the trace
	// is cut and its timeline ends there.
	MaxTraceBytes = 64 << 20
	// MaxTraceSpans bounds the spans a run's traces send, shared evenly
	// by its variants; the rest are counted and the log says so.
	MaxTraceSpans = 20000
)

// traceCategory marks the traced trial's own goroutine in the trace.
const traceCategory = "lab"

// A Traced is one variant's traced trial: its spans on the run's clock,
// and what was left out.
type Traced struct {
	Spans []event.Span
	// Cut is true where the raw trace passed MaxTraceBytes and its end was
	// not recorded.
	Cut bool
	// Raw is the raw trace, for `go tool trace`; nil where it was cut.
	Raw []byte
	// Elapsed is the traced trial's own time, tracing's cost included.
	Elapsed time.Duration
	// Total counts the spans the trace held, Spans and those past what a
	// trace keeps in memory.
	Total int
}

// TraceTrial runs one trial of variant under the execution tracer, its
// reports discarded, and returns its goroutines' spans: the trial's own
// goroutine and every goroutine started from it, by whomever; no runtime
// goroutine and none of the lab's. start is the run clock's zero.
func TraceTrial(ctx context.Context, exp lab.Experiment, variant string, p lab.Params, start time.Time) (Traced, error) {
	buf := &capped{max: MaxTraceBytes}
	if err := trace.Start(buf); err != nil {
		return Traced{}, fmt.Errorf("start the execution tracer: %w", err)
	}
	var anchor time.Time
	var elapsed time.Duration
	done := make(chan error, 1)
	go func() {
		// The trial's own goroutine names itself in the trace, and notes
		// the wall time that matches the trace's clock there.
		anchor = time.Now()
		trace.Log(ctx, traceCategory, "trial")
		_, err := exp.Trial(ctx, variant, p, lab.Discard)
		elapsed = time.Since(anchor)
		done <- err
	}()
	err := <-done
	trace.Stop()
	if err != nil {
		return Traced{}, fmt.Errorf("the traced trial: %w", err)
	}
	raw, cut := buf.bytes()
	spans, dropped, err := readSpans(bytes.NewReader(raw), variant, anchor, start)
	if err != nil && !cut {
		return Traced{}, fmt.Errorf("read the trace: %w", err)
	}
	t := Traced{Spans: spans, Cut: cut, Elapsed: elapsed, Total: len(spans) + dropped}
	if !cut {
		t.Raw = raw
	}
	return t, nil
}

// Spans reads an execution trace and returns the spans of the goroutines
// descended from the one that logged traceCategory, and the collector's
// marking phases, on the run's clock: anchor is the wall time at that log
// event, start the clock's zero. A trace that ends early (cut) gives the
// spans read so far with the error.
func Spans(r io.Reader, variant string, anchor, start time.Time) ([]event.Span, error) {
	spans, _, err := readSpans(r, variant, anchor, start)
	return spans, err
}

// readSpans is Spans, which also counts the spans past maxBuilt.
func readSpans(r io.Reader, variant string, anchor, start time.Time) ([]event.Span, int, error) {
	tr, err := xtrace.NewReader(r)
	if err != nil {
		return nil, 0, err
	}
	b := newSpanBuilder(variant, anchor.Sub(start))
	for {
		ev, err := tr.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return b.finish(), b.dropped, err
		}
		b.add(ev)
	}
	return b.finish(), b.dropped, nil
}

// A spanBuilder follows every goroutine's state through a trace and keeps
// the stretches of the trial's goroutines.
type spanBuilder struct {
	variant string
	offset  time.Duration // the anchor on the run's clock
	anchorT xtrace.Time   // the anchor on the trace's clock; 0 before it
	last    xtrace.Time

	ours    map[xtrace.GoID]bool
	open    map[xtrace.GoID]stretch
	gcAt    xtrace.Time // the marking phase under way; 0 if none
	spans   []event.Span
	dropped int // spans past maxBuilt, counted only
}

// maxBuilt bounds the spans one trace keeps in memory while it is read:
// far more than a run sends, so the kept ones are the earliest.
const maxBuilt = 10 * MaxTraceSpans

// A stretch is a goroutine's state since a time.
type stretch struct {
	state  string
	reason string
	proc   xtrace.ProcID
	since  xtrace.Time
}

func newSpanBuilder(variant string, offset time.Duration) *spanBuilder {
	return &spanBuilder{variant: variant, offset: offset,
		ours: make(map[xtrace.GoID]bool), open: make(map[xtrace.GoID]stretch)}
}

func (b *spanBuilder) add(ev xtrace.Event) {
	b.last = ev.Time()
	switch ev.Kind() {
	case xtrace.EventLog:
		if l := ev.Log(); l.Category == traceCategory && b.anchorT == 0 {
			b.anchorT = ev.Time()
			b.ours[ev.Goroutine()] = true
		}
	case xtrace.EventRangeBegin, xtrace.EventRangeActive:
		if ev.Range().Name == "GC concurrent mark phase" && b.gcAt == 0 {
			b.gcAt = ev.Time()
		}
	case xtrace.EventRangeEnd:
		if ev.Range().Name == "GC concurrent mark phase" && b.gcAt != 0 {
			b.emit(-1, stretch{state: event.StateGC, since: b.gcAt}, ev.Time(), xtrace.NoGoroutine)
			b.gcAt = 0
		}
	case xtrace.EventStateTransition:
		st := ev.StateTransition()
		if st.Resource.Kind != xtrace.ResourceGoroutine {
			return
		}
		g := st.Resource.Goroutine()
		from, to := st.Goroutine()
		// The running goroutine that made this happen: the creator of a
		// new goroutine, the waker of a blocked one.
		by := ev.Goroutine()
		if from == xtrace.GoNotExist && b.ours[by] {
			b.ours[g] = true
		}
		if old, ok := b.open[g]; ok && b.ours[g] {
			waker := xtrace.NoGoroutine
			if from == xtrace.GoWaiting && to == xtrace.GoRunnable && by != g {
				waker = by
			}
			b.emit(g, old, ev.Time(), waker)
		}
		delete(b.open, g)
		if name := stateName(to); name != "" {
			s := stretch{state: name, since: ev.Time(), proc: xtrace.NoProc}
			switch to {
			case xtrace.GoRunning:
				s.proc = ev.Proc()
			case xtrace.GoWaiting:
				s.reason = st.Reason
			}
			b.open[g] = s
		}
	}
}

// emit keeps goroutine g's stretch s, which ended at end.
func (b *spanBuilder) emit(g xtrace.GoID, s stretch, end xtrace.Time, waker xtrace.GoID) {
	if end <= s.since {
		return
	}
	sp := event.Span{Variant: b.variant, Worker: int64(g), State: s.state, Reason: s.reason,
		Label: s.state, Start: float64(s.since), End: float64(end)}
	if s.reason != "" {
		sp.Label = s.state + ": " + s.reason
	}
	if s.proc != xtrace.NoProc {
		p := int64(s.proc)
		sp.P = &p
	}
	if waker != xtrace.NoGoroutine {
		sp.UnblockedBy = int64(waker)
	}
	if g == -1 {
		sp.Label = "GC"
	}
	if len(b.spans) >= maxBuilt {
		b.dropped++
		return
	}
	b.spans = append(b.spans, sp)
}

// finish closes what is still open at the trace's end and moves every span
// onto the run's clock, dropping those before the trial began.
func (b *spanBuilder) finish() []event.Span {
	for g, s := range b.open {
		if b.ours[g] {
			b.emit(g, s, b.last, xtrace.NoGoroutine)
		}
	}
	if b.gcAt != 0 {
		b.emit(-1, stretch{state: event.StateGC, since: b.gcAt}, b.last, xtrace.NoGoroutine)
	}
	out := b.spans[:0]
	for _, sp := range b.spans {
		if b.anchorT == 0 || sp.End < float64(b.anchorT) {
			continue // before the trial's goroutine said it began
		}
		sp.Start = b.clock(max(sp.Start, float64(b.anchorT)))
		sp.End = b.clock(sp.End)
		out = append(out, sp)
	}
	return out
}

// clock turns a trace time into milliseconds of the run's clock.
func (b *spanBuilder) clock(t float64) float64 {
	return event.Ms(b.offset + time.Duration(t-float64(b.anchorT)))
}

// stateName is a goroutine state as a span says it; "" for one that ends
// its spans.
func stateName(s xtrace.GoState) string {
	switch s {
	case xtrace.GoRunning:
		return event.StateRunning
	case xtrace.GoRunnable:
		return event.StateRunnable
	case xtrace.GoWaiting:
		return event.StateBlocked
	case xtrace.GoSyscall:
		return event.StateSyscall
	}
	return ""
}
