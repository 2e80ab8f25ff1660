package pipeline

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline compares every variant with
// polling by its speedup's interval; the details say which was fastest,
// what polling wasted, why unbuffered channels can lose to polling,
// whether order was kept and where items piled up, all from the run's own
// figures.
func (Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	if prose.OnlyYours(r) {
		return "", "" // the lab's sentence on yours says it all
	}
	if len(r.Variants) == 0 {
		return "No variant ran.", ""
	}
	headline = prose.Against(r)
	d := verdictDetails(r, p, env)
	if headline == "" {
		headline, d = d, ""
		if i := strings.Index(headline, ". "); i >= 0 {
			headline, d = headline[:i+1], headline[i+2:]
		}
	}
	return headline, d
}

// verdictDetails is everything the figures say beyond the headline.
func verdictDetails(r *lab.Result, p lab.Params, env lab.Env) string {
	s := settingsOf(p)
	var parts []string
	for _, v := range r.Variants {
		if v.Name != lab.Yours && v.Correct != nil && !*v.Correct { // the lab's sentence on yours says it
			parts = append(parts, fmt.Sprintf("%s lost or garbled items: %s of %s came out right in its median trial, which should never happen: please report this run.",
				v.Name, prose.Number(derefF(v.Got)), lab.Group(deref(v.Expected))))
		}
	}
	parts = append(parts, speed(r))
	if v := r.Variant("polling"); v != nil {
		if p := polls(v, s); p != "" {
			parts = append(parts, p)
		}
	}
	if c := cpuPerItem(r); c != "" {
		parts = append(parts, c)
	}
	if c := r.Variant("channels"); c != nil && r.Variant("polling") != nil && lab.Compare(*c) == lab.Slower {
		parts = append(parts, fmt.Sprintf("Unbuffered channels ran %s as fast as polling: each item is a handoff, the sender waits until the next stage takes it, and every handoff switches goroutines, while polling's unbounded queues let a stage run ahead and pass items in batches between its sleeps. A buffer (the buffered variant) removes most of those waits.",
			strconv.FormatFloat(c.Speedup, 'f', 2, 64)+"×"))
	}
	if o := order(r, s); o != "" {
		parts = append(parts, o)
	}
	parts = append(parts, bottleneck(r, s, env))
	return strings.Join(parts, " ")
}

// speed names the fastest variant and compares it with the baseline and
// with the next fastest, saying when their trials' ranges overlap.
func speed(r *lab.Result) string {
	vs := slices.DeleteFunc(slices.Clone(r.Variants), func(v lab.VariantResult) bool {
		return v.Name == lab.Yours && (v.Correct == nil || !*v.Correct) // a wrong pipeline's speed is no lead
	})
	slices.SortStableFunc(vs, func(a, b lab.VariantResult) int { return cmp.Compare(a.MedianMs, b.MedianMs) })
	best := vs[0]
	rate := ""
	if x, ok := figure(best, "items_per_s"); ok {
		rate = fmt.Sprintf(", %s items/s", lab.Group(int64(x)))
	}
	if len(vs) == 1 {
		return fmt.Sprintf("%s took %s a trial (median of %d)%s.", best.Name, ms(best.MedianMs), len(best.Trials), rate)
	}
	next := vs[1]
	var than []string
	if i := slices.IndexFunc(vs, func(v lab.VariantResult) bool { return v.Baseline }); i > 1 {
		than = append(than, fmt.Sprintf("%s as fast as the %s baseline", times(vs[i].MedianMs, best.MedianMs), vs[i].Name))
	}
	than = append(than, fmt.Sprintf("%s as fast as %s, the next fastest", times(next.MedianMs, best.MedianMs), next.Name))
	s := fmt.Sprintf("%s was fastest: %s a trial (median)%s, %s", best.Name, ms(best.MedianMs), rate, strings.Join(than, " and "))
	if best.MaxMs >= next.MinMs {
		s += fmt.Sprintf("; their trials overlap (%s to %s against %s to %s), so that lead is within this machine's noise",
			ms(best.MinMs), ms(best.MaxMs), ms(next.MinMs), ms(next.MaxMs))
	}
	return s + "."
}

// cpuPerItem says what passing one item along cost in CPU time, for the
// polling variants beside the others: the measured price of polling.
func cpuPerItem(r *lab.Result) string {
	var each []string
	polled := false
	for _, v := range r.Variants {
		if us, ok := figure(v, "cpu_us_per_item"); ok {
			each = append(each, fmt.Sprintf("%s %s µs", v.Name, strconv.FormatFloat(us, 'f', 1, 64)))
			polled = polled || v.Name == "polling" || v.Name == "spinning"
		}
	}
	if !polled || len(each) < 2 {
		return ""
	}
	s := "CPU time per item, waiting included (median trial): " + strings.Join(each, ", ") + "."
	sp, okS := figure(derefVariant(r.Variant("spinning")), "cpu_us_per_item")
	po, okP := figure(derefVariant(r.Variant("polling")), "cpu_us_per_item")
	if okS && okP && sp > 2*po {
		s += fmt.Sprintf(" Spinning instead of sleeping burned %s as much CPU for the same items: its empty looks never rest.", times(sp, po))
	}
	return s
}

func derefVariant(v *lab.VariantResult) lab.VariantResult {
	if v == nil {
		return lab.VariantResult{}
	}
	return *v
}

// polls says how often polling looked at its queues and how many looks
// found nothing.
func polls(v *lab.VariantResult, s settings) string {
	all, ok1 := figure(*v, "polls")
	wasted, ok2 := figure(*v, "polls_wasted")
	if !ok1 || !ok2 {
		return ""
	}
	return fmt.Sprintf("Polling looked at its queues %s times to pass %s items along (median trial): %s looks found an item, %s found the queue empty and slept (%s asked each time).",
		lab.Group(int64(all)), lab.Group(deref(v.Expected)), lab.Group(int64(all-wasted)), lab.Group(int64(wasted)), s.poll)
}

// order says which variants let items overtake each other.
func order(r *lab.Result, s settings) string {
	var mixed, kept []string
	for _, v := range r.Variants {
		if v.Name == lab.Yours {
			continue // the harness does not count a learner's items out of order
		}
		n, worst := 0, 0.0
		for _, t := range v.Trials {
			if x, ok := lab.Number(t.Extra["reordered"]); ok && x > 0 {
				n++
				worst = max(worst, x)
			}
		}
		if n > 0 {
			mixed = append(mixed, fmt.Sprintf("%s delivered items out of order in %d of %s (at worst %s of %s items came out after a later one)",
				v.Name, n, prose.Plural(len(v.Trials), "trial"), lab.Group(int64(worst)), lab.Group(deref(v.Expected))))
		} else {
			kept = append(kept, v.Name)
		}
	}
	fan := r.Variant("fan-out")
	switch {
	case len(mixed) > 0:
		out := strings.Join(mixed, "; ") + ": several workers per stage let items overtake each other."
		if len(kept) > 0 {
			out += fmt.Sprintf(" %s kept order.", prose.List(kept))
		}
		return out + " That matters only if the consumer needs the input's order: then number the items and put them back in order at the end."
	case fan != nil && s.workers == 1:
		return "With one worker per stage, fan-out keeps the input's order like the others."
	case fan != nil:
		return fmt.Sprintf("%s kept the input's order this time, fan-out included; nothing guarantees that with %d workers per stage.", prose.List(kept), s.workers)
	}
	return ""
}

// bottleneck says where items piled up, from each trial's backed-up queue
// and the peak depths, and whether that is the stage made slow.
func bottleneck(r *lab.Result, s settings, env lab.Env) string {
	piles := map[string][]string{}
	var order []string // stages with a pile, in the order first seen
	var flat []string  // variants where no queue piled up
	fanOutPile := ""
	for _, v := range r.Variants {
		if v.Name == "channels" {
			continue // an unbuffered channel holds nothing: its depth is always 0
		}
		counts := map[string]int{}
		sampled := 0
		for _, t := range v.Trials {
			if f, ok := t.Extra["backed_up"].(string); ok && f != "" {
				counts[f]++
				sampled++
			}
		}
		if sampled == 0 || 2*sampled < len(v.Trials) {
			continue // most trials were too short to sample
		}
		most := ""
		for _, st := range append([]string{"none"}, stageNames[double:]...) {
			if counts[st] > 0 && counts[st] >= counts[most] {
				most = st
			}
		}
		if most == "none" {
			flat = append(flat, v.Name)
			continue
		}
		if _, ok := piles[most]; !ok {
			order = append(order, most)
		}
		if v.Name == "fan-out" {
			fanOutPile = most
		}
		capacity := s.buffer
		if v.Name == "polling" {
			capacity = s.items
		}
		peak, _ := figure(v, "peak_depth:"+most)
		piles[most] = append(piles[most], fmt.Sprintf("%d of %d %s trials (peak %s of %s)",
			counts[most], len(v.Trials), v.Name, lab.Group(int64(peak)), lab.Group(int64(capacity))))
	}
	var out string
	switch {
	case len(order) == 0 && len(flat) == 0 && len(r.Variants) == 1 && r.Variants[0].Name == "channels":
		return "Unbuffered channels hold no items, so their depth is always 0: a slow stage shows there as senders waiting, not as a queue."
	case len(order) == 0 && len(flat) == 0:
		return fmt.Sprintf("The trials were too short for the depth sampler (every %s) to see where items piled up: give it more items or a higher cost.", sampleEvery)
	case len(order) == 0:
		out = fmt.Sprintf("No queue stayed full in %s: every stage kept up with the one before it, so the producer set the pace.", prose.List(flat))
		order = []string{produce.String()}
	default:
		var where []string
		for _, st := range order {
			where = append(where, fmt.Sprintf("in front of %s in %s", st, prose.List(piles[st])))
		}
		out = "Items piled up " + strings.Join(where, "; ")
		if len(order) == 1 {
			out += fmt.Sprintf(": %s was the bottleneck.", order[0])
		} else {
			out += ": the variants disagree on the bottleneck."
		}
		if len(flat) > 0 {
			out += fmt.Sprintf(" No queue stayed full in %s.", prose.List(flat))
		}
	}
	switch {
	case s.slow < 0:
		return out + " No stage was made slow, so the pace is the cost of handing items on."
	case len(order) == 1 && order[0] == s.slow.String():
		out += fmt.Sprintf(" That is the stage made slow (%s).", costNote(r, s))
	default:
		out += fmt.Sprintf(" The stage made slow was %s (%s).", s.slow, costNote(r, s))
		if procs := env.Cores(); fanOutPile != "" && fanOutPile != s.slow.String() && !s.io && s.workers >= procs {
			busy := fmt.Sprintf("all %d of the run's cores busy, so the other stages had to wait for one", procs)
			if procs == 1 {
				busy = "the run's one core busy, so the other stages had to wait for it"
			}
			out += fmt.Sprintf(" In fan-out, %s on GOMAXPROCS %d kept %s.",
				prose.Plural(s.workers, "CPU-bound "+s.slow.String()+" worker"), procs, busy)
		}
	}
	return out + costWhy(r, s)
}

// costRange returns the least and most wall-clock time the slow stage
// spent on an item's cost, over the variants' medians.
func costRange(r *lab.Result) (lo, hi float64, ok bool) {
	lo = math.Inf(1)
	for _, v := range r.Variants {
		if x, found := figure(v, "cost_us"); found {
			lo, hi, ok = min(lo, x), max(hi, x), true
		}
	}
	return lo, hi, ok
}

// costNote says what the slow stage was asked to spend on an item, and
// what that took on the wall clock.
func costNote(r *lab.Result, s settings) string {
	note := fmt.Sprintf("%s of %s an item", s.cost, kind(s))
	lo, hi, ok := costRange(r)
	switch {
	case !ok:
		return note
	case hi-lo < 0.1*lo:
		return note + fmt.Sprintf(", %s µs on the wall clock", us(lo))
	}
	return note + fmt.Sprintf(", %s to %s µs on the wall clock", us(lo), us(hi))
}

// costWhy explains a wall-clock cost well above the one asked for.
func costWhy(r *lab.Result, s settings) string {
	lo, hi, ok := costRange(r)
	asked := float64(s.cost) / float64(time.Microsecond)
	switch {
	case !ok || s.slow < 0:
		return ""
	case s.io && lo > 1.5*asked:
		return " The sleeps overshot: a short time.Sleep on Linux usually lasts about a millisecond, because the Go runtime waits for timers in whole milliseconds when it has nothing else to run."
	case !s.io && hi > 1.5*lo:
		return " The same CPU work took longer on the wall clock where its workers had to wait for a core."
	}
	return ""
}

func kind(s settings) string {
	if s.io {
		return "sleep"
	}
	return "CPU"
}

// figure returns a variant's median figure from its trials' Extra.
func figure(v lab.VariantResult, key string) (float64, bool) {
	return lab.Number(v.Extra[key])
}
