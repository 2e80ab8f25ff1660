package session

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
)

func TestYoursOf(t *testing.T) {
	two, none := 2, 0
	// trials returns n trials of which the first right are right.
	trials := func(n, right int) []lab.TrialResult {
		ts := make([]lab.TrialResult, n)
		for i := range ts {
			ts[i].Expected, ts[i].Got = lab.Int64(10), lab.Int64(10)
			if i >= right {
				ts[i].Got = lab.Int64(3)
			}
		}
		return ts
	}
	unjudged := make([]lab.TrialResult, 3) // deadlocked: no answer to judge
	r := &lab.Result{Variants: []lab.VariantResult{
		{Name: "sequential", Baseline: true, MedianMs: 9, WrongTrials: &none, Trials: trials(3, 3)},
		{Name: "unsynchronized", MedianMs: 1, WrongTrials: &two, Trials: trials(3, 1)}, // fastest, but wrong
		{Name: "naive", MedianMs: 2, Trials: unjudged},                                 // fast, but never judged right
		{Name: "mutex", MedianMs: 4, WrongTrials: &none, Trials: trials(3, 3)},
		{Name: lab.Yours, MedianMs: 5, WrongTrials: &two, Trials: trials(3, 1)},
	}}
	y := yoursOf(r)
	if y == nil || y.Right != 1 || y.Trials != 3 || y.MedianMs != 5 || y.Best != "mutex" || y.BestMs != 4 {
		t.Fatalf("got %+v, want right in 1 of 3 beside mutex (the fastest right in every trial)", y)
	}
	if s := summaryOf(lab.Info{}, r); s != "yours: right in 1 of 3 trials, median 5 ms; the lab's best, mutex: 4 ms" {
		t.Errorf("the board's line: %q", s)
	}
	if f := figuresOf(r); f.Yours == nil || *f.Yours != *y {
		t.Errorf("figures: got %+v", f.Yours)
	}
	r.Variants = r.Variants[:4]
	if y := yoursOf(r); y != nil {
		t.Errorf("a run without yours: got %+v, want nil", y)
	}
}

func TestRanCode(t *testing.T) {
	for _, tt := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"code": "0123456789abcdef0123", "variants": "sequential,yours"}, "0123456789abcdef0123"},
		{map[string]any{"code": "0123456789abcdef0123", "variants": []any{"yours"}}, "0123456789abcdef0123"},
		{map[string]any{"code": "0123456789abcdef0123", "variants": "sequential"}, ""}, // not run
		{map[string]any{"variants": "yours"}, ""},
	} {
		if got := ranCode(tt.params); got != tt.want {
			t.Errorf("ranCode(%v) = %q, want %q", tt.params, got, tt.want)
		}
	}
}

// editable is counter with a variant of the learner's own.
type editable struct{ counter }

func (editable) Info() lab.Info {
	info := counter{}.Info()
	info.ID = "editable"
	info.Edit = &lab.Edit{Start: "yours.go", Func: lab.Func{Name: "Count"}, Expected: func(p lab.Params) int64 { return int64(p.Int("n")) }}
	return info
}

// A locked round open to learners' code lets them change only their code
// and yours among the variants; a round without the editor refuses yours.
func TestLearnerParamsWithEdit(t *testing.T) {
	m, err := runs.NewManager(context.Background(), slog.New(slog.DiscardHandler), runs.NewMemStore(), runs.Config{}, []lab.Experiment{editable{}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	s := &Service{runs: m}
	info := editable{}.Info()
	pushed, err := lab.ParseJSON(info, []byte(`{"n": 5, "variants": "one,lossy"}`))
	if err != nil {
		t.Fatal(err)
	}
	const code = `"code": "0123456789abcdef0123"`
	for _, tt := range []struct {
		name       string
		lock, edit bool
		params     string
		want       error // nil: allowed
	}{
		{"locked, editing: the code and yours", true, true, `{` + code + `, "variants": "one,lossy,yours"}`, nil},
		{"locked, editing: yours first", true, true, `{` + code + `, "variants": "yours,one,lossy"}`, nil},
		{"locked, editing: a value changed too", true, true, `{` + code + `, "variants": "one,lossy,yours", "n": 6}`, ErrLocked},
		{"locked, editing: a lab variant dropped", true, true, `{` + code + `, "variants": "one,yours"}`, ErrLocked},
		{"locked, editing: the pushed values", true, true, `{}`, nil},
		{"locked, no editing: yours", true, false, `{` + code + `, "variants": "one,yours"}`, ErrBadInput},
		{"unlocked, no editing: yours", false, false, `{` + code + `, "variants": "one,yours"}`, ErrBadInput},
		{"unlocked, editing: anything", false, true, `{` + code + `, "variants": "lossy,yours", "n": 9}`, nil},
	} {
		push := &Push{Experiment: "editable", Params: pushed.Encode(info), Lock: tt.lock, Edit: tt.edit}
		_, err := s.learnerParams(push, json.RawMessage(tt.params))
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
}
