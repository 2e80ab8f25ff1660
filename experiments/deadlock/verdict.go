package deadlock

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline says which variants deadlocked
// and whether the money was all there in the ones that finished; the
// details name a cycle, compare throughput against the ordered locks and
// say what Go's own detector did.
func (Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	if prose.OnlyYours(r) {
		return "", "" // the lab's sentence on yours says it all
	}
	if len(r.Variants) == 0 {
		return "No variant ran.", ""
	}
	var parts []string
	if s := cycleSeen(r); s != "" {
		parts = append(parts, s)
	}
	if s := throughput(r, p, env); s != "" {
		parts = append(parts, s)
	}
	if s := detectorSaid(r); s != "" {
		parts = append(parts, s)
	}
	return headlineOf(r, p), strings.Join(parts, " ")
}

// tally counts a variant's trials: how many deadlocked, how many finished
// with the money all there, and how many finished with it wrong.
func tally(v lab.VariantResult) (deadlocked, conserved, wrong int) {
	for _, t := range v.Trials {
		if d, _ := t.Extra["deadlocked"].(bool); d {
			deadlocked++
			continue
		}
		if c := t.Correct(); c != nil && *c {
			conserved++
		} else {
			wrong++
		}
	}
	return
}

func headlineOf(r *lab.Result, p lab.Params) string {
	total := lab.Group(int64(p.Int("accounts")) * opening)
	var clean, bad []string
	var naive string
	for _, v := range r.Variants {
		if v.Name == lab.Yours {
			continue // its expected and got are transfers, not money: the lab's sentence on yours says it
		}
		d, _, w := tally(v)
		n := len(v.Trials)
		switch {
		case v.Name == "naive" && d > 0:
			naive = fmt.Sprintf("The naive lock order deadlocked in %d of %s", d, prose.Plural(n, "trial"))
		case v.Name == "naive":
			naive = fmt.Sprintf("The naive lock order happened not to deadlock in %s", prose.Plural(n, "trial"))
		}
		if w > 0 {
			bad = append(bad, fmt.Sprintf("%s (%d of %s)", v.Name, w, prose.Plural(n, "trial")))
		} else if v.Name != "naive" && d == 0 {
			clean = append(clean, v.Name)
		}
	}
	var s string
	switch {
	case naive != "" && len(clean) > 0:
		s = fmt.Sprintf("%s; %s never deadlocked", naive, prose.List(clean))
	case naive != "":
		s = naive
	case len(clean) > 0:
		s = fmt.Sprintf("%s never deadlocked", capital(prose.List(clean)))
	}
	switch {
	case len(bad) > 0:
		return fmt.Sprintf("%s, but the bank's total of %s came out wrong in %s, which must never happen: please report this run.", s, total, prose.List(bad))
	case s == "":
		return "No trial finished."
	}
	return fmt.Sprintf("%s, and every trial that finished ended with the bank's %s intact.", s, total)
}

// cycleSeen names the first deadlock's cycle and how far the naive
// transfers got before they froze.
func cycleSeen(r *lab.Result) string {
	v := r.Variant("naive")
	if v == nil {
		return ""
	}
	var done []float64
	cycle, at := "", 0
	for i, t := range v.Trials {
		c, _ := t.Extra["cycle"].(string)
		if c == "" {
			continue
		}
		if cycle == "" {
			cycle, at = c, i+1
		}
		if n, ok := lab.Number(t.Extra["transfers_done"]); ok {
			done = append(done, n)
		}
	}
	if cycle == "" {
		return ""
	}
	return fmt.Sprintf("In trial %d the watchdog found %s, and ended that process; the naive transfers froze after a median of %s transfers.",
		at, cycle, lab.Group(int64(lab.Median(done))))
}

// throughput compares transfers per second against the ordered locks,
// claiming a difference only where the speedup's interval allows it.
func throughput(r *lab.Result, p lab.Params, env lab.Env) string {
	where := "inside its locks"
	if p.String("where") == "outside" {
		where = "before taking its locks"
	}
	work := "no slow work"
	if w := p.Duration("work"); w > 0 {
		work = fmt.Sprintf("%s of work %s", w, where)
	}
	machine := fmt.Sprintf("With %s, %s on %s and %s per transfer",
		prose.Plural(p.Int("accounts"), "account"), prose.Plural(p.Int("goroutines"), "goroutine"), prose.Plural(env.Cores(), "core"), work)
	base := r.Variant("ordered")
	if base == nil {
		return ""
	}
	rate, ok := lab.Number(base.Extra["transfers_per_s"])
	if !ok {
		return ""
	}
	s := fmt.Sprintf("%s, ordered locks made %s transfers a second", machine, lab.Group(int64(rate)))
	var said []string
	for _, v := range r.Variants {
		if v.Name != "global" && v.Name != "owner" {
			continue
		}
		x := fmt.Sprintf("%.2f×", v.Speedup)
		switch d := lab.Compare(v); d {
		case lab.Faster, lab.Slower:
			said = append(said, fmt.Sprintf("%s was %s (%s the speed)", label(v.Name), d, x))
		default:
			said = append(said, fmt.Sprintf("%s ran at %s the speed (%s)", label(v.Name), x, d))
		}
	}
	if len(said) == 0 {
		return s + "."
	}
	s += "; " + prose.List(said) + "."
	if p.String("where") == "inside" && p.Duration("work") > 0 {
		s += " Set where=outside to see what holding the locks across the work costs."
	}
	return s
}

func label(variant string) string {
	switch variant {
	case "global":
		return "one lock for the bank"
	case "owner":
		return "one owner goroutine"
	}
	return variant
}

// detectorSaid is what Go's own deadlock detector said, alone and beside
// a live goroutine, if the run showed it.
func detectorSaid(r *lab.Result) string {
	v := r.Variant("naive")
	if v == nil {
		return ""
	}
	for _, t := range v.Trials {
		asleep, ok := t.Extra["go_asleep"].(string)
		if !ok {
			continue
		}
		alive, _ := t.Extra["go_alive"].(string)
		first := "Alone in a process, two opposite transfers drew no fatal error from Go's runtime (" + asleep + ")"
		if why, _ := t.Extra["go_asleep_why"].(string); why != "" {
			first += ": " + why
		}
		if strings.HasPrefix(asleep, "fatal error") {
			first = "Alone in a process, two opposite transfers made Go's runtime end the program with " + asleep
		}
		second := "beside one live goroutine, as a server always has, it said " + alive
		if strings.HasPrefix(alive, "fatal error") {
			second = "beside one live goroutine it said " + alive + " too"
		}
		return first + "; " + second + "."
	}
	return ""
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
