// Package locked is the locked counter: the race experiment's shared
// counter made correct four ways (a mutex, an atomic add, a channel to one
// owner, per-goroutine counts merged at the end), and what each one costs.
package locked

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"math"
	"time"

	"concurrencylab/experiments/internal/detector"
	"concurrencylab/experiments/internal/yourcount"
	"concurrencylab/lab"
)

// The files a learner reads: the counters, and the harness that starts
// their goroutines and cuts their work into batches.
var (
	//go:embed counters.go
	countersSource string
	//go:embed together.go
	togetherSource string
	//go:embed getset.go
	getSetSource string
)

// MaxIncrements bounds goroutines × increments in one trial. It is a tenth
// of the race experiment's: the channel variant costs about 45 ns an
// increment, so this keeps its trials near two seconds.
const MaxIncrements = 50_000_000

// Experiment is the locked counter.
type Experiment struct{}

var _ lab.Experiment = Experiment{}

// variants are the counters, in the order the page shows them. Each count
// function lives in counters.go.
var variants = []struct {
	lab.Variant
	count func(*runner) int
}{
	{lab.Variant{Name: "mutex", Summary: "a sync.Mutex around every increment", Baseline: true}, countMutex},
	{lab.Variant{Name: "atomic", Summary: "one atomic add per increment"}, countAtomic},
	{lab.Variant{Name: "channel", Summary: "one goroutine owns the counter; the others send it increments"}, countChannel},
	{lab.Variant{Name: "sharded", Summary: "each goroutine counts on its own; the totals are merged once at the end"}, countSharded},
	{lab.Variant{Name: "get-set", Summary: "Get and Set each under a mutex, the increment between them not: race-free, and still updates are lost"}, countGetSet},
	{lab.Variant{Name: "unsynchronized", Summary: "no synchronization at all, for contrast: updates are lost"}, countUnsynchronized},
}

// countOf returns the count function of variant, or nil.
func countOf(variant string) func(*runner) int {
	v, _ := lab.Lookup(variants, variant)
	return v.count
}

// synchronized reports whether a variant is free of data races: every
// variant but unsynchronized, which the race detector would stop.
// (A learner's own variant, yours, is judged by the lab on its own.)
func synchronized(variant string) bool { return variant != "unsynchronized" && variant != lab.Yours }

// exact reports whether a variant is meant to count exactly: get-set is
// race-free but loses updates all the same.
func exact(variant string) bool { return synchronized(variant) && variant != "get-set" }

// Info implements lab.Experiment.
func (Experiment) Info() lab.Info {
	return lab.Info{
		ID:      "locked",
		Title:   "A locked counter",
		Summary: "Four ways to make the shared counter correct, what each costs per increment, and a Get and a Set each locked that still lose updates.",
		Lesson:  lesson,
		Figures: []lab.Figure{
			detector.Figure,
			{Key: "ns_per_increment", Label: "Per increment", Unit: "ns", Main: true, Help: "the trial's time over its increments: what one synchronized increment costs"},
			{Key: "lost", Label: "Lost updates (median)", Help: "increments that vanished, in the median trial"},
		},
		Params: []lab.Param{
			{Name: "goroutines", Label: "Goroutines", Kind: lab.KindInt, Default: "5", Min: 1, Max: 256,
				Help: "how many goroutines increment the counter at once"},
			{Name: "increments", Label: "Increments per goroutine", Kind: lab.KindInt, Default: "100000", Min: 1, Max: 10_000_000,
				Help: "how many times each goroutine adds one"},
			{Name: "detector", Label: "Race detector", Kind: lab.KindBool, Default: "false",
				Help: fmt.Sprintf("after each trial, run the same counter (%d goroutines × %d increments) in a separate program built with -race, and show what Go's race detector reports",
					detector.Goroutines, detector.Increments)},
		},
		Variants: lab.VariantsOf(variants),
		Source: []lab.SourceFile{
			{Name: "counters.go", Code: countersSource},
			{Name: "together.go", Code: togetherSource},
			{Name: "getset.go", Code: getSetSource},
		},
		Check: check,
		Edit:  yourcount.Edit,
	}
}

func check(p lab.Params) error {
	g, n := p.Int("goroutines"), p.Int("increments")
	if g*n > MaxIncrements {
		return &lab.ParamError{Name: "goroutines × increments",
			Msg: fmt.Sprintf("must be at most %s, got %s", lab.Group(MaxIncrements), lab.Group(int64(g*n)))}
	}
	return nil
}

// Trial implements lab.Experiment. The time it reports is the counting
// alone: the race detector's child process, if asked for, runs after it.
func (Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	count := countOf(variant)
	if count == nil {
		return lab.Trial{}, fmt.Errorf("locked: unknown variant %q", variant)
	}
	if !synchronized(variant) && lab.RaceEnabled {
		return lab.Trial{}, errors.New("this server was built with -race, and the race detector stops a program at its first data race: run the lab without -race to watch the unsynchronized counter lose updates, or set detector=true to see the detector's report from a separate program")
	}
	g, n := p.Int("goroutines"), p.Int("increments")
	r := newRunner(ctx, g, n, em)
	began := time.Now()
	got := count(r)
	elapsed := time.Since(began)
	if err := ctx.Err(); err != nil {
		return lab.Trial{}, err
	}
	total := int64(g) * int64(n)
	extra := map[string]any{
		"ns_per_increment": math.Round(float64(elapsed.Nanoseconds())/float64(total)*1000) / 1000,
	}
	if !exact(variant) {
		extra["lost"] = total - int64(got)
	}
	if p.Bool("detector") {
		rep, err := detector.Check(ctx, "locked", variant)
		if err != nil {
			return lab.Trial{}, err
		}
		maps.Copy(extra, rep.Extra())
		em.Log(variant + ": " + rep.Summary())
	}
	return lab.Trial{
		Elapsed:  elapsed,
		Expected: lab.Int64(total),
		Got:      lab.Int64(int64(got)),
		Extra:    extra,
	}, nil
}

// Count runs variant once, outside the lab, and returns its count. The
// racecounter program (cmd/racecounter) runs it in a build with -race, so
// the race detector's report names the lines of counters.go the page shows.
func Count(variant string, goroutines, increments int) (int, error) {
	count := countOf(variant)
	if count == nil {
		return 0, fmt.Errorf("locked: unknown variant %q", variant)
	}
	if goroutines < 1 || increments < 0 {
		return 0, fmt.Errorf("locked: need at least 1 goroutine and 0 increments, got %d and %d", goroutines, increments)
	}
	return count(newRunner(context.Background(), goroutines, increments, lab.Discard)), nil
}
