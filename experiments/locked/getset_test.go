package locked

import (
	"context"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
)

// get-set loses updates though every access is under the lock. It has no
// data race, so this test runs under -race too, where the detector would
// fail it at the first one.
func TestGetSetLosesUpdates(t *testing.T) {
	if !lossWithin(t, "get-set", params(t, "goroutines=4&increments=100000"), 50) {
		t.Errorf("no update lost in 50 trials of 4 x 100,000: Get and Set are not leaving a gap, or the machine never gave two goroutines a core each")
	}
}

// lossWithin runs trials of variant until one loses updates, at most
// tries, and reports whether one did. Updates are lost only while two
// goroutines run at once, which a busy machine may deny any one trial.
// No trial may count more than it was asked, and each reports its loss.
func lossWithin(t *testing.T, variant string, p lab.Params, tries int) bool {
	t.Helper()
	if runtime.NumCPU() < 2 {
		t.Fatalf("this test needs at least 2 cores, got %d", runtime.NumCPU())
	}
	// A loss needs two goroutines running at the same instant, which other
	// programs on the machine can deny for a while: past tries trials the
	// test keeps trying until lossBudget has passed.
	start := time.Now()
	for i := 0; i < tries || time.Since(start) < lossBudget; i++ {
		tr, err := Experiment{}.Trial(context.Background(), variant, p, lab.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if *tr.Got > *tr.Expected || *tr.Got <= 0 {
			t.Fatalf("got %d, want 1..%d", *tr.Got, *tr.Expected)
		}
		if tr.Extra["lost"] != *tr.Expected-*tr.Got {
			t.Errorf("got extra lost %v, want %d", tr.Extra["lost"], *tr.Expected-*tr.Got)
		}
		if *tr.Got < *tr.Expected {
			return true
		}
	}
	return false
}

// lossBudget is how long a test keeps asking for a lost update on a busy
// machine.
const lossBudget = 30 * time.Second

// The race detector's report for get-set is empty, whatever the count: a
// lost update without a data race.
func TestGetSetDetectorReportIsEmpty(t *testing.T) {
	needRacecounter(t)
	p := params(t, "goroutines=2&increments=1000&detector=true")
	rec := &recorder{}
	tr, err := Experiment{}.Trial(context.Background(), "get-set", p, rec)
	if err != nil {
		t.Fatal(err)
	}
	for k, w := range map[string]any{"race_report": "", "race_reports": 0, "race_exit_code": 0} {
		if got := tr.Extra[k]; got != w {
			t.Errorf("got %s %#v, want %#v", k, got, w)
		}
	}
	out, _ := tr.Extra["race_output"].(string)
	m := regexp.MustCompile(`^counted (\d+) of 2000$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("got race_output %q, want counted N of 2000", out)
	}
	if n, _ := strconv.Atoi(m[1]); n < 1 || n > 2000 {
		t.Errorf("racecounter counted %d, want 1..2000", n)
	}
	if len(rec.logs) != 1 || !strings.Contains(rec.logs[0], "get-set: race detector:") || !strings.Contains(rec.logs[0], "no data race reported") {
		t.Errorf("got logs %q, want one line saying no data race was reported", rec.logs)
	}
}
