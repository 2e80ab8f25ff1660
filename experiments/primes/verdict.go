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
	if prose.OnlyYours(r) {
		return "", "" // the lab's sentence on yours says it all
	}
	procs := cores(env, p)
	machine := fmt.Sprintf("%s (GOMAXPROCS %d)", prose.Plural(procs, "core"), procs)
	io := p.String("workload") == "io"

	base := r.Baseline()
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
		if v.Name == lab.Yours && (v.Correct == nil || !*v.Correct) {
			continue // a wrong count is no speedup; the lab's sentence on yours says so
		}
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

// miscounts names every variant of the lab's that got a wrong count: a
// learner's own variant may well miscount, and the lab's sentence on
// yours says so.
func miscounts(r *lab.Result, io bool) []string {
	var out []string
	for _, v := range r.Variants {
		if v.Name == lab.Yours || v.Correct == nil || *v.Correct || v.Expected == nil {
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

func times(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) + "×" }

func ms(x float64) string {
	if x >= 1000 {
		return strconv.FormatFloat(x/1000, 'f', 2, 64) + " s"
	}
	return strconv.FormatFloat(x, 'f', 1, 64) + " ms"
}
