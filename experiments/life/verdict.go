package life

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline says whether every grid
// matched the reference and what the cells variant's goroutines cost, as
// measured; the details compare the times against sequential, claiming
// faster or slower only where the interval does.
func (Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	if len(r.Variants) == 0 {
		return "No variant ran.", ""
	}
	var wrong []string
	for _, v := range r.Variants {
		if v.Correct == nil || !*v.Correct {
			wrong = append(wrong, v.Name)
		}
	}
	size := p.Int("size")
	grid := fmt.Sprintf("%d × %d", size, size)
	if len(wrong) > 0 {
		headline = fmt.Sprintf("%s ended with a grid that differs from the reference in some trial: please report this run, every variant computes the same rules.", capital(prose.List(wrong)))
	} else {
		headline = fmt.Sprintf("Every variant's %s grid matched the reference after %s", grid, prose.Plural(p.Int("generations"), "generation"))
		if c := r.Variant("cells"); c != nil {
			g, _ := lab.Number(c.Extra["peak_goroutines"])
			per, ok := lab.Number(c.Extra["stack_bytes_per_goroutine"])
			if g > 0 && ok {
				headline += fmt.Sprintf("; the cells variant held %s goroutines at once, on %s bytes of stack each", lab.Group(int64(g)), lab.Group(int64(per)))
			}
		}
		headline += "."
	}
	var out []string
	if a := prose.Against(r); a != "" {
		out = append(out, a)
	}
	if l := p.Duration("latency"); l > 0 {
		out = append(out, fmt.Sprintf("Each cell waited %s: sequential waits %s times a generation in a row, rows about %d times, cells about once, and a waiting goroutine needs no core.", l, lab.Group(int64(size*size)), size))
	} else {
		out = append(out, fmt.Sprintf("With no latency the work is all computing on %s: goroutines beyond the cores add their start-up cost, not speed.", prose.Plural(env.Cores(), "core")))
	}
	var mem []string
	for _, v := range r.Variants {
		if m, ok := lab.Number(v.Extra["memory_kib"]); ok {
			mem = append(mem, fmt.Sprintf("%s %s KiB", v.Name, prose.Number(m)))
		}
	}
	if len(mem) > 0 {
		out = append(out, "Heap objects and stacks each variant's trial added at its fullest (medians): "+prose.List(mem)+".")
	}
	return headline, strings.Join(out, " ")
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
