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
