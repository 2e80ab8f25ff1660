package failures

import (
	"fmt"
	"strings"

	"concurrencylab/experiments/internal/prose"
	"concurrencylab/lab"
)

// Judge implements lab.Judge. The headline answers the lesson's question,
// did the caller find out that a task failed; the details tell each
// variant's figures.
func (Experiment) Judge(r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	if prose.OnlyYours(r) {
		return "", "" // the lab's sentence on yours says it all
	}
	if len(r.Variants) == 0 {
		return "No variant ran.", ""
	}
	var parts []string
	for _, v := range r.Variants {
		if s := sentence(&v, p); s != "" {
			parts = append(parts, s)
		}
	}
	if s := sooner(r); s != "" {
		parts = append(parts, s)
	}
	return headlineOf(r), strings.Join(parts, " ")
}

// headlineOf sorts the variants into those whose caller got every error,
// those that give the first error and cancel the rest (errgroup's design),
// those whose caller missed some, and the panic that ended its program.
func headlineOf(r *lab.Result) string {
	var got, first, missed []string
	died := false
	failed := false
	for _, v := range r.Variants {
		if v.Expected != nil && *v.Expected > 0 {
			failed = true
		}
		if v.Name == "panic" {
			died = died || statusIs(&v, 2)
			continue
		}
		switch {
		case v.Correct == nil:
		case *v.Correct && (v.Name == "errgroup" || v.Name == "recover"):
			first = append(first, v.Name)
		case *v.Correct:
			got = append(got, v.Name)
		default:
			worst := medianAnswer(v.Got)
			if v.WorstGot != nil {
				worst = v.WorstGot
			}
			missed = append(missed, fmt.Sprintf("%s it saw %s of %s", v.Name, count(worst), count(expectedOf(&v, worst))))
		}
	}
	if !failed {
		return "No task failed (the fail list is empty), so there was no error to lose."
	}
	var clauses []string
	if len(got) > 0 {
		clauses = append(clauses, "the caller got every error with "+prose.List(got))
	}
	if len(first) > 0 {
		clauses = append(clauses, prose.List(first)+" returned only the first, by design")
	}
	if len(missed) > 0 {
		clauses = append(clauses, "with "+prose.List(missed))
	}
	if died {
		clauses = append(clauses, "the panic ended its whole program (exit status 2)")
	}
	if len(clauses) == 0 {
		return "Tasks failed, but no trial told the caller."
	}
	s := "When a task failed, " + clauses[0]
	if len(clauses) > 1 {
		s += "; " + strings.Join(clauses[1:len(clauses)-1], "; ")
		if len(clauses) > 2 {
			s += ", and "
		}
		s += clauses[len(clauses)-1]
	}
	return s + "."
}

// sentence is what one variant's trials showed.
func sentence(v *lab.VariantResult, p lab.Params) string {
	n := len(v.Trials)
	if n == 0 {
		return ""
	}
	trials := prose.Plural(n, "trial")
	tasks := p.Int("tasks")
	switch v.Name {
	case "bare":
		if v.Correct != nil && !*v.Correct {
			return fmt.Sprintf("bare: the go statement dropped every error; the caller saw %s of the %s returned, in %d of %s.",
				countF(v.Got), count(v.Expected), *v.WrongTrials, trials)
		}
		return fmt.Sprintf("bare: no task failed, so it had nothing to lose in %s.", trials)
	case "collect":
		return fmt.Sprintf("collect: errors.Join gave the caller %s in %s, and it answered once all %d tasks had ended (median %s).",
			seen(v), trials, tasks, msText(v.MedianMs))
	case "errgroup", "recover":
		s := fmt.Sprintf("%s: Wait returned %s", v.Name, firstOf(v))
		if x, ok := lab.Number(v.Extra["first_failure_ms"]); ok {
			s += fmt.Sprintf(" after %s (median; the first failure came at %s)", msText(v.MedianMs), msText(x))
		}
		if x, ok := lab.Number(v.Extra["tasks_skipped"]); ok && x > 0 {
			s += fmt.Sprintf(", and the cancel skipped %s of %d tasks", num(x), tasks)
		}
		s += "."
		if v.WrongTrials != nil && *v.WrongTrials > 0 {
			s += fmt.Sprintf(" In %d of %s more than one task failed before the cancel, and errgroup kept only the first error.", *v.WrongTrials, trials)
		}
		if v.Name == "recover" {
			s += " The deferred recover in each task turned the panic into that error; errgroup does not do this by itself."
		}
		return s
	case "panic":
		return panicSentence(v, tasks)
	}
	return ""
}

// panicSentence tells how the panic variant's processes ended.
func panicSentence(v *lab.VariantResult, tasks int) string {
	trials := prose.Plural(len(v.Trials), "trial")
	if statusIs(v, 0) {
		return fmt.Sprintf("panic: no task failed, so nothing panicked and its process ended normally in %s.", trials)
	}
	if !statusIs(v, 2) {
		return fmt.Sprintf("panic: its process ended with differing exit statuses in %s; the run page shows each one's output.", trials)
	}
	done := 0.0
	for _, t := range v.Trials {
		if x, ok := lab.Number(t.Extra["tasks_done"]); ok {
			done = max(done, x)
		}
	}
	s := fmt.Sprintf("panic: its process died with exit status 2 in every one of %s", trials)
	if done == 0 {
		s += fmt.Sprintf(", before any of the other %d tasks finished", tasks-1)
	} else {
		s += fmt.Sprintf(", after at most %s of %d tasks had finished", num(done), tasks)
	}
	s += ": Go printed the panic and its goroutine's stack, and ended the program. Python would have printed the traceback and gone on. The run itself went on to its next trial."
	return s
}

// sooner says whether errgroup answered sooner than collect, which waits
// for every task, where the trials can tell.
func sooner(r *lab.Result) string {
	base, eg := r.Variant("collect"), r.Variant("errgroup")
	if base == nil || eg == nil || eg.Expected == nil || *eg.Expected == 0 || !base.Baseline {
		return ""
	}
	switch d := lab.Compare(*eg); d {
	case lab.Faster:
		return fmt.Sprintf("errgroup gave its answer %.1f times as fast as collect, which waits for every task.", eg.Speedup)
	case lab.Slower:
		return "errgroup answered slower than collect: its workers limit ran the tasks a few at a time, and the failure came late."
	case lab.NoDifference:
		return fmt.Sprintf("The trials cannot tell errgroup's answer time from collect's (speedup %.2g to %.2g times, 95%% interval): %s.",
			eg.SpeedupCI[0], eg.SpeedupCI[1], d)
	}
	return ""
}

// statusIs reports whether every trial of v ended with exit status s.
func statusIs(v *lab.VariantResult, s int) bool {
	if len(v.Trials) == 0 {
		return false
	}
	for _, t := range v.Trials {
		if x, ok := lab.Number(t.Extra["exit_status"]); !ok || int(x) != s {
			return false
		}
	}
	return true
}

// seen is "every error (2 of 2)" or "3 of 4 errors at worst".
func seen(v *lab.VariantResult) string {
	if v.Correct != nil && *v.Correct {
		return fmt.Sprintf("every error (%s of %s)", countF(v.Got), count(v.Expected))
	}
	return fmt.Sprintf("%s of %s errors at worst", count(v.WorstGot), count(expectedOf(v, v.WorstGot)))
}

// firstOf names the error errgroup returned, from a trial's error_seen.
func firstOf(v *lab.VariantResult) string {
	for _, t := range v.Trials {
		if s, _ := t.Extra["error_seen"].(string); s != "" {
			return fmt.Sprintf("the first error (%q)", s)
		}
	}
	return "no error"
}

// expectedOf is the expected count of the trial whose answer was got.
func expectedOf(v *lab.VariantResult, got *int64) *int64 {
	if got != nil {
		for _, t := range v.Trials {
			if t.Got != nil && *t.Got == *got && t.Expected != nil {
				return t.Expected
			}
		}
	}
	return v.Expected
}

func count(n *int64) string {
	if n == nil {
		return "?"
	}
	return lab.Group(*n)
}

// countF writes a median answer: a whole number, or one and a half.
func countF(n *float64) string {
	if n == nil {
		return "?"
	}
	return prose.Number(*n)
}

// medianAnswer is a median answer as a whole number where it is one.
func medianAnswer(n *float64) *int64 {
	if n == nil || *n != float64(int64(*n)) {
		return nil
	}
	return lab.Int64(int64(*n))
}

func num(x float64) string { return lab.Group(int64(x + 0.5)) }

func msText(x float64) string {
	if x >= 10 {
		return fmt.Sprintf("%.0f ms", x)
	}
	return fmt.Sprintf("%.1f ms", x)
}
