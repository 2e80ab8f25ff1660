//go:build !race

package race

import (
	"concurrencylab/lab"
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// These tests run the deliberately racy counter, so they are built only
// without the race detector (make test runs them in a second pass).

// recorder counts spans and keeps the last progress.
type recorder struct {
	lab.Emitter
	mu      sync.Mutex
	workers map[int]bool
}

func (r *recorder) Span(worker int, start, end time.Time, label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.workers[worker] = true
}

func TestUnsynchronizedLosesUpdates(t *testing.T) {
	// Updates are lost only while two goroutines run at the same instant on
	// different cores, which a busy machine may deny any one trial: the test
	// asks for a loss within 200 trials of 8 x 1,000,000, and keeps asking
	// for 30 s on a machine so busy that they lost nothing (it stops at
	// the first), and never a gain.
	if runtime.NumCPU() < 2 {
		t.Fatalf("this test needs at least 2 cores, got %d", runtime.NumCPU())
	}
	p := params(t, "goroutines=8&increments=1000000")
	lossy, start := 0, time.Now()
	for i := 0; lossy == 0 && (i < 200 || time.Since(start) < 30*time.Second); i++ {
		rec := &recorder{Emitter: lab.Discard, workers: map[int]bool{}}
		tr, err := Experiment{}.Trial(context.Background(), "unsynchronized", p, rec)
		if err != nil {
			t.Fatal(err)
		}
		if *tr.Got > *tr.Expected || *tr.Got <= 0 {
			t.Fatalf("got %d, want 1..%d", *tr.Got, *tr.Expected)
		}
		if *tr.Got < *tr.Expected {
			lossy++
		}
		if tr.Extra["lost"] != *tr.Expected-*tr.Got {
			t.Errorf("got extra lost %v, want %d", tr.Extra["lost"], *tr.Expected-*tr.Got)
		}
		if len(rec.workers) != 8 {
			t.Errorf("got spans from %d workers, want 8", len(rec.workers))
		}
	}
	if lossy == 0 {
		t.Errorf("no update lost in 30 s of trials of 8 x 1,000,000: the counter is not racing")
	}
}

func TestOneGoroutineIsExact(t *testing.T) {
	p := params(t, "goroutines=1&increments=200000")
	tr, err := Experiment{}.Trial(context.Background(), "unsynchronized", p, lab.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if *tr.Got != 200000 {
		t.Errorf("got %d, want 200000", *tr.Got)
	}
}
