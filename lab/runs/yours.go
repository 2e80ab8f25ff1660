package runs

import (
	"fmt"

	"concurrencylab/lab"
)

// yoursSentence says what the learner's own variant did, for the end of
// the verdict: right or wrong in how many trials, and its time beside the
// baseline's only where the interval shows a difference. "" without yours.
func yoursSentence(r *lab.Result) string {
	var v *lab.VariantResult
	baseline := ""
	for i := range r.Variants {
		switch {
		case r.Variants[i].Name == lab.Yours:
			v = &r.Variants[i]
		case r.Variants[i].Baseline:
			baseline = r.Variants[i].Name
		}
	}
	if v == nil || len(v.Trials) == 0 {
		return ""
	}
	n := len(v.Trials)
	if v.WrongTrials != nil && *v.WrongTrials > 0 {
		s := fmt.Sprintf("Yours was wrong in %d of %d trials", *v.WrongTrials, n)
		if v.WorstGot != nil && v.Expected != nil {
			s += fmt.Sprintf(": at worst %s of %s", lab.Group(*v.WorstGot), lab.Group(*v.Expected))
		}
		return s + "."
	}
	s := fmt.Sprintf("Yours was right in all %d trials", n)
	if v.Correct == nil {
		s = fmt.Sprintf("Yours ran %d trials", n)
	}
	if baseline == "" || v.Speedup == 0 {
		return s + "."
	}
	switch lab.Compare(*v) {
	case lab.Faster:
		return s + fmt.Sprintf(", %.2g× as fast as %s.", v.Speedup, baseline)
	case lab.Slower:
		return s + fmt.Sprintf(", %.2g× %s's time.", 1/v.Speedup, baseline)
	case lab.NoDifference:
		return s + fmt.Sprintf(", in a time no different from %s's on this machine.", baseline)
	}
	return s + "."
}
