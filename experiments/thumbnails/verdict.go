package thumbnails

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline compares the pipeline with
// two-phase by its interval and gives the overlap; the details give
// every variant's correctness, what the child processes cost and the
// cores used.
func (e *Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	if len(r.Variants) == 0 {
		return "No variant ran.", ""
	}
	two, pipe := r.Variant("two-phase"), r.Variant("pipeline")
	switch {
	case two != nil && pipe != nil && two.Baseline:
		over, _ := lab.Number(pipe.Extra["overlap_ms"])
		headline = fmt.Sprintf("Against two-phase, the pipeline %s (%s×, medians %s against %s): its resizes overlapped its downloads for %s.",
			claim(*pipe), fmt.Sprintf("%.2f", pipe.Speedup), msText(pipe.MedianMs), msText(two.MedianMs), msText(over))
	default:
		headline = prose.Against(r)
		if headline == "" {
			v := r.Variants[0]
			headline = fmt.Sprintf("%s made %d thumbnails of %d photos in %s (median).", capital(v.Name), 3*p.Int("images"), p.Int("images"), msText(v.MedianMs))
		}
	}
	var out, wrong []string
	for _, v := range r.Variants {
		if v.Correct == nil || !*v.Correct {
			wrong = append(wrong, v.Name)
		}
	}
	if len(wrong) > 0 {
		out = append(out, fmt.Sprintf("%s got some thumbnails or the byte total wrong: please report this run.", capital(prose.List(wrong))))
	} else {
		out = append(out, fmt.Sprintf("Every variant made all %d thumbnails right, and its byte total (%s) matched.", 3*p.Int("images"), p.String("total")))
	}
	if a := prose.Against(r); a != "" && a != headline {
		out = append(out, a)
	}
	if v := r.Variant("processes"); v != nil {
		start, okS := lab.Number(v.Extra["start_ms"])
		cp, okC := lab.Number(v.Extra["copy_ms"])
		if okS && okC {
			out = append(out, fmt.Sprintf("Its resizer children took %s each to start, and copying the photos in and the thumbnails out took %s in all (medians).", msText(start), msText(cp)))
		}
	}
	var cores []string
	for _, v := range r.Variants {
		if v.MedianMs > 0 {
			cores = append(cores, fmt.Sprintf("%s %.1f", v.Name, v.CPUMs/v.MedianMs))
		}
	}
	if len(cores) > 0 {
		out = append(out, "Cores used (CPU time of the run's process and its children ÷ wall time, medians): "+strings.Join(cores, ", ")+".")
	}
	return headline, strings.Join(out, " ")
}

// claim says what v's interval against the baseline lets a verdict say.
func claim(v lab.VariantResult) string {
	switch d := lab.Compare(v); d {
	case lab.Faster:
		return "was faster beyond the 95% interval"
	case lab.Slower:
		return "was slower beyond the 95% interval"
	case lab.NoDifference:
		return "made no measurable difference on this machine"
	default:
		return "ran; too few trials to tell a difference"
	}
}

// msText writes milliseconds as a person reads them.
func msText(x float64) string {
	if x >= 1000 {
		return fmt.Sprintf("%.2f s", x/1000)
	}
	return fmt.Sprintf("%.0f ms", x)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
