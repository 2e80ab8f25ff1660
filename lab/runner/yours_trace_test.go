package runner

import (
	"bytes"
	"context"
	"runtime/trace"
	"strings"
	"testing"
	"time"
)

// A trace from a learner's program is read like any other, and garbage or
// a cut trace in its place is an error, never a crash of the run's child.
func TestReadForeignSpans(t *testing.T) {
	var buf bytes.Buffer
	start := time.Now()
	if err := trace.Start(&buf); err != nil {
		t.Fatal(err)
	}
	done := make(chan time.Time)
	go func() {
		at := time.Now()
		trace.Log(context.Background(), traceCategory, "trial")
		sub := make(chan struct{})
		go func() { time.Sleep(time.Millisecond); close(sub) }()
		<-sub
		done <- at
	}()
	anchor := <-done
	trace.Stop()
	spans, _, err := readForeignSpans(buf.Bytes(), anchor, start)
	if err != nil || len(spans) == 0 {
		t.Fatalf("a real trace: %d spans, %v", len(spans), err)
	}
	gs := map[int64]bool{}
	for _, s := range spans {
		if s.Worker > 0 {
			gs[s.Worker] = true
		}
	}
	if len(gs) < 2 {
		t.Errorf("lanes for %d goroutines, want the marked one and the one it started", len(gs))
	}
	for name, raw := range map[string][]byte{
		"garbage": []byte("go 1.23 trace\x00\x00\x00 not a trace at all"),
		"empty":   nil,
	} {
		if _, _, err := readForeignSpans(raw, anchor, start); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A cut trace gives at most what it held.
	if cut, _, _ := readForeignSpans(buf.Bytes()[:len(buf.Bytes())/3], anchor, start); len(cut) > len(spans) {
		t.Errorf("a cut trace: %d spans, more than the whole trace's %d", len(cut), len(spans))
	}
	// A trace without the harness's mark has no goroutines of the trial.
	var unmarked bytes.Buffer
	trace.Start(&unmarked)
	time.Sleep(time.Millisecond)
	trace.Stop()
	if got, _, _ := readForeignSpans(unmarked.Bytes(), anchor, start); len(got) != 0 && got[0].Worker > 0 {
		t.Errorf("an unmarked trace: %d spans of goroutines, want none", len(got))
	}
	if r := shortReason(strings.Repeat("<b>x</b>\x00", 100)); len([]rune(r)) > maxReason+1 || strings.ContainsRune(r, 0) {
		t.Errorf("a learner's wait reason kept as %q", r)
	}
}
