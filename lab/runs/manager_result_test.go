package runs

// A run's result: trials round-robin, medians, speedups, the verdict.

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// scripted returns an experiment whose trials take the given times, in
// order per variant, and answer expected/got.
func scripted(ms map[string][]float64, got map[string]int64) *fakeExp {
	var mu sync.Mutex
	next := make(map[string]int)
	return &fakeExp{info: fakeInfo(), trial: func(ctx context.Context, v string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
		mu.Lock()
		i := next[v]
		next[v]++
		mu.Unlock()
		now := time.Now()
		em.Progress(1, 2, "steps")
		em.Sample("depth", float64(i))
		em.Span(0, now, now.Add(time.Millisecond), "work")
		em.Progress(2, 2, "steps")
		return lab.Trial{
			Elapsed:  time.Duration(ms[v][i] * float64(time.Millisecond)),
			Expected: lab.Int64(100), Got: lab.Int64(got[v]),
			Extra: map[string]any{"i": i},
		}, nil
	}}
}

func TestManagerResult(t *testing.T) {
	exp := scripted(
		map[string][]float64{"v1": {30, 10, 20}, "v2": {40, 80, 40}},
		map[string]int64{"v1": 100, "v2": 99},
	)
	m, _ := newTestManager(t, Config{}, exp)
	r := submit(t, m, "A", "variants", "v2,v1", "repeat", "3")
	live := finished(t, m, r.ID)
	checkSequence(t, live)

	// The last events: the result, then status done.
	n := len(live)
	if n < 2 || live[n-2].Type != event.TypeResult || live[n-1].Type != event.TypeStatus || fields(t, live[n-1])["state"] != "done" {
		t.Fatalf("got last events\n%s\nwant a result then status done", dump(live[max(0, n-2):]))
	}
	if got := errorMessages(t, live); len(got) != 0 {
		t.Errorf("got error events %v, want none", got)
	}
	if got, want := compact(statuses(t, live)), []string{"queued 1", "running", "done"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got statuses %v, want %v", got, want)
	}
	if got := eventsOf(t, live, event.TypeSpan, ""); len(got) != 6 {
		t.Errorf("got %d span events, want 6", len(got))
	}
	if p := eventsOf(t, live, event.TypeProgress, ""); len(p) == 0 {
		t.Errorf("got no progress events, want some")
	}
	wantLine := "v1: trial 2 of 3 took 10.000 ms, got 100 of 100"
	if got := countLogs(t, live, wantLine); got != 1 {
		t.Errorf("got %d log lines %q, want 1", got, wantLine)
	}

	got := get(t, m, r.ID)
	if got.Status != StatusDone || got.Result == nil || got.Started == nil || got.Finished == nil || got.Error != "" {
		t.Fatalf("got run %+v, want done with a result, started, finished, no error", got)
	}
	res := got.Result
	// The baseline got a wrong answer: no speedup is claimed against it.
	if want := "v1 was fastest: 20 ms, no speedup: the baseline, v2, was wrong in 3 of 3 trials."; res.Verdict != want {
		t.Errorf("got verdict %q, want %q", res.Verdict, want)
	}
	tests := []struct {
		name           string
		baseline       bool
		median, lo, hi float64
		speedup        float64
		correct        bool
		gotAnswer      float64
		trialMs        []float64
	}{
		{name: "v1", median: 20, lo: 10, hi: 30, speedup: 0, correct: true, gotAnswer: 100, trialMs: []float64{30, 10, 20}},
		{name: "v2", baseline: true, median: 40, lo: 40, hi: 80, speedup: 0, correct: false, gotAnswer: 99, trialMs: []float64{40, 80, 40}},
	}
	if len(res.Variants) != len(tests) {
		t.Fatalf("got %d variants, want %d", len(res.Variants), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := res.Variants[i] // in the experiment's order, not the query's
			if v.Name != tc.name {
				t.Fatalf("got variant %q at %d, want %q", v.Name, i, tc.name)
			}
			if v.Baseline != tc.baseline {
				t.Errorf("got Baseline %v, want %v", v.Baseline, tc.baseline)
			}
			if v.MedianMs != tc.median || v.MinMs != tc.lo || v.MaxMs != tc.hi {
				t.Errorf("got median/min/max %v/%v/%v, want %v/%v/%v", v.MedianMs, v.MinMs, v.MaxMs, tc.median, tc.lo, tc.hi)
			}
			if v.Speedup != tc.speedup {
				t.Errorf("got speedup %v, want %v", v.Speedup, tc.speedup)
			}
			if v.Correct == nil || *v.Correct != tc.correct {
				t.Errorf("got correct %v, want %v", ptrString(v.Correct), tc.correct)
			}
			if v.Expected == nil || *v.Expected != 100 || v.Got == nil || *v.Got != tc.gotAnswer {
				t.Errorf("got expected/got %v/%v, want 100/%v", ptrString(v.Expected), ptrString(v.Got), tc.gotAnswer)
			}
			if len(v.Trials) != 3 {
				t.Fatalf("got %d trials, want 3 (repeat)", len(v.Trials))
			}
			var ms []float64
			for j, tr := range v.Trials {
				ms = append(ms, tr.Ms)
				if tr.Extra["i"] != j {
					t.Errorf("trial %d: got extra i %v, want %d", j, tr.Extra["i"], j)
				}
			}
			if !reflect.DeepEqual(ms, tc.trialMs) {
				t.Errorf("got trial ms %v, want %v", ms, tc.trialMs)
			}
			for _, k := range []string{"goroutines", "heap_bytes"} {
				if _, ok := v.Peaks[k]; !ok {
					t.Errorf("got peaks %v, want %s", v.Peaks, k)
				}
			}
		})
	}

	// The result event carries the same result as the run.
	var body lab.Result
	if err := json.Unmarshal(live[n-2].Data, &body); err != nil {
		t.Fatalf("decode result event: %v", err)
	}
	want, _ := json.Marshal(res)
	gotBody, _ := json.Marshal(body)
	if string(gotBody) != string(want) {
		t.Errorf("got result event %s, want %s", gotBody, want)
	}
}

// Trials interleave: every variant's first trial, then every second one,
// so that a slow patch of the machine falls on all variants alike.
func TestManagerRunsTrialsRoundRobin(t *testing.T) {
	var mu sync.Mutex
	var order []string
	exp := &fakeExp{info: fakeInfo(), trial: func(ctx context.Context, v string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, v)
		return lab.Trial{Elapsed: time.Millisecond}, nil
	}}
	m, _ := newTestManager(t, Config{}, exp)
	r := submit(t, m, "A", "variants", "v2,v1", "repeat", "3")
	finished(t, m, r.ID)
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"v1", "v2", "v1", "v2", "v1", "v2"}; !slices.Equal(order, want) {
		t.Errorf("got trials in the order %v, want %v", order, want)
	}
	if res := get(t, m, r.ID).Result; res == nil || len(res.Variants) != 2 || len(res.Variants[0].Trials) != 3 || res.Variants[0].Name != "v1" {
		t.Errorf("got result %+v, want v1 then v2 with 3 trials each", res)
	}
}

func TestManagerJudge(t *testing.T) {
	exp := scripted(map[string][]float64{"v1": {1, 2}, "v2": {3, 4}}, map[string]int64{"v1": 100, "v2": 100})
	m, _ := newTestManager(t, Config{}, verdictExp{exp})
	r := submit(t, m, "A", "variants", "v1,v2", "repeat", "2")
	finished(t, m, r.ID)
	got := get(t, m, r.ID)
	if got.Result == nil {
		t.Fatalf("got no result, status %q, error %q, want one", got.Status, got.Error)
	}
	if want := "2 variants, repeat 2, in flight 1"; got.Result.Verdict != want {
		t.Errorf("got verdict %q, want %q", got.Result.Verdict, want)
	}
}
