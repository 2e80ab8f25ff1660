package race

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Verdict implements lab.Verdicter: it says how many updates were lost in
// how many trials, on this machine, from the run's own figures.
func (Experiment) Verdict(r *lab.Result, p lab.Params, env lab.Env) string {
	g := p.Int("goroutines")
	machine := fmt.Sprintf("%s on %s (GOMAXPROCS %d)", prose.Plural(g, "goroutine"), prose.Plural(env.NumCPU, "core"), env.GOMAXPROCS)
	var parts []string
	if v := r.Variant("unsynchronized"); v != nil {
		lossy, worst := 0, int64(0)
		var lost []float64
		for _, t := range v.Trials {
			l := *t.Expected - *t.Got
			if l > 0 {
				lossy++
			}
			worst = max(worst, l)
			lost = append(lost, float64(l))
		}
		n := len(v.Trials)
		switch {
		case lossy == 0:
			parts = append(parts, fmt.Sprintf("No update was lost in %s with %s: the race is still there, but updates are lost only while two goroutines run at the same instant on different cores, and this time they took turns. Run it again, or with more goroutines.",
				prose.Plural(n, "trial"), machine))
		case lossy == n:
			med := lab.Median(lost)
			parts = append(parts, fmt.Sprintf("Updates were lost in every one of %s with %s: a median of %s of %s increments (%.0f%%) vanished, at worst %s.",
				prose.Plural(n, "trial"), machine, prose.Group(int64(med)), prose.Group(*v.Expected), 100*med/float64(*v.Expected), prose.Group(worst)))
		default:
			parts = append(parts, fmt.Sprintf("Updates were lost in %d of %s with %s: at worst %s of %s increments (%.0f%%) vanished; in the other trials the goroutines happened not to overlap.",
				lossy, prose.Plural(n, "trial"), machine, prose.Group(worst), prose.Group(*v.Expected), 100*float64(worst)/float64(*v.Expected)))
		}
	}
	if v := r.Variant("sequential"); v != nil && v.Correct != nil {
		if *v.Correct {
			parts = append(parts, "One goroutine alone counted exactly, every time.")
		} else {
			parts = append(parts, "Even the single goroutine miscounted, which should never happen: please report this run.")
		}
	}
	return strings.Join(parts, " ")
}
