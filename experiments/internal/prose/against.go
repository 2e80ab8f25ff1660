package prose

import (
	"fmt"
	"strconv"

	"concurrencylab/lab"
)

// Against is a headline that compares every variant with the baseline by
// its speedup's interval, so it claims faster or slower only where the
// interval excludes 1: "Against polling, fan-out was faster (2.10×),
// buffered made no measurable difference on this machine (1.02×) and
// channels was slower (0.68×)." The figures are the table's speedups. A
// learner's own variant is left to the lab's sentence on yours, which
// says whether it was right as well as how fast.
func Against(r *lab.Result) string {
	b := r.Baseline()
	if b == nil {
		return ""
	}
	base := b.Name
	var said []string
	for _, v := range r.Variants {
		if v.Name == base || v.Name == lab.Yours {
			continue
		}
		x := strconv.FormatFloat(v.Speedup, 'f', 2, 64) + "×"
		switch lab.Compare(v) {
		case lab.Faster:
			said = append(said, fmt.Sprintf("%s was faster (%s)", v.Name, x))
		case lab.Slower:
			said = append(said, fmt.Sprintf("%s was slower (%s)", v.Name, x))
		case lab.NoDifference:
			said = append(said, fmt.Sprintf("%s made no measurable difference on this machine (%s)", v.Name, x))
		default:
			said = append(said, fmt.Sprintf("%s ran %s as fast, too few trials to tell", v.Name, x))
		}
	}
	if base == "" || len(said) == 0 {
		return ""
	}
	return "Against " + base + ", " + List(said) + "."
}

// OnlyYours reports whether a learner's own variant is all that ran: an
// experiment's verdict then leaves the run to the lab's sentence on
// yours.
func OnlyYours(r *lab.Result) bool {
	return len(r.Variants) == 1 && r.Variants[0].Name == lab.Yours
}
