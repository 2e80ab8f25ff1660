package pool

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline says whether the bounded pools
// stayed within K and served every request, and what no bound did; the
// details give the waits and compare the times against the semaphore.
func (Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	if prose.OnlyYours(r) {
		return "", "" // the lab's sentence on yours says it all
	}
	if len(r.Variants) == 0 {
		return "No variant ran.", ""
	}
	k := p.Int("connections")
	n := prose.Plural(p.Int("requests"), "request")
	var kept, over []string
	var unbounded string
	for _, v := range r.Variants {
		if v.Name == lab.Yours {
			continue // the lab's sentence on yours says whether it served every request
		}
		most, failed, wrong := worst(v)
		switch {
		case !bounded(v.Name) && failed > 0:
			unbounded = fmt.Sprintf("with no limit, %s failed in the worst trial, refused past %d connections (up to %d asked for at once)", prose.Plural(int(failed), "request"), k, most)
		case !bounded(v.Name):
			unbounded = fmt.Sprintf("with no limit at most %d connections were asked for at once and no request failed", most)
		case most <= int64(k) && wrong == 0:
			kept = append(kept, v.Name)
		default:
			over = append(over, fmt.Sprintf("%s (up to %d, %d trials short)", v.Name, most, wrong))
		}
	}
	var parts []string
	if len(kept) > 0 {
		parts = append(parts, fmt.Sprintf("%s kept to %s and served all %s in every trial", capital(prose.List(kept)), prose.Plural(k, "connection"), n))
	}
	if len(over) > 0 {
		parts = append(parts, fmt.Sprintf("%s went over %d connections or lost requests, which a bounded pool must never do: please report this run", capital(prose.List(over)), k))
	}
	if unbounded != "" {
		if len(parts) == 0 {
			unbounded = capital(unbounded)
		}
		parts = append(parts, unbounded)
	}
	headline = strings.Join(parts, "; ") + "."
	return headline, strings.Join(detail(r, p, env), " ")
}

// worst is a variant's most connections at once, most failures and
// trials short of every request, over its trials.
func worst(v lab.VariantResult) (most, failed int64, wrong int) {
	for _, t := range v.Trials {
		if x, ok := lab.Number(t.Extra["max_in_use"]); ok {
			most = max(most, int64(x))
		}
		if x, ok := lab.Number(t.Extra["failures"]); ok {
			failed = max(failed, int64(x))
		}
		if c := t.Correct(); c != nil && !*c {
			wrong++
		}
	}
	return most, failed, wrong
}

// detail gives each variant's waits and its time against the semaphore.
func detail(r *lab.Result, p lab.Params, env lab.Env) []string {
	var waits []string
	for _, v := range r.Variants {
		p50, ok1 := lab.Number(v.Extra["wait_ms_p50"])
		p99, ok2 := lab.Number(v.Extra["wait_ms_p99"])
		if ok1 && ok2 {
			waits = append(waits, fmt.Sprintf("%s %.1f ms and %.1f ms", v.Name, p50, p99))
		}
	}
	var out []string
	if len(waits) > 0 {
		out = append(out, fmt.Sprintf("From arrival to a connection, the median and 99th-percentile request waited (medians over trials, %s of %s on %s): %s.",
			prose.Plural(p.Int("requests"), "request"), p.Duration("query"), prose.Plural(env.Cores(), "core"), prose.List(waits)))
	}
	var said []string
	for _, v := range r.Variants {
		if v.Baseline || !bounded(v.Name) || v.Name == lab.Yours {
			continue
		}
		x := fmt.Sprintf("%.2f×", v.Speedup)
		switch d := lab.Compare(v); d {
		case lab.Faster, lab.Slower:
			said = append(said, fmt.Sprintf("%s was %s (%s)", v.Name, d, x))
		default:
			said = append(said, fmt.Sprintf("%s ran at %s the speed (%s)", v.Name, x, d))
		}
	}
	if len(said) > 0 && r.Variant("semaphore") != nil {
		out = append(out, "Against the semaphore, "+prose.List(said)+": every bounded pool waits for the same K connections.")
	}
	return out
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
