package processes

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// Summarize gives the K-work variants their time over one child's and
// takes the speedup from the variants that do other work.
func TestSummarize(t *testing.T) {
	p := params(t, "children=8")
	r := &lab.Result{Variants: []lab.VariantResult{
		{Name: "one-by-one", Baseline: true, MedianMs: 1680, Speedup: 1},
		{Name: "all-at-once", MedianMs: 231, Speedup: 7.27, SpeedupCI: &[2]float64{7, 7.5}},
		{Name: "pipe-child", MedianMs: 80, Speedup: 21, SpeedupCI: &[2]float64{20, 22}},
		{Name: "timeout", MedianMs: 170, Speedup: 9.9},
	}}
	New().Summarize(r, p)
	if got := r.Variant("all-at-once").Extra["vs_one"]; got != 1.1 {
		t.Errorf("all-at-once: got vs_one %v, want 1.1 (231 ÷ 210)", got)
	}
	for _, name := range []string{"pipe-child", "timeout"} {
		if v := r.Variant(name); v.Speedup != 0 || v.SpeedupCI != nil || v.SpeedupWithheld == "" {
			t.Errorf("%s: got speedup %v %v %q, want none, with a reason", name, v.Speedup, v.SpeedupCI, v.SpeedupWithheld)
		}
	}
}

func TestVerdict(t *testing.T) {
	yes := true
	p := params(t, "children=8&work=compute&cores=2")
	r := &lab.Result{Variants: []lab.VariantResult{
		{Name: "one-by-one", Baseline: true, MedianMs: 1680, Speedup: 1, Correct: &yes, Extra: map[string]any{"start_ms": 9.0}},
		{Name: "all-at-once", MedianMs: 860, CPUMs: 1634, Speedup: 1.95, SpeedupCI: &[2]float64{1.9, 2.0}, Correct: &yes, Extra: map[string]any{"start_ms": 20.0}},
		{Name: "pipeline", MedianMs: 150, Correct: &yes, Extra: map[string]any{"mib_per_s": 213.0}},
		{Name: "timeout", MedianMs: 170, Correct: &yes, Extra: map[string]any{"killed_after_ms": 52.0}},
	}}
	h, d := New().Judge(r, p, lab.Env{})
	for _, want := range []string{"8 children that each compute 200ms took 860.0 ms", "4.10× one child's time (210.0 ms", "K ÷ cores is 4×"} {
		if !strings.Contains(h, want) {
			t.Errorf("headline %q lacks %q", h, want)
		}
	}
	for _, want := range []string{"a child took 9 ms from Start", "faster beyond the 95% interval", "equals the one this process computed alone", "gone 52 ms after its deadline", "the children used 1.9 cores", "K ÷ that is 4.2×"} {
		if !strings.Contains(d, want) {
			t.Errorf("details %q lack %q", d, want)
		}
	}
}
