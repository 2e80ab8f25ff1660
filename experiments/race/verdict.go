package race

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Verdict implements lab.Verdicter: it says how many updates were lost in
// how many trials, on the cores the run had, from the run's own figures.
func (Experiment) Verdict(r *lab.Result, p lab.Params, env lab.Env) string {
	g := p.Int("goroutines")
	procs := env.Cores()
	machine := fmt.Sprintf("%s on %s (GOMAXPROCS %d)", prose.Plural(g, "goroutine"), prose.Plural(procs, "core"), procs)
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
		case lossy == 0 && procs == 1 && env.Arch == "amd64":
			parts = append(parts, fmt.Sprintf("No update was lost in %s with %s: with one core the goroutines could only take turns, and on amd64 Increment is one INCQ instruction, which a core never stops halfway through, so no turn ended between its read and its write. That is the lesson of cores=1: updates are lost only while goroutines run at the same instant on different cores.",
				prose.Plural(n, "trial"), machine))
		case lossy == 0 && procs == 1:
			parts = append(parts, fmt.Sprintf("No update was lost in %s with %s: with one core the goroutines could only take turns. On %s, turns on one core can still lose updates if a goroutine is preempted between Increment's read and its write; this time none was.",
				prose.Plural(n, "trial"), machine, archName(env)))
		case lossy == 0:
			parts = append(parts, fmt.Sprintf("No update was lost in %s with %s: the race is still there, but updates are lost only while two goroutines run at the same instant on different cores, and this time they took turns. Run it again, or with more goroutines.",
				prose.Plural(n, "trial"), machine))
		case lossy == n:
			med := lab.Median(lost)
			parts = append(parts, fmt.Sprintf("Updates were lost in every one of %s with %s: a median of %s of %s increments (%.0f%%) vanished, at worst %s.",
				prose.Plural(n, "trial"), machine, prose.Group(int64(med)), prose.Group(*v.Expected), 100*med/float64(*v.Expected), prose.Group(worst)))
		case procs == 1:
			// One core: the goroutines never overlapped, so "happened not
			// to overlap" would explain nothing. Only the figures.
			parts = append(parts, fmt.Sprintf("Updates were lost in %d of %s with %s: at worst %s of %s increments (%.0f%%) vanished, although the goroutines could only take turns.",
				lossy, prose.Plural(n, "trial"), machine, prose.Group(worst), prose.Group(*v.Expected), 100*float64(worst)/float64(*v.Expected)))
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

// archName names the run's architecture, or "this processor" when the
// run did not record it.
func archName(env lab.Env) string {
	if env.Arch == "" {
		return "this processor"
	}
	return env.Arch
}
