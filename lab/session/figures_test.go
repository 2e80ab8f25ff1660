package session

import (
	"encoding/json"
	"testing"

	"concurrencylab/lab"
)

// TestFiguresKeepTheWorstTrial is the board's defect: a race run lost
// 220,250 of 500,000 updates in one of five trials, and the board, which
// showed the medians, said it lost none.
func TestFiguresKeepTheWorstTrial(t *testing.T) {
	trials := []lab.TrialResult{}
	for _, got := range []int64{500000, 279750, 500000, 500000, 500000} {
		trials = append(trials, lab.TrialResult{Ms: 1, Expected: lab.Int64(500000), Got: lab.Int64(got)})
	}
	wrong := 1
	r := &lab.Result{Verdict: "headline", Details: "more", Variants: []lab.VariantResult{
		{Name: "sequential", Baseline: true, Expected: lab.Int64(500000), Got: lab.Float64(500000), Correct: new(true), WrongTrials: new(0), Trials: trials[:1]},
		{Name: "unsynchronized", Expected: lab.Int64(500000), Got: lab.Float64(500000), Correct: new(false),
			WrongTrials: &wrong, WorstGot: lab.Int64(279750), Trials: trials, SpeedupCI: &[2]float64{0.8, 1.3}},
		{Name: "timed", MedianMs: 3, Trials: trials[:2]},
	}}
	f := figuresOf(r)
	if f.Verdict != "headline" || f.Details != "more" {
		t.Errorf("got verdict %q and details %q, want the run's", f.Verdict, f.Details)
	}
	u := f.Variants[1]
	if u.Lost == nil || *u.Lost != 0 {
		t.Errorf("got median lost %v, want 0", u.Lost)
	}
	if u.Trials != 5 || u.WrongTrials == nil || *u.WrongTrials != 1 {
		t.Errorf("got %d trials, wrong %v, want 5 and 1", u.Trials, u.WrongTrials)
	}
	if u.WorstGot == nil || *u.WorstGot != 279750 || u.WorstLost == nil || *u.WorstLost != 220250 {
		t.Errorf("got worst got %v, worst lost %v, want 279750 and 220250", u.WorstGot, u.WorstLost)
	}
	if u.SpeedupCI == nil || *u.SpeedupCI != [2]float64{0.8, 1.3} {
		t.Errorf("got speedup_ci %v, want [0.8 1.3]", u.SpeedupCI)
	}
	if s := f.Variants[0]; s.WorstLost == nil || *s.WorstLost != 0 {
		t.Errorf("got sequential's worst lost %v, want 0", s.WorstLost)
	}
	b, _ := json.Marshal(f.Variants[2])
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"wrong_trials", "worst_got", "worst_lost"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("got %s = %v for a variant without answers, want null", k, v)
		}
	}
}

// The board's line for a run uses its experiment's key figure and words:
// the wrong variant and in how many trials where one was wrong, else the
// fastest beside the baseline; never a race sentence in a speed lesson.
func TestSummaryOf(t *testing.T) {
	race := lab.Info{Figures: []lab.Figure{{Key: "lost", Label: "Lost updates (median)", Main: true}}}
	primes := lab.Info{Figures: []lab.Figure{{Key: "speedup", Label: "Speedup", Main: true}}}
	pipeline := lab.Info{Figures: []lab.Figure{{Key: "items_per_s", Label: "Items", Unit: "/ s", Main: true}}}
	wrong, none := 9, 0
	tests := []struct {
		name string
		info lab.Info
		r    *lab.Result
		want string
	}{
		{"race, lossy", race, &lab.Result{Variants: []lab.VariantResult{
			{Name: "sequential", Baseline: true, WrongTrials: &none, Trials: make([]lab.TrialResult, 10)},
			{Name: "unsynchronized", WrongTrials: &wrong, Trials: make([]lab.TrialResult, 10), Extra: map[string]any{"lost": 118736.5}},
		}}, "unsynchronized: Lost updates (median) 118,737; wrong in 9 of 10 trials"},
		{"primes, all right", primes, &lab.Result{Variants: []lab.VariantResult{
			{Name: "sequential", Baseline: true, Speedup: 1, WrongTrials: &none},
			{Name: "goroutine-per-task", Speedup: 1.85, WrongTrials: &none},
			{Name: "worker-pool", Speedup: 1.62, WrongTrials: &none},
		}}, "goroutine-per-task: Speedup 1.85×"},
		{"pipeline", pipeline, &lab.Result{Variants: []lab.VariantResult{
			{Name: "polling", Baseline: true, Extra: map[string]any{"items_per_s": 9000.0}},
			{Name: "channels", Speedup: 1.4, Extra: map[string]any{"items_per_s": 12345.0}},
		}}, "channels: Items 12,345 / s"},
		{"no key figure", lab.Info{}, &lab.Result{Variants: []lab.VariantResult{{Name: "only", Baseline: true, MedianMs: 12.34}}}, "only: median 12.3 ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summaryOf(tt.info, tt.r); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
