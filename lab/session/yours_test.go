package session

import (
	"testing"

	"concurrencylab/lab"
)

func TestYoursOf(t *testing.T) {
	two, none := 2, 0
	// trials returns n trials of which the first right are right.
	trials := func(n, right int) []lab.TrialResult {
		ts := make([]lab.TrialResult, n)
		for i := range ts {
			ts[i].Expected, ts[i].Got = lab.Int64(10), lab.Int64(10)
			if i >= right {
				ts[i].Got = lab.Int64(3)
			}
		}
		return ts
	}
	unjudged := make([]lab.TrialResult, 3) // deadlocked: no answer to judge
	r := &lab.Result{Variants: []lab.VariantResult{
		{Name: "sequential", Baseline: true, MedianMs: 9, WrongTrials: &none, Trials: trials(3, 3)},
		{Name: "unsynchronized", MedianMs: 1, WrongTrials: &two, Trials: trials(3, 1)}, // fastest, but wrong
		{Name: "naive", MedianMs: 2, Trials: unjudged},                                 // fast, but never judged right
		{Name: "mutex", MedianMs: 4, WrongTrials: &none, Trials: trials(3, 3)},
		{Name: lab.Yours, MedianMs: 5, WrongTrials: &two, Trials: trials(3, 1)},
	}}
	y := yoursOf(r)
	if y == nil || y.Right != 1 || y.Trials != 3 || y.MedianMs != 5 || y.Best != "mutex" || y.BestMs != 4 {
		t.Fatalf("got %+v, want right in 1 of 3 beside mutex (the fastest right in every trial)", y)
	}
	if s := summaryOf(lab.Info{}, r); s != "yours: right in 1 of 3 trials, median 5 ms; the lab's best, mutex: 4 ms" {
		t.Errorf("the board's line: %q", s)
	}
	if f := figuresOf(r); f.Yours == nil || *f.Yours != *y {
		t.Errorf("figures: got %+v", f.Yours)
	}
	r.Variants = r.Variants[:4]
	if y := yoursOf(r); y != nil {
		t.Errorf("a run without yours: got %+v, want nil", y)
	}
}

func TestRanCode(t *testing.T) {
	for _, tt := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"code": "0123456789abcdef0123", "variants": "sequential,yours"}, "0123456789abcdef0123"},
		{map[string]any{"code": "0123456789abcdef0123", "variants": []any{"yours"}}, "0123456789abcdef0123"},
		{map[string]any{"code": "0123456789abcdef0123", "variants": "sequential"}, ""}, // not run
		{map[string]any{"variants": "yours"}, ""},
	} {
		if got := ranCode(tt.params); got != tt.want {
			t.Errorf("ranCode(%v) = %q, want %q", tt.params, got, tt.want)
		}
	}
}
