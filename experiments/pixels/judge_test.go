package pixels

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// TestOneSourceForVsDecode is the defect: the verdict said 1.07×
// decode-only (a ratio of medians) where the table's vs_decode said 1.15
// (the median of each trial's ratio). The verdict now quotes the table.
func TestOneSourceForVsDecode(t *testing.T) {
	yes := true
	r := &lab.Result{Variants: []lab.VariantResult{
		{Name: DecodeOnly, MedianMs: 400, Speedup: 2},
		{Name: Sequential, Baseline: true, MedianMs: 800, Speedup: 1, Correct: &yes, Expected: lab.Int64(10)},
		{Name: WorkerPool, MedianMs: 428, Speedup: 1.87, SpeedupCI: &[2]float64{1.7, 2.0}, Correct: &yes, Expected: lab.Int64(10),
			Extra: map[string]any{"vs_decode": 1.15}},
	}}
	h, d := (&Experiment{}).Judge(r, lab.Params{"clip": "test.avi"}, lab.Env{NumCPU: 2})
	if !strings.Contains(d, "1.15× decode-only") || strings.Contains(d, "1.07×") {
		t.Errorf("got details %q, want the table's 1.15× decode-only", d)
	}
	want := "The fastest counter was worker-pool, 428 ms a trial, 1.15× decode-only's time, faster than sequential (1.87×)."
	if h != want {
		t.Errorf("got headline %q, want %q", h, want)
	}
	r.Variants[2].SpeedupCI = &[2]float64{0.9, 2.5}
	if h, _ := (&Experiment{}).Judge(r, lab.Params{"clip": "test.avi"}, lab.Env{NumCPU: 2}); !strings.Contains(h, "no measurable difference on this machine") {
		t.Errorf("got headline %q, want no measurable difference inside the interval", h)
	}
}
