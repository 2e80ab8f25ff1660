package primes

// The verdict of CPU-bound runs: how close each approach came to the cores
// it had, and why the GIL model could not.

import (
	"fmt"
	"slices"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

func cpuVerdict(r *lab.Result, p lab.Params, procs int, machine string) []string {
	var parts []string
	var goVariants []lab.VariantResult
	for _, name := range []string{"goroutine-per-task", "worker-pool", "errgroup"} {
		if v := r.Variant(name); v != nil {
			goVariants = append(goVariants, *v)
		}
	}
	if len(goVariants) > 0 {
		best := slices.MaxFunc(goVariants, func(a, b lab.VariantResult) int { return cmpFloat(a.Speedup, b.Speedup) })
		var others []string
		for _, v := range goVariants {
			if v.Name != best.Name {
				others = append(others, fmt.Sprintf("%s %s", v.Name, times(v.Speedup)))
			}
		}
		also := ""
		if len(others) > 0 {
			also = " (" + strings.Join(others, ", ") + ")"
		}
		switch {
		case procs == 1 && best.Speedup > 1.25:
			parts = append(parts, fmt.Sprintf("With GOMAXPROCS 1 (cores=1) only one goroutine runs at a time, yet %s ran %s as fast as sequential%s, more than one core allows: the sequential trials were probably slowed by other work.",
				best.Name, times(best.Speedup), also))
		case procs == 1:
			// Within 1.25× of sequential: the noise, not a speedup.
			parts = append(parts, fmt.Sprintf("With GOMAXPROCS 1 (cores=1) the goroutines had one core to share, so no variant could beat sequential by more than the noise: the best, %s, ran %s as fast as sequential%s.",
				best.Name, times(best.Speedup), also))
			parts = busyNote(parts, best)
		case best.Speedup >= 0.75*idealOf(best, p, procs):
			parts = append(parts, fmt.Sprintf("On %s, %s ran %s as fast as sequential, close to the ideal of %s (%s)%s: Go runs goroutines on every core at once.",
				machine, best.Name, times(best.Speedup), times(idealOf(best, p, procs)), allowing(best, p, procs), also))
			parts = busyNote(parts, best)
		default:
			parts = append(parts, fmt.Sprintf("On %s, %s ran %s as fast as sequential, short of the ideal of %s (%s)%s%s",
				machine, best.Name, times(best.Speedup), times(idealOf(best, p, procs)), allowing(best, p, procs), also, shortOfCores(best, procs)))
		}
	}
	if g := r.Variant("gil"); g != nil {
		parts = append(parts, gilCPUSentence(*g, workersOf(*g, p), procs, r.Variant("worker-pool")))
	}
	return parts
}

// idealOf returns the best speedup v could reach: its figure "ideal" (the
// cores, the workers and how the work is spread over the tasks), or else
// the smaller of its workers and the cores.
func idealOf(v lab.VariantResult, p lab.Params, procs int) float64 {
	if x, ok := lab.Number(v.Extra["ideal"]); ok && x > 0 {
		return x
	}
	return float64(min(workersOf(v, p), procs))
}

// allowing names what bounds v's ideal: "2 workers, 16 cores, this
// work's spread over the tasks".
func allowing(v lab.VariantResult, p lab.Params, procs int) string {
	if v.Name == "goroutine-per-task" {
		return fmt.Sprintf("%s, this work's spread over the tasks", prose.Plural(procs, "core"))
	}
	return fmt.Sprintf("%s, %s, this work's spread over the tasks", prose.Plural(workersOf(v, p), "worker"), prose.Plural(procs, "core"))
}

// gilCPUSentence explains the GIL model's speedup on CPU work. It claims
// that one core did the work only where gil's measured cores used (its CPU
// time over its wall time) say so, and a difference from sequential only
// where the speedup's interval excludes 1.
func gilCPUSentence(g lab.VariantResult, workers, procs int, pool *lab.VariantResult) string {
	against := ""
	if pool != nil {
		against = fmt.Sprintf(", against worker-pool's %s", times(pool.Speedup))
	}
	how := fmt.Sprintf("ran %s as fast as sequential", times(g.Speedup))
	switch d := lab.Compare(g); d {
	case lab.NoDifference, lab.TooFewTrials:
		how += " (" + d.String() + ")"
	}
	s := fmt.Sprintf("gil, the same pool of %s made to hold one lock to compute, %s%s: only the holder computes while the rest wait their turn.",
		prose.Plural(workers, "goroutine"), how, against)
	b, ok := busy(g)
	switch {
	case !ok:
	case b < 1.3:
		idle := ""
		if procs > 1 {
			idle = fmt.Sprintf(", and %s sat idle", prose.Plural(procs-1, "other core"))
		}
		s += fmt.Sprintf(" It kept %s busy (%s of CPU time in %s of wall time, medians): one core did the work%s.", coresBusy(b), ms(g.CPUMs), ms(g.MedianMs), idle)
	default:
		s += fmt.Sprintf(" Yet it kept %s busy (%s of CPU time in %s of wall time, medians): more than the one holder computing, so the handovers themselves cost CPU.", coresBusy(b), ms(g.CPUMs), ms(g.MedianMs))
	}
	if lab.Compare(g) == lab.Faster {
		s += " Faster than sequential is more than one lock holder can do: the sequential trials were probably slowed by other work."
	}
	return s
}

func cpuSweepVerdict(r *lab.Result, procs int, machine string) []string {
	var parts []string
	if pool := series(r, "worker-pool"); len(pool) > 0 {
		first, last := pool[0], pool[len(pool)-1]
		peak := slices.MaxFunc(pool, func(a, b point) int { return cmpFloat(a.speedup, b.speedup) })
		s := fmt.Sprintf("On %s, worker-pool went from %s sequential's speed with %s", machine, times(first.speedup), prose.Plural(first.workers, "worker"))
		if at, ok := at(pool, procs); ok && procs != first.workers && procs != last.workers {
			s += fmt.Sprintf(" to %s with %d", times(at.speedup), procs)
		}
		s += fmt.Sprintf(" and %s with %d, at best %s", times(last.speedup), last.workers, times(peak.speedup))
		switch {
		case procs == 1:
			s += ": with GOMAXPROCS 1, more workers only take turns on one core."
		case peak.speedup < 0.75*peak.ideal(procs):
			s += fmt.Sprintf(", short of the ideal of %s there (%s, %s, this work's spread over the tasks): %s, or a trial is too short to spread well.",
				times(peak.ideal(procs)), prose.Plural(peak.workers, "worker"), prose.Plural(procs, "core"), scaling)
		case procs < last.workers:
			s += fmt.Sprintf(": past %s, more workers only take turns on them.", prose.Plural(procs, "core"))
		default:
			s += "."
		}
		parts = append(parts, s)
	}
	if gil := series(r, "gil"); len(gil) > 0 {
		lo := slices.MinFunc(gil, func(a, b point) int { return cmpFloat(a.speedup, b.speedup) })
		hi := slices.MaxFunc(gil, func(a, b point) int { return cmpFloat(a.speedup, b.speedup) })
		if hi.speedup > 1.25 {
			parts = append(parts, fmt.Sprintf("gil ranged from %s to %s sequential's speed; above 1× is more than one lock holder can do, so the sequential trials were probably slowed by other work.",
				times(lo.speedup), times(hi.speedup)))
		} else {
			parts = append(parts, fmt.Sprintf("gil stayed between %s and %s sequential's speed at every count from %d to %d: one lock, so one core computes at a time however many goroutines wait.",
				times(lo.speedup), times(hi.speedup), gil[0].workers, gil[len(gil)-1].workers))
		}
	}
	return parts
}
