package locked

import (
	"context"
	"strings"
	"testing"
	"time"

	"concurrencylab/experiments/internal/detector"
	"concurrencylab/lab"
)

// The synchronized variants draw no report from the race detector, and the
// child process is not part of the trial's time.
func TestSynchronizedDetectorReports(t *testing.T) {
	needRacecounter(t)
	for _, variant := range synced {
		t.Run(variant, func(t *testing.T) {
			p := params(t, "goroutines=1&increments=1&detector=true")
			rec := &recorder{}
			began := time.Now()
			tr, err := Experiment{}.Trial(context.Background(), variant, p, rec)
			wall := time.Since(began)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				"race_report":    "",
				"race_reports":   0,
				"race_exit_code": 0,
				"race_output":    "counted 2000 of 2000",
				"race_command":   "racecounter -experiment locked -variant " + variant + " -goroutines 2 -increments 1000",
			}
			for k, w := range want {
				if got := tr.Extra[k]; got != w {
					t.Errorf("got %s %q, want %q", k, got, w)
				}
			}
			if s, _ := tr.Extra["race_summary"].(string); !strings.HasSuffix(s, "no data race reported") {
				t.Errorf("got race_summary %q, want it to say no data race was reported", s)
			}
			if len(rec.logs) != 1 || !strings.Contains(rec.logs[0], variant+": race detector:") {
				t.Errorf("got logs %q, want one line from the race detector", rec.logs)
			}
			// One increment takes microseconds, the child process
			// milliseconds: the trial's time must not include the child.
			if tr.Elapsed*2 > wall {
				t.Errorf("got elapsed %v of %v in all, want the child process left out", tr.Elapsed, wall)
			}
		})
	}
}

func TestDetectorOffAddsNothing(t *testing.T) {
	tr, err := Experiment{}.Trial(context.Background(), "mutex", params(t, "goroutines=2&increments=10"), lab.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for k := range tr.Extra {
		if strings.HasPrefix(k, "race_") {
			t.Errorf("got extra %s with detector=false, want none", k)
		}
	}
}

func TestDetectorMissingProgram(t *testing.T) {
	t.Setenv(detector.EnvProgram, "/nonexistent/racecounter")
	_, err := Experiment{}.Trial(context.Background(), "mutex", params(t, "goroutines=2&increments=10&detector=true"), lab.Discard)
	if err == nil || !strings.Contains(err.Error(), "detector=true needs the racecounter program: run make build") {
		t.Errorf("got error %v, want one that says to run make build", err)
	}
}
