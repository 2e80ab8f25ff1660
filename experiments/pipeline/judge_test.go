package pipeline

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// TestJudgeExplainsChannelsLosingToPolling: the headline compares every
// variant with polling by its interval (it used to compare polling with
// fan-out only), and the details say why unbuffered channels lost.
func TestJudgeExplainsChannelsLosingToPolling(t *testing.T) {
	r := &lab.Result{Variants: []lab.VariantResult{
		{Name: "polling", Baseline: true, MedianMs: 100, Speedup: 1},
		{Name: "channels", MedianMs: 147, Speedup: 0.68, SpeedupCI: &[2]float64{0.6, 0.75}},
		{Name: "fan-out", MedianMs: 50, Speedup: 2, SpeedupCI: &[2]float64{1.8, 2.2}},
	}}
	h, d := Experiment{}.Judge(r, params(t, ""), lab.Env{NumCPU: 2, GOMAXPROCS: 2})
	want := "Against polling, channels was slower (0.68×) and fan-out was faster (2.00×)."
	if h != want {
		t.Errorf("got headline %q, want %q", h, want)
	}
	if !strings.Contains(d, "Unbuffered channels ran 0.68× as fast as polling: each item is a handoff") {
		t.Errorf("got details %q, want channels' loss explained", d)
	}
	r.Variants[1].SpeedupCI = &[2]float64{0.6, 1.1}
	if _, d := (Experiment{}).Judge(r, params(t, ""), lab.Env{}); strings.Contains(d, "Unbuffered channels ran") {
		t.Errorf("got details %q explaining a loss the interval does not show", d)
	}
}
