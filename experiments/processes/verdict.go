package processes

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline says what K children took at
// once beside one child's time; the details give the start per child,
// the pipes' throughput and digests, and the hung child's end.
func (e *Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	if len(r.Variants) == 0 {
		return "No variant ran.", ""
	}
	k, kind, d := p.Int("children"), p.String("work"), p.Duration("duration")
	cores := p.Cores()
	if cores == 0 {
		cores = env.GOMAXPROCS
	}
	var out, wrong []string
	for _, v := range r.Variants {
		if v.Correct != nil && !*v.Correct {
			wrong = append(wrong, v.Name)
		}
	}
	one, all := r.Variant("one-by-one"), r.Variant("all-at-once")
	verb := map[string]string{"wait": "waits", "compute": "computes"}[kind]
	switch {
	case one != nil && all != nil:
		per := one.MedianMs / float64(k)
		headline = fmt.Sprintf("All at once, %d children that each %s %s took %s, %.2f× one child's time (%s, start included); one by one they took %s (medians).",
			k, strings.TrimSuffix(verb, "s"), d, ms2(all.MedianMs), all.MedianMs/per, ms2(per), ms2(one.MedianMs))
		if kind == "compute" && cores > 0 {
			headline += fmt.Sprintf(" Computing children share the %d cores: K ÷ cores is %s×.", cores, prose.Number(float64(k)/float64(cores)))
		}
	case r.Variant("timeout") != nil:
		t := r.Variant("timeout")
		after, _ := lab.Number(t.Extra["killed_after_ms"])
		headline = fmt.Sprintf("The hung child was gone %s ms after its deadline of %s (median): it ignored the SIGTERM and was killed after the grace of %s.", prose.Number(after), p.Duration("deadline"), p.Duration("grace"))
	default:
		headline = prose.Against(r)
		if headline == "" {
			headline = fmt.Sprintf("%s took %s (median).", r.Variants[0].Name, ms2(r.Variants[0].MedianMs))
		}
	}
	if kind == "compute" && all != nil && all.MedianMs > 0 && all.CPUMs > 0 {
		used := all.CPUMs / all.MedianMs
		out = append(out, fmt.Sprintf("All at once the children used %.1f cores (CPU time ÷ wall time, medians): K ÷ that is %.1f×, the time over one child's to expect where that is all the run gets.", used, float64(k)/used))
	}
	if len(wrong) > 0 {
		out = append(out, fmt.Sprintf("%s got a wrong answer (a child failed or a digest differed): please report this run.", capital(prose.List(wrong))))
	}
	for _, name := range []string{"one-by-one", "all-at-once"} {
		if v := r.Variant(name); v != nil {
			if s, ok := lab.Number(v.Extra["start_ms"]); ok {
				out = append(out, fmt.Sprintf("In %s a child took %s ms from Start to its first line (median).", name, prose.Number(s)))
			}
		}
	}
	if g := r.Variant("goroutines"); g != nil {
		out = append(out, fmt.Sprintf("The same %d works in goroutines took %s: %s.", k, ms2(g.MedianMs), compared(*g)))
	}
	if all != nil && one != nil {
		out = append(out, fmt.Sprintf("All at once: %s.", compared(*all)))
	}
	var pipes []string
	for _, name := range []string{"pipe-goroutine", "pipe-child", "pipeline"} {
		if v := r.Variant(name); v != nil {
			rate, _ := lab.Number(v.Extra["mib_per_s"])
			pipes = append(pipes, fmt.Sprintf("%s moved %d MiB in %s (%s MiB/s)", name, p.Int("megabytes"), ms2(v.MedianMs), prose.Number(rate)))
		}
	}
	if len(pipes) > 0 {
		out = append(out, capital(prose.List(pipes))+", medians, starts included.")
	}
	if v := r.Variant("pipeline"); v != nil && v.Correct != nil && *v.Correct {
		out = append(out, "The pipeline's digest equals the one this process computed alone.")
	}
	if t := r.Variant("timeout"); t != nil && !strings.HasPrefix(headline, "The hung") {
		after, _ := lab.Number(t.Extra["killed_after_ms"])
		out = append(out, fmt.Sprintf("The hung child was gone %s ms after its deadline (median), with a grace of %s.", prose.Number(after), p.Duration("grace")))
	}
	return headline, strings.Join(out, " ")
}

// compared says what v's interval against one-by-one lets a verdict say.
func compared(v lab.VariantResult) string {
	switch d := lab.Compare(v); d {
	case lab.Faster, lab.Slower:
		return fmt.Sprintf("%.2f× as fast as one by one, %s beyond the 95%% interval", v.Speedup, d)
	default:
		return fmt.Sprintf("%.2f× as fast as one by one, %s", v.Speedup, d)
	}
}

// ms2 writes milliseconds as a person reads them.
func ms2(x float64) string {
	if x >= 1000 {
		return fmt.Sprintf("%.2f s", x/1000)
	}
	return fmt.Sprintf("%.1f ms", x)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
