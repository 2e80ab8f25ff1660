package primes

// The verdict of I/O-bound runs: waits overlap, cores hardly matter.

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

func ioVerdict(r *lab.Result, p lab.Params, machine string) []string {
	tasks, latency := p.Int("tasks"), p.Duration("latency")
	var parts []string
	// seq is sequential's time, said once, in the first sentence that
	// speaks of sequential.
	seq, took := "", ""
	if v := r.Variant("sequential"); v != nil {
		took = fmt.Sprintf("%s, about %d × %s", ms(v.MedianMs), tasks, latency)
		seq = " (" + took + ")"
	}
	if v := r.Variant("goroutine-per-task"); v != nil {
		if v.Speedup >= 0.75*float64(tasks) {
			parts = append(parts, fmt.Sprintf("goroutine-per-task overlapped all %s: %s as fast as sequential%s, on %s, since a waiting goroutine needs no core.",
				prose.Plural(tasks, "wait"), times(v.Speedup), seq, machine))
		} else {
			parts = append(parts, fmt.Sprintf("goroutine-per-task ran %s as fast as sequential%s on %s, short of the %d× overlapping all %s would give: other work slowed it, or each wait is short next to the work around it.",
				times(v.Speedup), seq, machine, tasks, prose.Plural(tasks, "wait")))
		}
		seq = ""
	}
	var pools []string
	workers := 0
	for _, name := range []string{"worker-pool", "errgroup"} {
		if v := r.Variant(name); v != nil {
			pools = append(pools, fmt.Sprintf("%s %s", name, times(v.Speedup)))
			workers = workersOf(*v, p)
		}
	}
	if len(pools) > 0 {
		if seq != "" {
			took = ", which took " + took
		} else {
			took = ""
		}
		parts = append(parts, fmt.Sprintf("With %s, the pools wait on at most %d requests at once (%s as fast as sequential%s): for I/O, size a pool by the waits you want in flight, not by the cores.",
			prose.Plural(workers, "worker"), min(workers, tasks), strings.Join(pools, ", "), took))
		seq = ""
	}
	if g := r.Variant("gil"); g != nil {
		ideal := min(workersOf(*g, p), tasks)
		against := ""
		if v := r.Variant("worker-pool"); v != nil {
			against = fmt.Sprintf(", against worker-pool's %s", times(v.Speedup))
		}
		if g.Speedup >= 0.75*float64(ideal) {
			parts = append(parts, fmt.Sprintf("gil ran %s as fast as sequential%s%s: a goroutine lets go of the lock while it waits, as CPython releases the GIL around sleep and I/O, so the waits overlapped all the same. The GIL slows computing, not waiting.",
				times(g.Speedup), seq, against))
		} else {
			parts = append(parts, fmt.Sprintf("gil ran %s as fast as sequential%s%s, short of the %d× its workers allow: a goroutine lets go of the lock while it waits, so only the short stretches between waits take turns, and here those were slow.",
				times(g.Speedup), seq, against, ideal))
		}
	}
	return parts
}

func ioSweepVerdict(r *lab.Result, p lab.Params, procs int) []string {
	tasks := p.Int("tasks")
	pool, gil := series(r, "worker-pool"), series(r, "gil")
	if len(pool) == 0 || len(gil) == 0 {
		return nil
	}
	lp, lg := pool[len(pool)-1], gil[len(gil)-1]
	beyond := ""
	if min(lp.speedup, lg.speedup) > 1.1*float64(procs) {
		beyond = fmt.Sprintf(", far beyond the %s", prose.Plural(procs, "core"))
	}
	return []string{fmt.Sprintf("worker-pool and gil reached %s and %s sequential's speed with %d workers%s, where %d tasks allow at most %d×. A waiting goroutine needs no core, and the GIL is let go while waiting, so it slows computing, not waiting.",
		times(lp.speedup), times(lg.speedup), lp.workers, beyond, tasks, min(lp.workers, tasks))}
}
