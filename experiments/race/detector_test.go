package race

import (
	"context"
	"strings"
	"testing"
	"time"

	"concurrencylab/experiments/internal/detector"
	"concurrencylab/lab"
)

// logRecorder keeps log lines and drops every other report.
type logRecorder struct {
	lab.Emitter
	logs []string
}

func (r *logRecorder) Log(text string) { r.logs = append(r.logs, text) }

func TestDetector(t *testing.T) {
	program, err := detector.Build(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(detector.EnvProgram, program)

	t.Run("sequential runs no detector", func(t *testing.T) {
		tr, err := Experiment{}.Trial(context.Background(), "sequential", params(t, "goroutines=2&increments=10&detector=true"), lab.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tr.Extra["race_report"]; ok {
			t.Errorf("got a race report for sequential, want none")
		}
	})

	t.Run("unsynchronized", func(t *testing.T) {
		p := params(t, "goroutines=1&increments=1&detector=true")
		rec := &logRecorder{Emitter: lab.Discard}
		began := time.Now()
		tr, err := Experiment{}.Trial(context.Background(), "unsynchronized", p, rec)
		wall := time.Since(began)
		if lab.RaceEnabled {
			// The in-process racy counter refuses under -race, detector or not.
			if err == nil || !strings.Contains(err.Error(), "-race") {
				t.Errorf("got error %v, want one that explains -race", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		report, _ := tr.Extra["race_report"].(string)
		for _, want := range []string{"WARNING: DATA RACE", "concurrencylab/experiments/race.(*Counter).Increment()", "concurrencylab/experiments/race/counter.go:"} {
			if !strings.Contains(report, want) {
				t.Errorf("race_report lacks %q:\n%s", want, report)
			}
		}
		if got := tr.Extra["race_exit_code"]; got != 66 {
			t.Errorf("got race_exit_code %v, want 66", got)
		}
		if len(rec.logs) != 1 || !strings.HasPrefix(rec.logs[0], "unsynchronized: race detector:") {
			t.Errorf("got logs %q, want one line from the race detector", rec.logs)
		}
		if tr.Elapsed*2 > wall {
			t.Errorf("got elapsed %v of %v in all, want the child process left out", tr.Elapsed, wall)
		}
	})

	t.Run("missing program", func(t *testing.T) {
		t.Setenv(detector.EnvProgram, "/nonexistent/racecounter")
		_, err := Experiment{}.Trial(context.Background(), "unsynchronized", params(t, "goroutines=2&increments=10&detector=true"), lab.Discard)
		want := "detector=true needs the racecounter program: run make build"
		if lab.RaceEnabled {
			// Under -race the racy variant refuses before it looks for the program.
			want = "built with -race"
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got error %v, want one that says %q", err, want)
		}
	})
}

func TestDetectorDefaultsOff(t *testing.T) {
	if p := params(t, ""); p.Bool("detector") {
		t.Errorf("got detector %v by default, want false", p.Bool("detector"))
	}
}
