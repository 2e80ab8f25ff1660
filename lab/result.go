package lab

import (
	"encoding/json"
	"slices"
)

// A Result is a finished run's outcome, as the result event and the API
// carry it.
type Result struct {
	// Verdict is one plain headline sentence that answers the lesson's
	// question; Details holds the rest of what the figures say (the page
	// folds it away).
	Verdict  string          `json:"verdict"`
	Details  string          `json:"details,omitempty"`
	Variants []VariantResult `json:"variants"`
	// PeakRSSBytes is the most memory the run's process held at once, where
	// the run had a process of its own.
	PeakRSSBytes int64 `json:"peak_rss_bytes,omitempty"`
	// Traces names the variants whose raw execution trace the run kept
	// (trace=true), for GET /runs/{id}/trace/{variant}.
	Traces []string `json:"traces,omitempty"`
}

// A VariantResult summarises one variant's trials. Its speedup is null
// in JSON where it has none (SpeedupWithheld says why).
type VariantResult struct {
	Name     string  `json:"name"`
	Baseline bool    `json:"baseline"`
	MedianMs float64 `json:"median_ms"`
	MinMs    float64 `json:"min_ms"`
	MaxMs    float64 `json:"max_ms"`
	CPUMs    float64 `json:"cpu_ms"`  // the median CPU time of a trial, user + system
	Speedup  float64 `json:"speedup"` // baseline median / this median
	Correct  *bool   `json:"correct"` // nil where correctness has no meaning
	Expected *int64  `json:"expected"`
	// Got is the median of the trials' answers: with an even number of
	// trials the mean of the middle two, as every median in a result is,
	// so a figure derived from the answer (updates lost: expected - got)
	// has, as its median, expected minus this.
	Got *float64 `json:"got"`
	// WrongTrials counts the trials whose answer was wrong, and WorstGot is
	// the wrong answer farthest from Expected (nil if none was wrong); both
	// nil where Correct is.
	WrongTrials *int   `json:"wrong_trials"`
	WorstGot    *int64 `json:"worst_got"`
	// SpeedupCI is a 95% interval around Speedup (see speedupCI); nil for
	// the baseline and for runs of fewer than MinCIRounds rounds.
	SpeedupCI *[2]float64 `json:"speedup_ci"`
	// SpeedupWithheld says why a variant has no speedup (0, null in
	// JSON): its answer, or the baseline's, was wrong in some trial.
	SpeedupWithheld string `json:"speedup_withheld,omitempty"`
	// OthersPct is the share of the run's CPUs' time, in percent, that
	// other programs took while this variant's trials ran; nil where it
	// could not be measured.
	OthersPct *float64       `json:"others_pct"`
	Trials    []TrialResult  `json:"trials"`
	Peaks     map[string]any `json:"peaks"`
	Extra     map[string]any `json:"extra,omitempty"`
}

// A TrialResult is one trial of a variant.
type TrialResult struct {
	Ms       float64        `json:"ms"`
	CPUMs    float64        `json:"cpu_ms"` // CPU time, user + system, of the whole trial
	Expected *int64         `json:"expected,omitempty"`
	Got      *int64         `json:"got"`
	Extra    map[string]any `json:"extra,omitempty"`
}

// Correct reports whether the trial got the expected answer; nil where
// there is none to check.
func (t TrialResult) Correct() *bool {
	if t.Expected == nil || t.Got == nil {
		return nil
	}
	ok := *t.Expected == *t.Got
	return &ok
}

// Variant returns the result of the named variant, or nil.
func (r *Result) Variant(name string) *VariantResult {
	for i := range r.Variants {
		if r.Variants[i].Name == name {
			return &r.Variants[i]
		}
	}
	return nil
}

// Median returns the median of xs (the mean of the middle two for an even
// count); 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Number reads a figure of a trial's or variant's Extra: an int when
// fresh, a float64 once it has been through JSON. ok is false for anything
// that is not a number.
func Number(x any) (value float64, ok bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// MarshalJSON writes v with its speedup null where it has none.
func (v VariantResult) MarshalJSON() ([]byte, error) {
	type plain VariantResult // without this method
	out := struct {
		plain
		Speedup *float64 `json:"speedup"`
	}{plain: plain(v)}
	if v.Speedup != 0 {
		out.Speedup = &v.Speedup
	}
	return json.Marshal(out)
}
