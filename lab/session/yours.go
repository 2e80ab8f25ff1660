package session

import (
	"fmt"
	"maps"
	"slices"

	"concurrencylab/lab"
)

// YoursFigures are what the board shows of a learner's own variant: in
// how many trials it was right, and its median time beside the lab's
// fastest variant that was right in every trial. Its answers are what the
// learner's program reported through the lab's harness, in its sandbox.
type YoursFigures struct {
	Right    int     `json:"right"`  // trials with the expected answer
	Trials   int     `json:"trials"` // trials run
	MedianMs float64 `json:"median_ms"`
	// Best is the lab's fastest variant right in every trial of the run
	// ("" where none was), and BestMs its median time.
	Best   string  `json:"best,omitempty"`
	BestMs float64 `json:"best_ms,omitempty"`
}

// yoursOf returns the figures of r's variant yours, nil where it ran none.
func yoursOf(r *lab.Result) *YoursFigures {
	i := slices.IndexFunc(r.Variants, func(v lab.VariantResult) bool { return v.Name == lab.Yours })
	if i < 0 {
		return nil
	}
	y := r.Variants[i]
	f := &YoursFigures{Trials: len(y.Trials), Right: rightTrials(y), MedianMs: y.MedianMs}
	for _, v := range r.Variants {
		// The lab's best was right in every trial, each of them judged.
		if v.Name == lab.Yours || len(v.Trials) == 0 || rightTrials(v) < len(v.Trials) {
			continue
		}
		if f.Best == "" || v.MedianMs < f.BestMs {
			f.Best, f.BestMs = v.Name, v.MedianMs
		}
	}
	return f
}

// rightTrials counts v's trials judged right: a trial with no answer to
// judge (a deadlock's) is not.
func rightTrials(v lab.VariantResult) int {
	n := 0
	for _, t := range v.Trials {
		if c := t.Correct(); c != nil && *c {
			n++
		}
	}
	return n
}

// yoursSummary is the board's line of a run that ran yours: right in k of
// n trials, its median time, and the lab's best beside it.
func yoursSummary(y *YoursFigures) string {
	s := fmt.Sprintf("yours: right in %d of %d trials, median %s ms", y.Right, y.Trials, number(y.MedianMs))
	if y.Best != "" {
		s += fmt.Sprintf("; the lab's best, %s: %s ms", y.Best, number(y.BestMs))
	}
	return s
}

// ranCode returns the id of the learner's file a run with params ran as
// yours, "" where it ran none.
func ranCode(params map[string]any) string { return lab.RanYours(params) }

// withoutYours returns p without what a learner may change in a locked
// round with editing on: the code, and yours among the variants.
func withoutYours(info lab.Info, p lab.Params) string {
	q := maps.Clone(p)
	delete(q, "code")
	if vs, ok := q["variants"].([]string); ok {
		q["variants"] = slices.DeleteFunc(slices.Clone(vs), func(v string) bool { return v == lab.Yours })
	}
	return q.Query(info)
}
