package locked

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline says whether the synchronized
// counters counted exactly, the lesson's question, and whether get-set
// lost updates all the same; the details what each cost, what
// unsynchronized and get-set lost and what the race detector reported.
func (e Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	parts := e.parts(r, p, env)
	if len(parts) == 0 {
		return "No variant ran.", ""
	}
	headline = parts[0]
	if v := r.Variant("get-set"); v != nil && headline == correctness(r) && !strings.Contains(headline, "please report") {
		if lossy, _, _, n := lostIn(v); lossy > 0 {
			headline = strings.TrimSuffix(headline, ".") + fmt.Sprintf("; get-set, which locks Get and Set but not the increment between them, lost updates in %d of %s.",
				lossy, prose.Plural(n, "trial"))
		}
	}
	return headline, strings.Join(parts[1:], " ")
}

// parts are the verdict's sentences. Every claim comes from the run's own
// figures: which variants counted exactly, the cheapest and dearest
// synchronized variant per increment, what unsynchronized lost, and what
// the race detector reported if it ran.
func (Experiment) parts(r *lab.Result, p lab.Params, env lab.Env) []string {
	procs := env.Cores()
	machine := fmt.Sprintf("%s on %s", prose.Plural(p.Int("goroutines"), "goroutine"), prose.Plural(procs, "core"))
	var parts []string
	if s := correctness(r); s != "" {
		parts = append(parts, s)
	}
	if s := cost(r, machine); s != "" {
		parts = append(parts, s)
	}
	if v := r.Variant("unsynchronized"); v != nil && len(v.Trials) > 0 {
		parts = append(parts, losses(v, procs))
	}
	if v := r.Variant("get-set"); v != nil && len(v.Trials) > 0 {
		parts = append(parts, getSetLosses(v, procs))
	}
	if s := detected(r); s != "" {
		parts = append(parts, s)
	}
	return parts
}

// correctness says which synchronized variants counted exactly every time.
func correctness(r *lab.Result) string {
	var right, wrong []string
	var parts []string
	for _, v := range r.Variants {
		if !exact(v.Name) || v.Correct == nil {
			continue
		}
		if *v.Correct {
			right = append(right, v.Name)
			continue
		}
		bad := 0
		for _, t := range v.Trials {
			if c := t.Correct(); c != nil && !*c {
				bad++
			}
		}
		wrong = append(wrong, v.Name)
		parts = append(parts, fmt.Sprintf("The %s variant miscounted in %d of %s, which a synchronized counter must never do: please report this run.",
			v.Name, bad, prose.Plural(len(v.Trials), "trial")))
	}
	switch {
	case len(right) == 1:
		parts = append([]string{fmt.Sprintf("The %s variant counted every increment in every trial.", right[0])}, parts...)
	case len(right) > 1 && len(wrong) == 0:
		parts = append([]string{fmt.Sprintf("Every synchronized variant (%s) counted every increment in every trial.", prose.List(right))}, parts...)
	case len(right) > 1:
		parts = append([]string{fmt.Sprintf("%s counted every increment in every trial.", capital(prose.List(right)))}, parts...)
	}
	return strings.Join(parts, " ")
}

// cost compares what the correct synchronized variants cost per increment.
func cost(r *lab.Result, machine string) string {
	type priced struct {
		name string
		ns   float64
	}
	var ps []priced
	for _, v := range r.Variants {
		ns, ok := nsPerIncrement(v)
		if exact(v.Name) && ok && v.Correct != nil && *v.Correct {
			ps = append(ps, priced{v.Name, ns})
		}
	}
	switch len(ps) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("With %s, %s cost %s per increment (median).", machine, ps[0].name, ns(ps[0].ns))
	}
	cheap, dear := ps[0], ps[0]
	for _, x := range ps[1:] {
		if x.ns < cheap.ns {
			cheap = x
		}
		if x.ns > dear.ns {
			dear = x
		}
	}
	if cheap.ns == dear.ns {
		return fmt.Sprintf("With %s, every synchronized variant cost %s per increment (median).", machine, ns(cheap.ns))
	}
	return fmt.Sprintf("With %s, the cheapest correct count was %s at %s per increment and the dearest %s at %s (medians): %s as much.",
		machine, cheap.name, ns(cheap.ns), dear.name, ns(dear.ns), times(dear.ns/cheap.ns))
}

// losses says how many updates the unsynchronized counter lost, with procs
// cores for the goroutines.
func losses(v *lab.VariantResult, procs int) string {
	lossy, worst, expected, n := lostIn(v)
	price := ""
	if x, ok := nsPerIncrement(*v); ok {
		price = fmt.Sprintf(" (unsynchronized, %s per increment)", ns(x))
	}
	if lossy == 0 && procs == 1 {
		return fmt.Sprintf("Without synchronization%s, no update was lost in %s: with one core (GOMAXPROCS 1) the goroutines could only take turns.",
			price, prose.Plural(n, "trial"))
	}
	if lossy == 0 {
		return fmt.Sprintf("Without synchronization%s, no update was lost in %s: the race is still there, but updates are lost only while two goroutines run at the same instant on different cores.",
			price, prose.Plural(n, "trial"))
	}
	return fmt.Sprintf("Without synchronization%s, updates were lost in %d of %s, at worst %s of %s increments (%.0f%%).",
		price, lossy, prose.Plural(n, "trial"), lab.Group(worst), lab.Group(expected), 100*float64(worst)/float64(expected))
}

// getSetLosses says what get-set lost, whose Get and Set each hold the
// lock, and, if the race detector ran, that it saw no race there.
func getSetLosses(v *lab.VariantResult, procs int) string {
	lossy, worst, expected, n := lostIn(v)
	ran, reported := 0, 0
	for _, t := range v.Trials {
		if x, ok := lab.Number(t.Extra["race_reports"]); ok {
			ran++
			if x > 0 {
				reported++
			}
		}
	}
	var s string
	switch {
	case lossy == 0 && procs == 1:
		s = fmt.Sprintf("With Get and Set each under the lock (get-set), no update was lost in %s: with one core the goroutines seldom stop between the two.",
			prose.Plural(n, "trial"))
	case lossy == 0:
		s = fmt.Sprintf("With Get and Set each under the lock (get-set), no update was lost in %s this time; the gap between the two locks is still there.",
			prose.Plural(n, "trial"))
	default:
		s = fmt.Sprintf("With Get and Set each under the lock (get-set), updates were still lost in %d of %s, at worst %s of %s increments (%.0f%%).",
			lossy, prose.Plural(n, "trial"), lab.Group(worst), lab.Group(expected), 100*float64(worst)/float64(expected))
	}
	if ran > 0 && reported == 0 {
		s += " The race detector found no data race in get-set: race-free is not atomic."
	}
	return s
}

// lostIn counts the trials of v that lost updates and the worst loss.
func lostIn(v *lab.VariantResult) (lossy int, worst, expected int64, n int) {
	n = len(v.Trials)
	for _, t := range v.Trials {
		if t.Expected == nil || t.Got == nil {
			continue
		}
		expected = *t.Expected
		if l := *t.Expected - *t.Got; l > 0 {
			lossy++
			worst = max(worst, l)
		}
	}
	return lossy, worst, expected, n
}

// detected says what the race detector reported, if it ran.
func detected(r *lab.Result) string {
	var raced, clean []string
	for _, v := range r.Variants {
		ran, reported := 0, 0
		for _, t := range v.Trials {
			if n, ok := lab.Number(t.Extra["race_reports"]); ok {
				ran++
				if n > 0 {
					reported++
				}
			}
		}
		switch {
		case ran == 0:
		case reported == 0:
			clean = append(clean, v.Name)
		case reported == ran:
			raced = append(raced, v.Name)
		default:
			raced = append(raced, fmt.Sprintf("%s (in %d of %d runs)", v.Name, reported, ran))
		}
	}
	switch {
	case len(raced) == 0 && len(clean) == 0:
		return ""
	case len(raced) == 0:
		return fmt.Sprintf("The race detector reported no data race in %s.", prose.List(clean))
	case len(clean) == 0:
		return fmt.Sprintf("The race detector reported a data race in %s.", prose.List(raced))
	}
	return fmt.Sprintf("The race detector reported a data race in %s and none in %s.", prose.List(raced), prose.List(clean))
}

func nsPerIncrement(v lab.VariantResult) (float64, bool) {
	x, ok := lab.Number(v.Extra["ns_per_increment"])
	return x, ok && x > 0
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ns writes a cost in nanoseconds with about three significant figures.
func ns(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f ns", x)
	case x >= 10:
		return fmt.Sprintf("%.1f ns", x)
	}
	return fmt.Sprintf("%.2f ns", x)
}

func times(x float64) string {
	if x >= 10 {
		return fmt.Sprintf("%.0f times", x)
	}
	return fmt.Sprintf("%.1f times", x)
}
