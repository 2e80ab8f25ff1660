package lab

import (
	"fmt"
	"math"
	"slices"
	"time"
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
}

// A VariantResult summarises one variant's trials.
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
	Got      *int64  `json:"got"` // the median of the trials' answers
	// WrongTrials counts the trials whose answer was wrong, and WorstGot is
	// the wrong answer farthest from Expected (nil if none was wrong); both
	// nil where Correct is.
	WrongTrials *int   `json:"wrong_trials"`
	WorstGot    *int64 `json:"worst_got"`
	// SpeedupCI is a 95% interval around Speedup (see speedupCI); nil for
	// the baseline and for runs of fewer than MinCIRounds rounds.
	SpeedupCI *[2]float64    `json:"speedup_ci"`
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

// summarize fills a VariantResult from its trials.
func summarize(name string, trials []TrialResult) VariantResult {
	v := VariantResult{Name: name, Trials: trials, Peaks: map[string]any{}}
	if len(trials) == 0 {
		return v
	}
	ms := make([]float64, len(trials))
	cpu := make([]float64, len(trials))
	var gots []int64
	correct := true
	checked := false
	wrong := 0
	var worst *int64
	for i, t := range trials {
		ms[i], cpu[i] = t.Ms, t.CPUMs
		if t.Got != nil {
			gots = append(gots, *t.Got)
		}
		if c := t.Correct(); c != nil {
			checked = true
			correct = correct && *c
			if !*c {
				wrong++
				if worst == nil || absDiff(*t.Got, *t.Expected) > absDiff(*worst, *t.Expected) {
					worst = Int64(*t.Got)
				}
			}
		}
		if t.Expected != nil {
			v.Expected = t.Expected
		}
	}
	v.MedianMs, v.MinMs, v.MaxMs = Median(ms), slices.Min(ms), slices.Max(ms)
	v.CPUMs = round3(Median(cpu))
	v.Extra = medianExtras(trials)
	if len(gots) > 0 {
		g := medianInt(gots)
		v.Got = &g
	}
	if checked {
		v.Correct = &correct
		v.WrongTrials = &wrong
		v.WorstGot = worst
	}
	return v
}

func absDiff(a, b int64) int64 {
	if a > b {
		return a - b
	}
	return b - a
}

// setSpeedups marks the baseline and sets every variant's speedup against
// it: the named baseline if it ran, else the first variant.
func setSpeedups(vs []VariantResult, baseline string) {
	if len(vs) == 0 {
		return
	}
	b := slices.IndexFunc(vs, func(v VariantResult) bool { return v.Name == baseline })
	if b < 0 {
		b = 0
	}
	vs[b].Baseline = true
	for i := range vs {
		if vs[i].MedianMs > 0 {
			vs[i].Speedup = round3(vs[b].MedianMs / vs[i].MedianMs)
		}
		if i != b {
			vs[i].SpeedupCI = speedupCI(vs[b].Trials, vs[i].Trials)
		}
	}
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

// medianExtras returns, for every numeric figure in the trials' Extra, its
// median over the trials that have it: a variant's typical figure.
func medianExtras(trials []TrialResult) map[string]any {
	values := map[string][]float64{}
	for _, t := range trials {
		for k, x := range t.Extra {
			if f, ok := Number(x); ok {
				values[k] = append(values[k], f)
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]any, len(values))
	for k, xs := range values {
		out[k] = Median(xs)
	}
	return out
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

func medianInt(xs []int64) int64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2] // the lower middle: an answer some trial really got
}

func durationMs(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// genericVerdict describes a run for experiments without a Verdicter.
func genericVerdict(r *Result) string {
	if len(r.Variants) == 1 {
		v := r.Variants[0]
		return fmt.Sprintf("%s took %.3g ms (median of %d).", v.Name, v.MedianMs, len(v.Trials))
	}
	best := r.Variants[0]
	for _, v := range r.Variants[1:] {
		if v.MedianMs < best.MedianMs {
			best = v
		}
	}
	s := fmt.Sprintf("%s was fastest: %.3g ms, %.2fx the baseline", best.Name, best.MedianMs, best.Speedup)
	if best.Baseline {
		return s + "."
	}
	switch d := Compare(best); d {
	case Faster:
		return s + "."
	default:
		return s + fmt.Sprintf(", but %s.", d)
	}
}
