package failures

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// vr builds a summarised variant from its trials' errors (returned, seen)
// and extras, the way lab would.
func vr(name string, ms float64, trials ...lab.TrialResult) lab.VariantResult {
	v := lab.VariantResult{Name: name, MedianMs: ms, Trials: trials, Extra: map[string]any{}}
	correct, wrong := true, 0
	for _, t := range trials {
		v.Expected, v.Got = t.Expected, lab.Float64(float64(*t.Got))
		if c := t.Correct(); c != nil && !*c {
			correct = false
			wrong++
			v.WorstGot = t.Got
		}
		for k, x := range t.Extra {
			if _, ok := lab.Number(x); ok {
				v.Extra[k] = x
			}
		}
	}
	v.Correct, v.WrongTrials = &correct, &wrong
	return v
}

func tr(returned, seen int64, extra map[string]any) lab.TrialResult {
	return lab.TrialResult{Expected: lab.Int64(returned), Got: lab.Int64(seen), Extra: extra}
}

func TestJudge(t *testing.T) {
	p := params(t, "")
	env := lab.Env{NumCPU: 2, GOMAXPROCS: 2}
	panicked := map[string]any{"exit_status": 2, "tasks_done": 0, "output": "panic: task 3 failed\n\ngoroutine 7 [running]:"}
	eg := map[string]any{"tasks_skipped": 11, "first_failure_ms": 10.2, "error_seen": "task 3 failed"}
	rec := map[string]any{"tasks_skipped": 11, "first_failure_ms": 10.3, "error_seen": "panic: task 3 failed"}
	all := &lab.Result{Variants: []lab.VariantResult{
		vr("bare", 20.5, tr(2, 0, nil), tr(2, 0, nil)),
		vr("collect", 20.6, tr(2, 2, map[string]any{"error_seen": "task 3 failed; task 8 failed"}), tr(2, 2, nil)),
		vr("errgroup", 10.4, tr(1, 1, eg), tr(1, 1, eg)),
		vr("panic", 160, tr(1, 0, panicked), tr(1, 0, panicked)),
		vr("recover", 10.5, tr(1, 1, rec), tr(1, 1, rec)),
	}}
	all.Variants[1].Baseline = true
	h, d := Experiment{}.Judge(all, p, env)
	if want := "When a task failed, the caller got every error with collect, errgroup and recover; with bare it saw 0 of 2, and the panic ended its whole program (exit status 2)."; h != want {
		t.Errorf("got headline %q, want %q", h, want)
	}
	if n := len(strings.Fields(h)); n >= 40 {
		t.Errorf("got a headline of %d words, want under 40", n)
	}
	for _, want := range []string{
		"bare: the go statement dropped every error; the caller saw 0 of the 2 returned, in 2 of 2 trials.",
		"collect: errors.Join gave the caller every error (2 of 2) in 2 trials, and it answered once all 12 tasks had ended (median 21 ms).",
		`errgroup: Wait returned the first error ("task 3 failed") after 10 ms (median; the first failure came at 10 ms), and the cancel skipped 11 of 12 tasks.`,
		"panic: its process died with exit status 2 in every one of 2 trials, before any of the other 11 tasks finished",
		"Python would have printed the traceback and gone on.",
		"The run itself went on to its next trial.",
		"The deferred recover in each task turned the panic into that error; errgroup does not do this by itself.",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("details %q lack %q", d, want)
		}
	}
	if strings.Contains(d, "as fast as collect") {
		t.Errorf("details %q claim a speedup without an interval", d)
	}
	if v := lab.Verdict(Experiment{}, all, p, env); v != h+" "+d {
		t.Errorf("got Verdict %q, want the headline and the details", v)
	}
}

func TestJudgeEdges(t *testing.T) {
	p := params(t, "")
	env := lab.Env{NumCPU: 2, GOMAXPROCS: 2}
	tests := []struct {
		name     string
		variants []lab.VariantResult
		want     []string
	}{
		{"nothing failed", []lab.VariantResult{vr("bare", 20, tr(0, 0, nil)), vr("collect", 20, tr(0, 0, nil))},
			[]string{"No task failed (the fail list is empty), so there was no error to lose.", "bare: no task failed"}},
		{"errgroup drops the second error", []lab.VariantResult{vr("errgroup", 10, tr(2, 1, map[string]any{"error_seen": "task 1 failed"}))},
			[]string{"with errgroup it saw 1 of 2.", "In 1 of 1 trial more than one task failed before the cancel, and errgroup kept only the first error."}},
		{"panic alone", []lab.VariantResult{vr("panic", 150, tr(1, 0, map[string]any{"exit_status": 2, "tasks_done": 4}))},
			[]string{"When a task failed, the panic ended its whole program (exit status 2).", "after at most 4 of 12 tasks had finished"}},
		{"none", nil, []string{"No variant ran."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lab.Verdict(Experiment{}, &lab.Result{Variants: tt.variants}, p, env)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q lacks %q", got, w)
				}
			}
		})
	}
}
