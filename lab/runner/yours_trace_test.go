package runner

import (
	"bytes"
	"context"
	"runtime/trace"
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
		"cut":     buf.Bytes()[:len(buf.Bytes())/3],
		"empty":   nil,
	} {
		if _, _, err := readForeignSpans(raw, anchor, start); err == nil && name != "cut" {
			t.Errorf("%s: no error", name)
		}
	}
}
