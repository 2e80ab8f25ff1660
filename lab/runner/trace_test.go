package runner

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
)

// pipelineTrial passes 200 items through two stages over unbuffered
// channels: every hand-over blocks one side until the other wakes it.
func pipelineTrial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	return pipeline(200), nil
}

func pipeline(items int) lab.Trial {
	in, out := make(chan int), make(chan int)
	go func() {
		defer close(in)
		for i := range items {
			in <- i
		}
	}()
	go func() {
		defer close(out)
		for x := range in {
			out <- x * 2
		}
	}()
	sum := 0
	for x := range out {
		sum += x
	}
	return lab.Trial{Got: lab.Int64(int64(sum))}
}

// spinTrial keeps two goroutines busy at once.
func spinTrial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for t0 := time.Now(); time.Since(t0) < 30*time.Millisecond; {
			}
		})
	}
	wg.Wait()
	return lab.Trial{}, nil
}

func TestTraceTrialPipeline(t *testing.T) {
	start := time.Now()
	exp := &fakeExp{info: fakeInfo(), trial: pipelineTrial}
	tr, err := TraceTrial(context.Background(), exp, "v1", nil, start)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Cut || len(tr.Raw) == 0 {
		t.Errorf("got cut %v and %d raw bytes, want the whole trace kept", tr.Cut, len(tr.Raw))
	}
	goroutines := map[int64]bool{}
	var chanWaits, woken int
	for _, sp := range tr.Spans {
		if sp.State == event.StateGC {
			continue
		}
		goroutines[sp.Worker] = true
		if sp.State == event.StateBlocked && strings.Contains(sp.Reason, "chan") {
			chanWaits++
			if sp.UnblockedBy != 0 {
				woken++
			}
		}
		if sp.Start < 0 || sp.End < sp.Start || sp.End > float64(time.Since(start).Milliseconds()+1) {
			t.Fatalf("got span %+v, want it on the run's clock, start before end", sp)
		}
		if (sp.State == event.StateRunning) != (sp.P != nil) {
			t.Errorf("got span %+v: a running span names its processor, no other does", sp)
		}
	}
	// The trial's goroutine and the two stages: nothing of the runtime's.
	if len(goroutines) != 3 {
		t.Errorf("got spans of %d goroutines, want 3 (the trial's and its two stages)", len(goroutines))
	}
	if chanWaits < 10 || woken < 10 {
		t.Errorf("got %d channel waits, %d of them naming their waker, want at least 10 of each", chanWaits, woken)
	}
	for _, sp := range tr.Spans {
		if sp.UnblockedBy != 0 && !goroutines[sp.UnblockedBy] {
			t.Errorf("got a span woken by goroutine %d, not one of the trial's %v", sp.UnblockedBy, goroutines)
			break
		}
	}
}

func TestTraceTrialProcessors(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Fatalf("GOMAXPROCS %d: this test needs 2", runtime.GOMAXPROCS(0))
	}
	exp := &fakeExp{info: fakeInfo(), trial: spinTrial}
	tr, err := TraceTrial(context.Background(), exp, "v1", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	procs := map[int64]bool{}
	for _, sp := range tr.Spans {
		if sp.State == event.StateRunning {
			procs[*sp.P] = true
		}
	}
	// Two goroutines busy for 30 ms on 2 processors run on both, even if
	// another program takes a core for a while.
	if len(procs) < 2 {
		t.Errorf("got running spans on processors %v, want two", procs)
	}
}

// A run with trace=true sends the traced trial's spans after the timed
// trials, as trial number repeat, and only then.
func TestRunTrialsTrace(t *testing.T) {
	exp := &fakeExp{info: fakeInfo(), trial: pipelineTrial}
	for _, on := range []string{"false", "true"} {
		p, err := lab.ParseMap(exp.info, map[string]string{"variants": "v1", "repeat": "2", "trace": on})
		if err != nil {
			t.Fatal(err)
		}
		log := NewEventLog()
		if _, err := RunTrials(context.Background(), exp, p, log); err != nil {
			t.Fatal(err)
		}
		var traced int
		for _, f := range eventsOf(t, log.Events(0), event.TypeSpan, "") {
			if f["state"] != nil {
				traced++
				if f["trial"] != float64(2) {
					t.Fatalf("got a traced span of trial %v, want 2 (after trials 0 and 1)", f["trial"])
				}
			}
		}
		if (traced > 0) != (on == "true") {
			t.Errorf("trace=%s: got %d traced spans", on, traced)
		}
	}
}
