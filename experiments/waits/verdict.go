package waits

import (
	"fmt"
	"strings"
	"time"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline gives each variant's time
// beside its ideal, latency × ceil(N/K), and why; the details give what
// the goroutines cost, and the times against sequential where their
// intervals allow.
func (Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	if len(r.Variants) == 0 {
		return "No variant ran.", ""
	}
	n, l := p.Int("n"), p.Duration("latency")
	var said, wrong []string
	for _, v := range r.Variants {
		if v.Correct == nil || !*v.Correct {
			wrong = append(wrong, v.Name)
		}
		k := concurrency(v.Name, p)
		rounds := (n + k - 1) / k
		took := ms(v.MedianMs)
		switch v.Name {
		case "goroutines":
			said = append(said, fmt.Sprintf("a goroutine each took %s, about one latency of %s, since all %s waits overlapped", took, l, lab.Group(int64(n))))
		case "pool":
			said = append(said, fmt.Sprintf("the pool of %d took %s against its ideal of %d rounds × %s = %s, since only %d waits run at once", k, took, rounds, l, ms(float64(time.Duration(rounds)*l)/1e6), k))
		default:
			said = append(said, fmt.Sprintf("sequential took %s against %s × %s = %s, one wait after another", took, lab.Group(int64(n)), l, ms(float64(time.Duration(n)*l)/1e6)))
		}
	}
	headline = capital(strings.Join(said, "; ")) + " (medians)."
	var out []string
	if len(wrong) > 0 {
		out = append(out, fmt.Sprintf("Some waits of %s did not finish: please report this run.", prose.List(wrong)))
	}
	for _, v := range r.Variants {
		g, _ := lab.Number(v.Extra["peak_goroutines"])
		per, okPer := lab.Number(v.Extra["stack_bytes_per_goroutine"])
		rss, okRSS := lab.Number(v.Extra["rss_kib_per_1000"])
		peak, _ := lab.Number(v.Extra["rss_mib"])
		s := fmt.Sprintf("%s peaked at %s goroutines", capital(v.Name), lab.Group(int64(g)))
		if okPer && g > 0 {
			s += fmt.Sprintf(", %s bytes of stack each", lab.Group(int64(per)))
		}
		if okRSS {
			s += fmt.Sprintf(", %s KiB of resident memory per 1,000 waits, %s MiB in all", prose.Number(rss), prose.Number(peak))
		}
		out = append(out, s+".")
	}
	if a := prose.Against(r); a != "" {
		out = append(out, a)
	}
	return headline, strings.Join(out, " ")
}

// ms writes a duration in milliseconds as a person would read it.
func ms(x float64) string {
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
