//go:build !race

package main

import (
	"testing"
	"time"
)

// A run of 6 trials gives every non-baseline variant a 95% interval of
// its speedup, around the speedup itself.
func TestSpeedupIntervals(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	tests := []struct{ experiment, params string }{
		{"primes", `{"workload":"cpu","repeat":6}`},
		{"pipeline", `{"repeat":6,"items":300}`},
	}
	for _, tt := range tests {
		t.Run(tt.experiment, func(t *testing.T) {
			id := submit(t, base, tt.experiment, tt.params)
			run := waitStatus(t, base, id, 2*time.Minute, "done", "failed")
			if run["status"] != "done" {
				t.Fatalf("got %v (%v), want done", run["status"], run["error"])
			}
			for _, x := range run["result"].(map[string]any)["variants"].([]any) {
				v := x.(map[string]any)
				ci, _ := v["speedup_ci"].([]any)
				if v["baseline"] == true {
					if ci != nil {
						t.Errorf("%s (the baseline): got speedup_ci %v, want null", v["name"], ci)
					}
					continue
				}
				if len(ci) != 2 {
					t.Errorf("%s: got speedup_ci %v, want [lo, hi]", v["name"], v["speedup_ci"])
					continue
				}
				lo, hi, s := ci[0].(float64), ci[1].(float64), v["speedup"].(float64)
				if !(lo <= s && s <= hi) {
					t.Errorf("%s: got speedup %v outside its interval [%v, %v]", v["name"], s, lo, hi)
				}
			}
		})
	}
}
