package race

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline answers the lesson's question,
// were updates lost here, from every trial (not the median): in how many
// trials, and at worst how many. The details say why, for the run's
// architecture, goroutines and cores.
func (Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	return headlineOf(r, p, env), detailsOf(r, p, env)
}

// headlineOf is the one sentence above the table.
func headlineOf(r *lab.Result, p lab.Params, env lab.Env) string {
	g, procs := p.Int("goroutines"), env.Cores()
	v := r.Variant("unsynchronized")
	if v == nil || v.Expected == nil {
		if s := r.Variant("sequential"); s != nil && s.Correct != nil && *s.Correct {
			return fmt.Sprintf("One goroutine alone counted exactly in %s.", prose.Plural(len(s.Trials), "trial"))
		}
		return ""
	}
	n := len(v.Trials)
	lossy, worst := lostIn(*v)
	with := fmt.Sprintf("%s on %s", prose.Plural(g, "goroutine"), prose.Plural(procs, "core"))
	switch {
	case lossy == 0 && g == 1:
		return fmt.Sprintf("With one goroutine there is nothing to race with: the count was exact in %s.", prose.Plural(n, "trial"))
	case lossy == 0:
		if why := whyNoLoss(*v, procs); why != "" {
			return fmt.Sprintf("No update was lost in %s with %s: %s.", prose.Plural(n, "trial"), with, why)
		}
		return fmt.Sprintf("No update was lost in %s with %s this time.", prose.Plural(n, "trial"), with)
	}
	return fmt.Sprintf("Updates were lost in %d of %s with %s: at worst %s of %s lost, %s counted.",
		lossy, prose.Plural(n, "trial"), with, lab.Group(worst), lab.Group(*v.Expected), lab.Group(*v.Expected-worst))
}

// whyNoLoss says, from the run's own figures, why goroutines that could
// race did not: they used little more than one core at a time (a lost
// update needs two running at the same instant), and other programs took
// the cores. Spans cannot show this: a goroutine the system took off its
// core keeps its span open.
func whyNoLoss(v lab.VariantResult, procs int) string {
	var why []string
	if procs > 1 && v.MedianMs >= 1 && v.CPUMs > 0 {
		if used := v.CPUMs / v.MedianMs; used < 1.5 {
			why = append(why, fmt.Sprintf("they used %.1f cores on average, rarely running at the same instant", used))
		}
	}
	if o := v.OthersPct; o != nil && *o > 10 {
		why = append(why, fmt.Sprintf("other programs took %.0f%% of the cores", *o))
	}
	return strings.Join(why, "; ")
}

// lostIn counts v's trials that lost updates and the most any lost.
func lostIn(v lab.VariantResult) (lossy int, worst int64) {
	for _, t := range v.Trials {
		if t.Expected == nil || t.Got == nil {
			continue
		}
		if l := *t.Expected - *t.Got; l != 0 {
			lossy++
			worst = max(worst, l)
		}
	}
	return lossy, worst
}

// detailsOf says why, from the run's own figures.
func detailsOf(r *lab.Result, p lab.Params, env lab.Env) string {
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
		case lossy == 0 && g == 1:
			parts = append(parts, fmt.Sprintf("No update was lost in %s with %s: with one goroutine no other goroutine touches the counter, so there is no data race at all. Raise goroutines to see one.",
				prose.Plural(n, "trial"), machine))
		case lossy == 0 && p.Bool("steps"):
			parts = append(parts, fmt.Sprintf("No update was lost in %s with %s: in the recorded model a goroutine loses an update only when another takes the lock between its read and its write, and this time none did. Run it again to catch one.",
				prose.Plural(n, "trial"), machine))
		case lossy == 0 && procs == 1 && env.Arch == "amd64":
			parts = append(parts, fmt.Sprintf("No update was lost in %s with %s: with one core the goroutines could only take turns, and on amd64 Increment is one INCQ instruction, which a core never stops halfway through, so no turn ended between its read and its write. That is the lesson of cores=1: updates are lost only while goroutines run at the same instant on different cores.",
				prose.Plural(n, "trial"), machine))
		case lossy == 0 && procs == 1:
			parts = append(parts, fmt.Sprintf("No update was lost in %s with %s: with one core the goroutines could only take turns. On %s, %s, so turns on one core can still lose updates if a goroutine is preempted between Increment's read and its write; this time none was.",
				prose.Plural(n, "trial"), machine, archName(env), compiled(env)))
		case lossy == 0:
			parts = append(parts, fmt.Sprintf("No update was lost in %s with %s: the race is still there, but updates are lost only while two goroutines run at the same instant on different cores, and this time they took turns. Run it again, or with more goroutines.",
				prose.Plural(n, "trial"), machine))
		case lossy == n:
			med := lab.Median(lost)
			parts = append(parts, fmt.Sprintf("Updates were lost in every one of %s with %s: a median of %s of %s increments (%.0f%%) vanished, at worst %s.",
				prose.Plural(n, "trial"), machine, lab.Group(int64(med)), lab.Group(*v.Expected), 100*med/float64(*v.Expected), lab.Group(worst)))
		case procs == 1:
			// One core: the goroutines never overlapped, so "happened not
			// to overlap" would explain nothing. Only the figures.
			parts = append(parts, fmt.Sprintf("Updates were lost in %d of %s with %s: at worst %s of %s increments (%.0f%%) vanished, although the goroutines could only take turns.",
				lossy, prose.Plural(n, "trial"), machine, lab.Group(worst), lab.Group(*v.Expected), 100*float64(worst)/float64(*v.Expected)))
		default:
			parts = append(parts, fmt.Sprintf("Updates were lost in %d of %s with %s: at worst %s of %s increments (%.0f%%) vanished; in the other trials the goroutines happened not to overlap.",
				lossy, prose.Plural(n, "trial"), machine, lab.Group(worst), lab.Group(*v.Expected), 100*float64(worst)/float64(*v.Expected)))
		}
	}
	if p.Bool("steps") {
		parts = append(parts, "This run recorded every step: a model of count++ that takes a lock around the read and another around the write, so every interleaving it shows between the two is one the real counter allows, but each step is far slower than the real increment.")
	}
	if g > 1 && r.Variant("unsynchronized") != nil {
		parts = append(parts, "Under the Go memory model a program with a data race has no guaranteed behaviour at all: these counts are what this compiler and this processor did, not a rule to rely on.")
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

// compiled says how Increment compiles on the run's architecture.
func compiled(env lab.Env) string {
	switch env.Arch {
	case "amd64":
		return "Increment is one INCQ instruction on memory"
	case "arm64":
		return "Increment is a load, an add and a store, three instructions"
	}
	return "Increment is a read, an add and a write"
}

// archName names the run's architecture, or "this processor" when the
// run did not record it.
func archName(env lab.Env) string {
	if env.Arch == "" {
		return "this processor"
	}
	return env.Arch
}
