package locked

import (
	"context"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"concurrencylab/lab"
)

// get-set loses updates though every access is under the lock. It has no
// data race, so this test runs under -race too, where the detector would
// fail it at the first one. Updates are lost only while two goroutines run
// at once, which a busy machine may deny any one trial: the test asks for
// a loss within 50 trials (it stops at the first), and never a gain.
func TestGetSetLosesUpdates(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Fatalf("this test needs at least 2 cores, got %d", runtime.NumCPU())
	}
	p := params(t, "goroutines=4&increments=100000")
	lossy := 0
	for i := 0; i < 50 && lossy == 0; i++ {
		tr, err := Experiment{}.Trial(context.Background(), "get-set", p, lab.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if *tr.Got > *tr.Expected || *tr.Got <= 0 {
			t.Fatalf("got %d, want 1..%d", *tr.Got, *tr.Expected)
		}
		if *tr.Got < *tr.Expected {
			lossy++
		}
		if tr.Extra["lost"] != *tr.Expected-*tr.Got {
			t.Errorf("got extra lost %v, want %d", tr.Extra["lost"], *tr.Expected-*tr.Got)
		}
	}
	if lossy == 0 {
		t.Errorf("no update lost in 50 trials of 4 x 100,000: Get and Set are not leaving a gap, or the machine never gave two goroutines a core each")
	}
}

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
