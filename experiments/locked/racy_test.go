//go:build !race

package locked

import (
	"context"
	"strings"
	"testing"

	"concurrencylab/lab"
)

// These tests run the deliberately racy counter, so they are built only
// without the race detector (make test runs them in a second pass).

func TestUnsynchronizedLosesUpdates(t *testing.T) {
	// The test asks for a loss within 100 trials of 8 x 1,000,000, or more
	// on a busy machine (it stops at the first), and never a gain.
	if !lossWithin(t, "unsynchronized", params(t, "goroutines=8&increments=1000000"), 100) {
		t.Errorf("no update lost in %s of trials of 8 x 1,000,000: the counter is not racing, or the machine never gave it two cores at once", lossBudget)
	}
}

func TestOneGoroutineIsExact(t *testing.T) {
	p := params(t, "goroutines=1&increments=200000")
	tr, err := Experiment{}.Trial(context.Background(), "unsynchronized", p, lab.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if *tr.Got != 200000 || tr.Extra["lost"] != int64(0) {
		t.Errorf("got %d, lost %v, want 200000, lost 0", *tr.Got, tr.Extra["lost"])
	}
}

// The unsynchronized trial's detector report is the race detector's own,
// naming the lines of counters.go the page shows.
func TestUnsynchronizedDetectorReport(t *testing.T) {
	needRacecounter(t)
	p := params(t, "goroutines=2&increments=1000&detector=true")
	rec := &recorder{}
	tr, err := Experiment{}.Trial(context.Background(), "unsynchronized", p, rec)
	if err != nil {
		t.Fatal(err)
	}
	report, _ := tr.Extra["race_report"].(string)
	for _, want := range []string{"WARNING: DATA RACE", "concurrencylab/experiments/locked.(*Counter).Increment()", "concurrencylab/experiments/locked/counters.go:", "Previous write at"} {
		if !strings.Contains(report, want) {
			t.Errorf("race_report lacks %q:\n%s", want, report)
		}
	}
	if n, _ := tr.Extra["race_reports"].(int); n < 1 {
		t.Errorf("got race_reports %v, want at least 1", tr.Extra["race_reports"])
	}
	if got := tr.Extra["race_exit_code"]; got != 66 {
		t.Errorf("got race_exit_code %v, want 66", got)
	}
	if len(rec.logs) != 1 || !strings.Contains(rec.logs[0], "data race") {
		t.Errorf("got logs %q, want one line about the data race", rec.logs)
	}
}
