package primes

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// declaredBaseline is the variant Info declares as the baseline: one
// goroutine, the reference every claim about cores and overlapped waits
// needs.
const declaredBaseline = "sequential"

// Verdict implements lab.Verdicter: the headline and its details in one
// text, for callers that want the whole verdict.
func (e Experiment) Verdict(r *lab.Result, p lab.Params, env lab.Env) string {
	h, d := e.Judge(r, p, env)
	return strings.TrimSpace(h + " " + d)
}

// Judge implements lab.Judge. The headline answers the lesson's question
// (did more goroutines make it faster, here?) and claims faster or slower
// only where the speedup's interval excludes 1. The details relate the
// speedups the run measured to what the work and the cores allow, and say
// why the GIL model gains nothing on CPU work and loses nothing on I/O,
// from the run's own figures. Those claims need speedups against
// sequential; when sequential did not run, the lab measured against
// another variant, and the verdict only compares the variants with that
// one, by name.
func (Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	procs := cores(env, p)
	machine := fmt.Sprintf("%s (GOMAXPROCS %d)", prose.Plural(procs, "core"), procs)
	io := p.String("workload") == "io"

	base := baselineOf(r)
	var parts []string
	parts = append(parts, miscounts(r, io)...)
	switch {
	case base == nil:
	case base.Name != declaredBaseline:
		parts = append(parts, againstVerdict(r, *base)...)
	case io && p.Bool("sweep"):
		parts = append(parts, ioSweepVerdict(r, p, procs)...)
	case io:
		parts = append(parts, ioVerdict(r, p, machine)...)
	case p.Bool("sweep"):
		parts = append(parts, cpuSweepVerdict(r, procs, machine)...)
	default:
		parts = append(parts, cpuVerdict(r, p, procs, machine)...)
	}
	if len(parts) == 0 && base != nil {
		parts = append(parts, fmt.Sprintf("%s took %s (median of %s).", base.Name, ms(base.MedianMs), prose.Plural(len(base.Trials), "trial")))
	}
	if env.InFlight > 1 && !io {
		parts = append(parts, neighbour(env))
	}
	return headlineOf(r, base, procs), strings.Join(parts, " ")
}

// headlineOf answers the lesson's question in one sentence: was the
// fastest variant faster than the baseline, by its interval?
func headlineOf(r *lab.Result, base *lab.VariantResult, procs int) string {
	if base == nil {
		return ""
	}
	var best *lab.VariantResult
	for i, v := range r.Variants {
		if v.Name != base.Name && v.Speedup > 0 && (best == nil || v.Speedup > best.Speedup) {
			best = &r.Variants[i]
		}
	}
	on := "On " + prose.Plural(procs, "core")
	if best == nil {
		return fmt.Sprintf("%s, %s took %s (median of %s).", on, base.Name, ms(base.MedianMs), prose.Plural(len(base.Trials), "trial"))
	}
	ci := ""
	if best.SpeedupCI != nil {
		ci = fmt.Sprintf(" (95%% interval %s–%s)", strconv.FormatFloat(best.SpeedupCI[0], 'f', 2, 64), times(best.SpeedupCI[1]))
	}
	switch lab.Compare(*best) {
	case lab.Faster:
		return fmt.Sprintf("%s, %s was the fastest: %s as fast as %s%s.", on, best.Name, times(best.Speedup), base.Name, ci)
	case lab.Slower:
		return fmt.Sprintf("%s, every variant was slower than %s: the best, %s, ran %s as fast%s.", on, base.Name, best.Name, times(best.Speedup), ci)
	case lab.NoDifference:
		return fmt.Sprintf("%s, no variant was measurably faster than %s: the best, %s, ran %s as fast%s, no measurable difference on this machine.", on, base.Name, best.Name, times(best.Speedup), ci)
	}
	return fmt.Sprintf("%s, %s ran %s as fast as %s: too few trials to tell (%d; %d give an interval).",
		on, best.Name, times(best.Speedup), base.Name, len(best.Trials), lab.MinCIRounds)
}

// cores returns the cores the run's goroutines could use at once: its
// GOMAXPROCS, the cores parameter, never more than the CPUs it had. Every
// claim about what the cores allow is measured against this, not against
// the machine.
func cores(env lab.Env, p lab.Params) int {
	if env.GOMAXPROCS <= 0 {
		env.GOMAXPROCS = p.Cores()
	}
	return env.Cores()
}

// neighbour says where another run of this server executed meanwhile. A
// pinned run had its cores to itself; the other shared only the memory
// bus and caches. No claim about what that did to the figures.
func neighbour(env lab.Env) string {
	if env.Pinned {
		return "Another run executed on other cores of this machine meanwhile: it shared the memory bus and caches, not this run's cores."
	}
	return "Another run executed on this machine meanwhile, and this run was not pinned to cores of its own, so the two may have shared cores."
}

// scaling is the hedge for a speedup short of the core count: cores that
// are busy at once rarely add up fully. Measured on the lab's own 2-vCPU
// machine, not on this run's.
const scaling = "busy cores rarely add up fully (on this kind of virtual machine two busy cores give about 1.6×, not 2×)"

// busy returns how many cores v kept busy on average: its CPU time over
// its wall time (cpu_ms / median_ms); ok is false without both figures.
func busy(v lab.VariantResult) (cores float64, ok bool) {
	if v.CPUMs <= 0 || v.MedianMs <= 0 {
		return 0, false
	}
	return v.CPUMs / v.MedianMs, true
}

// busyNote appends to parts how many cores v kept busy, from its figures:
// "worker-pool kept 1.9 cores busy (...)."; nothing without them.
func busyNote(parts []string, v lab.VariantResult) []string {
	b, ok := busy(v)
	if !ok {
		return parts
	}
	return append(parts, fmt.Sprintf("%s kept %s busy (%s of CPU time in %s of wall time, medians).", v.Name, coresBusy(b), ms(v.CPUMs), ms(v.MedianMs)))
}

// shortOfCores explains a speedup short of the procs× the cores allow,
// from how many cores v kept busy where the run measured it.
func shortOfCores(v lab.VariantResult, procs int) string {
	b, ok := busy(v)
	switch {
	case !ok:
		return fmt.Sprintf(": %s, or a trial is too short to spread well.", scaling)
	case b >= 0.9*float64(procs):
		return fmt.Sprintf(", though %s kept %s busy (%s of CPU time in %s of wall time, medians): %s.",
			v.Name, coresBusy(b), ms(v.CPUMs), ms(v.MedianMs), scaling)
	}
	return fmt.Sprintf(", and %s kept only %s of the %d busy (%s of CPU time in %s of wall time, medians): the work did not spread over every core, as when a trial is too short or the tasks end unevenly.",
		v.Name, coresBusy(b), procs, ms(v.CPUMs), ms(v.MedianMs))
}

// coresBusy writes an average count of busy cores: "1.9 cores".
func coresBusy(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) + " cores" }

// baselineOf returns the variant the speedups are against: the one marked
// Baseline, or else the first, as the lab chooses; nil for none.
func baselineOf(r *lab.Result) *lab.VariantResult {
	for i := range r.Variants {
		if r.Variants[i].Baseline {
			return &r.Variants[i]
		}
	}
	if len(r.Variants) > 0 {
		return &r.Variants[0]
	}
	return nil
}

// againstVerdict compares the variants with a baseline other than
// sequential. Without one goroutine's time to measure against, it makes no
// claim about cores, overlapped waits or the lock: only the figures.
func againstVerdict(r *lab.Result, base lab.VariantResult) []string {
	var others []lab.VariantResult
	for _, v := range r.Variants {
		if v.Name != base.Name && v.Speedup > 0 {
			others = append(others, v)
		}
	}
	if len(others) == 0 {
		return nil
	}
	best := slices.MaxFunc(others, func(a, b lab.VariantResult) int { return cmpFloat(a.Speedup, b.Speedup) })
	var rest []string
	for _, v := range others {
		if v.Name != best.Name {
			rest = append(rest, fmt.Sprintf("%s %s", v.Name, times(v.Speedup)))
		}
	}
	also := ""
	if len(rest) > 0 {
		also = " (" + strings.Join(rest, ", ") + ")"
	}
	return []string{
		fmt.Sprintf("%s did not run, so every speedup here is against %s (%s): %s ran %s as fast as %s%s.",
			declaredBaseline, base.Name, ms(base.MedianMs), best.Name, times(best.Speedup), base.Name, also),
		fmt.Sprintf("Run %s too to see how they compare with one goroutine doing every task in turn.", declaredBaseline),
	}
}

// miscounts names every variant that got a wrong count.
func miscounts(r *lab.Result, io bool) []string {
	var out []string
	for _, v := range r.Variants {
		if v.Correct == nil || *v.Correct || v.Expected == nil {
			continue
		}
		for _, t := range v.Trials {
			if c := t.Correct(); c != nil && !*c {
				what := "primes where there are"
				if io {
					what = "tasks done out of"
				}
				out = append(out, fmt.Sprintf("%s counted %d %s %d, which should never happen: please report this run.",
					v.Name, *t.Got, what, *t.Expected))
				break
			}
		}
	}
	return out
}

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

// A point is one variant of a sweep: its worker count, speedup and the
// ideal speedup it reported (0 where it reported none).
type point struct {
	workers int
	speedup float64
	best    float64
}

// ideal returns the best speedup the point could reach: its own figure,
// or else the smaller of its workers and the cores.
func (pt point) ideal(procs int) float64 {
	if pt.best > 0 {
		return pt.best
	}
	return float64(min(pt.workers, procs))
}

// series returns the sweep variants of approach ("gil/1", "gil/2", ...) in
// order of worker count.
func series(r *lab.Result, approach string) []point {
	var ps []point
	for _, v := range r.Variants {
		a, count, ok := strings.Cut(v.Name, "/")
		if !ok || a != approach {
			continue
		}
		if n, err := strconv.Atoi(count); err == nil {
			best, _ := lab.Number(v.Extra["ideal"])
			ps = append(ps, point{n, v.Speedup, best})
		}
	}
	slices.SortFunc(ps, func(a, b point) int { return a.workers - b.workers })
	return ps
}

// at returns the point with the given worker count.
func at(ps []point, workers int) (point, bool) {
	for _, pt := range ps {
		if pt.workers == workers {
			return pt, true
		}
	}
	return point{}, false
}

// workersOf returns the workers a variant ran with: from its figures, its
// name, or else the workers parameter.
func workersOf(v lab.VariantResult, p lab.Params) int {
	if w, ok := v.Extra["workers"].(float64); ok {
		return int(w)
	}
	if _, count, ok := strings.Cut(v.Name, "/"); ok {
		if n, err := strconv.Atoi(count); err == nil {
			return n
		}
	}
	return p.Int("workers")
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func times(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) + "×" }

func ms(x float64) string {
	if x >= 1000 {
		return strconv.FormatFloat(x/1000, 'f', 2, 64) + " s"
	}
	return strconv.FormatFloat(x, 'f', 1, 64) + " ms"
}
