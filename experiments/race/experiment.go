// Package race is the data race counter: goroutines increment one shared
// counter with no synchronization, and updates are lost.
package race

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"concurrencylab/experiments/internal/detector"
	"concurrencylab/experiments/internal/yourcount"
	"concurrencylab/lab"
)

//go:embed counter.go
var source string

//go:embed steps.go
var stepsSource string

// MaxRecorded bounds goroutines × increments when every step is recorded,
// so the steps stay few enough to step through.
const MaxRecorded = 2000

// MaxIncrements bounds goroutines × increments in one trial (about a second
// of work on one core), so a trial ends soon after a cancel.
const MaxIncrements = 500_000_000

// Experiment is the data race counter.
type Experiment struct{}

var _ lab.Experiment = Experiment{}

// Info implements lab.Experiment.
func (Experiment) Info() lab.Info {
	return lab.Info{
		ID:      "race",
		Title:   "A data race on a counter",
		Summary: "Goroutines add to one shared counter with no lock, and updates vanish.",
		Lesson:  lesson,
		Figures: []lab.Figure{
			detector.Figure,
			{Key: "lost", Label: "Lost updates (median)", Main: true, Help: "increments that vanished, in the median trial; Correct counts every trial"},
		},
		Params: []lab.Param{
			{Name: "goroutines", Label: "Goroutines", Kind: lab.KindInt, Default: "5", Min: 1, Max: 256,
				Help: "how many goroutines increment the shared counter at once"},
			{Name: "increments", Label: "Increments per goroutine", Kind: lab.KindInt, Default: "1000000", Min: 1, Max: 10_000_000,
				Help: "how many times each goroutine calls Increment"},
			{Name: "steps", Was: []string{"record"}, Label: "Record every step", Kind: lab.KindBool, Default: "false",
				Help: "log every read and write of the unsynchronized counter, to step through the interleaving; at most 2,000 increments in all, so set goroutines × increments to, say, 2 × 1,000 first"},
			detectorParam,
		},
		Variants: []lab.Variant{
			{Name: "sequential", Summary: "one goroutine does every increment", Baseline: true},
			{Name: "unsynchronized", Summary: "goroutines share the counter with no lock"},
		},
		Source: []lab.SourceFile{{Name: "counter.go", Code: source}, {Name: "steps.go", Code: stepsSource}},
		Check:  check,
		Views:  []lab.View{stepsView},
		Files:  viewFiles,
		Edit:   yourcount.Edit,
	}
}

func check(p lab.Params) error {
	g, n := p.Int("goroutines"), p.Int("increments")
	if g*n > MaxIncrements {
		return &lab.ParamError{Name: "goroutines × increments",
			Msg: fmt.Sprintf("must be at most %s, got %s", lab.Group(MaxIncrements), lab.Group(int64(g*n)))}
	}
	if p.Bool("steps") && g*n > MaxRecorded {
		return &lab.ParamError{Name: "goroutines × increments",
			Msg: fmt.Sprintf("must be at most %s to record every step (say 2 goroutines × 1,000 increments), got %s",
				lab.Group(MaxRecorded), lab.Group(int64(g*n)))}
	}
	return nil
}

// Trial implements lab.Experiment.
func (Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	g, n := p.Int("goroutines"), p.Int("increments")
	expected := int64(g * n)
	var got int
	work := time.Now()
	switch variant {
	case "sequential":
		began := time.Now()
		got = countSequential(g * n)
		em.Span(0, began, time.Now(), "increment")
		em.Progress(1, 1, "goroutines")
	case "unsynchronized":
		if p.Bool("steps") {
			return recorded(g, n, em)
		}
		if lab.RaceEnabled {
			return lab.Trial{}, errors.New("this server was built with -race, and the race detector stops a program at its first data race: run the lab without -race to watch updates get lost")
		}
		var finished atomic.Int64
		got = countUnsynchronized(g, n, func(worker int, start time.Time) {
			em.Span(worker, start, time.Now(), "increment")
			em.Progress(finished.Add(1), int64(g), "goroutines")
		})
	default:
		return lab.Trial{}, fmt.Errorf("race: unknown variant %q", variant)
	}
	t := lab.Trial{
		Elapsed:  time.Since(work), // the detector's child process is not timed
		Expected: lab.Int64(expected),
		Got:      lab.Int64(int64(got)),
		Extra:    map[string]any{"lost": expected - int64(got)},
	}
	if variant == "unsynchronized" && p.Bool("detector") && ctx.Err() == nil {
		if err := detect(ctx, variant, t.Extra, em); err != nil {
			return lab.Trial{}, err
		}
	}
	return t, ctx.Err()
}

// recorded runs the recorded counter and returns its steps as compact
// [goroutine, write (0/1), value] triples, for the page's step-through.
func recorded(g, n int, em lab.Emitter) (lab.Trial, error) {
	began := time.Now()
	got, steps := countRecorded(g, n)
	em.Span(0, began, time.Now(), "recorded")
	em.Progress(int64(g), int64(g), "goroutines")
	triples := make([][3]int, len(steps))
	for i, s := range steps {
		w := 0
		if s.Write {
			w = 1
		}
		triples[i] = [3]int{s.Goroutine, w, s.Value}
	}
	expected := int64(g * n)
	return lab.Trial{
		Expected: lab.Int64(expected),
		Got:      lab.Int64(int64(got)),
		Extra:    map[string]any{"lost": expected - int64(got), "steps": triples},
	}, nil
}
