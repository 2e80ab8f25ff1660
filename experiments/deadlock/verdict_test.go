package deadlock

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// trial is a finished trial for the verdict's tests.
func trial(ms float64, got int64, extra map[string]any) lab.TrialResult {
	return lab.TrialResult{Ms: ms, Expected: lab.Int64(1000), Got: lab.Int64(got), Extra: extra}
}

func deadlocked(cycle string) lab.TrialResult {
	return lab.TrialResult{Ms: 120, Expected: lab.Int64(1000), Extra: map[string]any{
		"deadlocked": true, "deadlocks": 1, "cycle": cycle, "transfers_done": 7}}
}

func finished(name string, ms []float64, got int64, speedup float64, ci *[2]float64) lab.VariantResult {
	v := lab.VariantResult{Name: name, Baseline: name == "ordered", Speedup: speedup, SpeedupCI: ci,
		Extra: map[string]any{"transfers_per_s": 2500.0}}
	ok := got == 1000
	v.Correct = &ok
	for _, m := range ms {
		v.Trials = append(v.Trials, trial(m, got, map[string]any{"deadlocked": false}))
	}
	return v
}

func TestJudge(t *testing.T) {
	six := []float64{10, 11, 12, 10, 11, 12}
	cycle := "goroutine 2 holds account 1, waits for account 2; goroutine 3 holds 2, waits for 1"
	naive := lab.VariantResult{Name: "naive"}
	for range 6 {
		naive.Trials = append(naive.Trials, deadlocked(cycle))
	}
	naive.Trials[0].Extra["go_asleep"] = "fatal error: all goroutines are asleep - deadlock! (exit status 2)"
	naive.Trials[0].Extra["go_alive"] = "nothing: still hung after 1s, killed"
	calm := lab.VariantResult{Name: "naive"}
	for range 6 {
		calm.Trials = append(calm.Trials, trial(5, 1000, map[string]any{"deadlocked": false}))
	}
	tests := []struct {
		name         string
		query        string
		variants     []lab.VariantResult
		wantHeadline string
		wantDetails  []string
	}{
		{"all four", "accounts=10", []lab.VariantResult{naive,
			finished("ordered", six, 1000, 1, nil),
			finished("global", six, 1000, 0.31, &[2]float64{0.28, 0.35}),
			finished("owner", six, 1000, 0.98, &[2]float64{0.9, 1.1})},
			"The naive lock order deadlocked in 6 of 6 trials; ordered, global and owner never deadlocked, and every trial that finished ended with the bank's 1,000 intact.",
			[]string{"In trial 1 the watchdog found " + cycle, "a median of 7 transfers",
				"ordered locks made 2,500 transfers a second; one lock for the bank was slower (0.31× the speed) and one owner goroutine ran at 0.98× the speed (no measurable difference on this machine).",
				"1ms of work inside its locks", "Set where=outside",
				`end the program with fatal error: all goroutines are asleep - deadlock! (exit status 2); beside one live goroutine, as a server always has, it said nothing: still hung after 1s, killed.`}},
		{"naive got lucky", "accounts=10&where=outside", []lab.VariantResult{calm, finished("ordered", six, 1000, 1, nil)},
			"The naive lock order happened not to deadlock in 6 trials; ordered never deadlocked, and every trial that finished ended with the bank's 1,000 intact.",
			[]string{"1ms of work before taking its locks"}},
		{"money lost", "accounts=10", []lab.VariantResult{finished("ordered", six, 1000, 1, nil), finished("global", six, 990, 1, nil)},
			"Ordered never deadlocked, but the bank's total of 1,000 came out wrong in global (6 of 6 trials), which must never happen: please report this run.",
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, d := New().Judge(&lab.Result{Variants: tt.variants}, params(t, tt.query), lab.Env{GOMAXPROCS: 2})
			if h != tt.wantHeadline {
				t.Errorf("got headline\n%q\nwant\n%q", h, tt.wantHeadline)
			}
			if n := len(strings.Fields(h)); n >= 40 {
				t.Errorf("got a headline of %d words, want under 40", n)
			}
			for _, w := range tt.wantDetails {
				if !strings.Contains(d, w) {
					t.Errorf("got details\n%q\nwant them to contain\n%q", d, w)
				}
			}
		})
	}
}
