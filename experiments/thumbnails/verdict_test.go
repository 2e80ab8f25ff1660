package thumbnails

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// The headline claims the pipeline faster than two-phase only where its
// interval is above 1.
func TestVerdictClaimsOnlyTheInterval(t *testing.T) {
	yes := true
	p := params(t, "images=24")
	for _, tt := range []struct {
		name string
		ci   [2]float64
		want string
	}{
		{"faster", [2]float64{1.3, 1.6}, "the pipeline was faster beyond the 95% interval (1.45×"},
		{"no difference", [2]float64{0.9, 1.6}, "the pipeline made no measurable difference on this machine (1.45×"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &lab.Result{Variants: []lab.VariantResult{
				{Name: "two-phase", Baseline: true, MedianMs: 1900, Speedup: 1, CPUMs: 3600, Correct: &yes},
				{Name: "pipeline", MedianMs: 1310, Speedup: 1.45, SpeedupCI: &tt.ci, CPUMs: 3600, Correct: &yes,
					Extra: map[string]any{"overlap_ms": 880.0}},
				{Name: "processes", MedianMs: 1400, Speedup: 1.36, SpeedupCI: &tt.ci, CPUMs: 3900, Correct: &yes,
					Extra: map[string]any{"start_ms": 12.0, "copy_ms": 60.0}},
			}}
			h, d := New().Judge(r, p, lab.Env{})
			if !strings.Contains(h, tt.want) || !strings.Contains(h, "overlapped its downloads for 880 ms") {
				t.Errorf("headline %q, want %q and the overlap", h, tt.want)
			}
			for _, want := range []string{"all 72 thumbnails right", "took 12 ms each to start", "took 60 ms in all"} {
				if !strings.Contains(d, want) {
					t.Errorf("details %q lack %q", d, want)
				}
			}
		})
	}
	wrong := false
	r := &lab.Result{Variants: []lab.VariantResult{{Name: "sequential", Baseline: true, MedianMs: 6000, Correct: &wrong}}}
	if _, d := New().Judge(r, p, lab.Env{}); !strings.Contains(d, "Sequential got some thumbnails or the byte total wrong") {
		t.Errorf("details %q, want the wrong variant named", d)
	}
}
