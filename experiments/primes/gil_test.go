package primes

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// The GIL's one promise: never two goroutines computing at once. A probe
// task counts the goroutines inside their computing stretch; the count must
// never pass one, while the GIL changes hands many times.
func TestGILExcludes(t *testing.T) {
	var holders, most, switches atomic.Int64
	probe := func(ctx context.Context, n int64, th *Thread, report func(time.Time)) (bool, error) {
		for range 20 {
			h := holders.Add(1)
			for m := most.Load(); h > m && !most.CompareAndSwap(m, h); m = most.Load() {
			}
			spin(20 * time.Microsecond)
			holders.Add(-1)
			if th.SliceUp() {
				switches.Add(1)
				if err := th.Switch(ctx); err != nil {
					return false, err
				}
			}
		}
		return true, nil
	}
	tasks := oddNumbers(1, 64)
	var got int
	var err error
	within(t, "countGIL", func() {
		got, err = countGIL(context.Background(), tasks, 8, NewGIL(100*time.Microsecond), probe, func(int, int64, time.Time) {})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != len(tasks) {
		t.Errorf("got %d tasks done, want %d", got, len(tasks))
	}
	if m := most.Load(); m != 1 {
		t.Errorf("got at most %d goroutines computing at once, want 1", m)
	}
	if switches.Load() == 0 {
		t.Errorf("the GIL never changed hands mid-task: the test proved nothing")
	}
}

// spin keeps the goroutine busy on its core for about d.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// The real gil variant: the stretches it reports, from every goroutine, never
// overlap in time, and goroutines take turns, handing over mid-number.
func TestGILStretchesNeverOverlap(t *testing.T) {
	p := params(t, map[string]string{"start": "1000000000000", "numbers": "60", "switch": "0.1ms"})
	rec := &recorder{}
	tr, err := Experiment{}.Trial(context.Background(), "gil/8", p, rec)
	if err != nil {
		t.Fatal(err)
	}
	if *tr.Got != *tr.Expected {
		t.Errorf("got %d primes, want %d", *tr.Got, *tr.Expected)
	}
	spans := slices.Clone(rec.spans)
	slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
	workers := map[int]bool{}
	stretches := map[string]int{}
	for i, s := range spans {
		workers[s.worker] = true
		stretches[s.label]++
		if i > 0 && s.start.Before(spans[i-1].end) {
			t.Fatalf("worker %d computed %s from %v while worker %d computed %s until %v",
				s.worker, s.label, s.start, spans[i-1].worker, spans[i-1].label, spans[i-1].end)
		}
	}
	if len(workers) < 2 {
		t.Errorf("got stretches from %d goroutines, want several taking turns", len(workers))
	}
	split := 0
	for _, n := range stretches {
		if n > 1 {
			split++
		}
	}
	if split == 0 {
		t.Errorf("no number was computed in more than one stretch: the GIL never changed hands mid-number")
	}
}

// Under the GIL in io mode a goroutine lets go of the lock while it waits,
// so other goroutines' waits start before it ends.
func TestGILReleasesWhileWaiting(t *testing.T) {
	p := params(t, map[string]string{"workload": "io", "tasks": "8", "latency": "50ms", "workers": "8"})
	rec := &recorder{}
	if _, err := (Experiment{}).Trial(context.Background(), "gil", p, rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.spans) != 8 {
		t.Fatalf("got %d wait spans, want 8", len(rec.spans))
	}
	overlapping := 0
	for i, a := range rec.spans {
		for _, b := range rec.spans[i+1:] {
			if a.start.Before(b.end) && b.start.Before(a.end) {
				overlapping++
			}
		}
	}
	if overlapping == 0 {
		t.Errorf("no two waits overlapped: the GIL was held while waiting")
	}
}

// A Thread that failed to take the GIL back must not release it: that
// would put a second token in play, or block on the full channel.
func TestReleaseAfterFailedAcquire(t *testing.T) {
	g := NewGIL(time.Millisecond)
	holder := g.Thread()
	if err := holder.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	other := g.Thread()
	if err := other.Acquire(ctx); err == nil {
		t.Fatalf("got the GIL while another thread held it")
	}
	within(t, "Release after a failed Acquire", other.Release)
	within(t, "Release by the holder", holder.Release)
	if err := other.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	other.Release()
}
