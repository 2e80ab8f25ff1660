// Package life is Conway's Game of Life grown from one goroutine to
// fan-out: sequential, a goroutine per cell, per row, a pool fed by a
// channel, errgroup's limit and a pipeline, each checked against a
// reference grid, with what its goroutines cost measured at the
// generation's barrier.
package life

import (
	"context"
	_ "embed"
	"encoding/base64"
	"fmt"
	"runtime"
	"time"

	"concurrencylab/lab"
)

// The files a learner reads: the variants, and the step they share.
var (
	//go:embed life.go
	lifeSource string
	//go:embed step.go
	stepSource string
)

const (
	// MaxCells bounds a run's work: size² × generations cell steps a trial.
	MaxCells = 256 * 256 * 20
	// MaxPerCell bounds the per-cell variant's goroutines, size² at once.
	MaxPerCell = 256 * 256
	// MaxWait bounds the waits in a row of the slowest variant,
	// size² × generations × latency for sequential.
	MaxWait = 10 * time.Second
	// AnimatedSize is the largest grid whose generations a trial keeps
	// for the page's animation, and AnimatedFrames the most it keeps.
	AnimatedSize, AnimatedFrames = 64, 60
)

// Experiment is the Game of Life.
type Experiment struct {
	// Cores is the CPUs a run has to itself, the default pool size.
	Cores int
}

var (
	_ lab.Experiment = Experiment{}
	_ lab.Judge      = Experiment{}
)

// variants are the approaches, in the order the page shows them.
var variants = []struct {
	lab.Variant
	run func(*Step)
}{
	{lab.Variant{Name: "sequential", Summary: "one goroutine computes every cell in turn", Baseline: true}, generationSequential},
	{lab.Variant{Name: "cells", Summary: "a goroutine per cell per generation, all alive at once at the generation's barrier"}, generationPerCell},
	{lab.Variant{Name: "rows", Summary: "a goroutine per row per generation"}, generationPerRow},
	{lab.Variant{Name: "pool", Summary: "a fixed pool of workers takes rows from a channel: the queue refactoring"}, generationPool},
	{lab.Variant{Name: "errgroup", Summary: "errgroup with SetLimit(workers): a goroutine per row, at most workers at once"}, generationErrgroup},
	{lab.Variant{Name: "pipeline", Summary: "two stages joined by channels: workers count neighbours, one goroutine applies the rules"}, generationPipeline},
}

// Info implements lab.Experiment.
func (e Experiment) Info() lab.Info {
	return lab.Info{
		ID:      "life",
		Title:   "Game of Life: fan-out on demand",
		Summary: "Conway's Game of Life from one goroutine to a goroutine per cell, per row, a pool, errgroup and a pipeline, with what each goroutine costs.",
		Lesson:  lesson(),
		Params: []lab.Param{
			{Name: "size", Label: "Size", Kind: lab.KindInt, Default: "64", Min: 4, Max: 512,
				Help: "cells per side of the wrapping grid; the per-cell variant starts size² goroutines a generation (at most 256 × 256)"},
			{Name: "generations", Label: "Generations", Kind: lab.KindInt, Default: "10", Min: 1, Max: 200,
				Help: "generations per trial (size² × generations at most 256 × 256 × 20)"},
			{Name: "latency", Label: "Latency per cell", Kind: lab.KindDuration, Default: "0s", Min: 0, Max: 20,
				Help: "each cell's step waits this long first, a stand-in for I/O (0 is pure CPU; sleeps shorter than 1ms take about 1ms)"},
			{Name: "workers", Label: "Workers", Kind: lab.KindInt, Default: fmt.Sprint(max(e.Cores, 1)), Min: 1, Max: 256,
				Help: "the pool's and the pipeline's counting goroutines, and errgroup's limit"},
			{Name: "seed", Label: "Seed", Kind: lab.KindInt, Default: "1", Min: 0, Max: 1 << 30,
				Help: "the random start: the same seed, the same grid"},
		},
		Variants: lab.VariantsOf(variants),
		Figures: []lab.Figure{
			{Key: "gens_per_s", Label: "Generations", Unit: "/ s", Main: true, Help: "generations computed per second"},
			{Key: "peak_goroutines", Label: "Goroutines at barrier",
				Help: "goroutines alive beyond the trial's start, counted where the variant calls Barrier (exact for cells, pool and pipeline, whose goroutines wait there)"},
			{Key: "stack_bytes_per_goroutine", Label: "Stack per goroutine", Unit: "B",
				Help: "the stack memory the goroutines added, divided by their number, at the peak"},
			{Key: "stack_kib_peak", Label: "Stacks, peak", Unit: "KiB", Help: "the most stack memory the variant added, at a barrier"},
			{Key: "memory_kib", Label: "Memory added", Unit: "KiB",
				Help: "the most heap objects plus stacks the variant's own trial added beyond its start (runtime/metrics, at the barriers)"},
		},
		Charts: []lab.Chart{{Series: "generation", Title: "Generation"}},
		Source: []lab.SourceFile{
			{Name: "life.go", Code: lifeSource},
			{Name: "step.go", Code: stepSource},
		},
		Repeat: 6,
		Check:  check,
		Views:  []lab.View{animationView},
		Files:  viewFiles,
	}
}

func check(p lab.Params) error {
	size, gens := p.Int("size"), p.Int("generations")
	if size*size*gens > MaxCells {
		return &lab.ParamError{Name: "size² × generations", Msg: fmt.Sprintf("must be at most %d, got %d", MaxCells, size*size*gens)}
	}
	if size*size > MaxPerCell && chosen(p, "cells") {
		return &lab.ParamError{Name: "size", Msg: fmt.Sprintf("must be at most 256 for the cells variant (%d goroutines at once), got %d", MaxPerCell, size)}
	}
	if l := p.Duration("latency"); l > 0 {
		wait := time.Duration(size*size*gens) * max(l, time.Millisecond)
		if wait > MaxWait {
			return &lab.ParamError{Name: "size² × generations × latency",
				Msg: fmt.Sprintf("must be at most %s (sleeps count as at least 1ms), got %s", MaxWait, wait)}
		}
	}
	return nil
}

func chosen(p lab.Params, name string) bool {
	for _, v := range p.Variants() {
		if v == name {
			return true
		}
	}
	return false
}

// Trial implements lab.Experiment: the chosen variant steps a seeded
// grid through the generations, timed per generation; the grid it ends
// with is checked against the reference, computed before the timing.
func (Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	v, ok := lab.Lookup(variants, variant)
	if !ok {
		return lab.Trial{}, fmt.Errorf("life: unknown variant %q", variant)
	}
	size, gens := p.Int("size"), p.Int("generations")
	start := Seeded(size, uint64(p.Int("seed")))
	want := Reference(start, gens).Hash()
	s := &Step{Cur: start, Next: NewGrid(size), Latency: p.Duration("latency"), Workers: p.Int("workers"), ctx: ctx}
	var frames []string
	keep := size <= AnimatedSize && variant == p.Variants()[0]
	if keep {
		frames = append(frames, pack(start))
	}
	var elapsed, cpu time.Duration
	runtime.GC() // frees the stacks the last trial's dead goroutines kept, before the base is read
	s.probe = newProbe()
	for g := range gens {
		if err := ctx.Err(); err != nil {
			return lab.Trial{}, err
		}
		c0, t0 := lab.CPUTime(), time.Now()
		v.run(s)
		s.Barrier()
		elapsed += time.Since(t0)
		cpu += lab.CPUTime() - c0
		s.Cur, s.Next = s.Next, s.Cur
		em.Progress(int64(g+1), int64(gens), "generations")
		em.Sample("generation", float64(g+1))
		if keep && len(frames) < AnimatedFrames {
			frames = append(frames, pack(s.Cur))
		}
	}
	if err := ctx.Err(); err != nil {
		return lab.Trial{}, err
	}
	pr := s.probe
	extra := map[string]any{
		"gens_per_s":     float64(gens) / max(elapsed.Seconds(), 1e-9),
		"stack_kib_peak": float64(pr.peakStacks) / 1024,
		"memory_kib":     float64(pr.peakMemory) / 1024,
	}
	if pr.goroutines > 0 {
		extra["peak_goroutines"] = pr.goroutines
		extra["stack_bytes_per_goroutine"] = float64(pr.stacks) / float64(pr.goroutines)
	} else {
		extra["peak_goroutines"] = 0
	}
	if keep {
		extra["frames"] = frames
		extra["frame_size"] = fmt.Sprint(size) // a string: a number would show as a figure
	}
	return lab.Trial{Elapsed: elapsed, CPU: cpu, Expected: lab.Int64(want), Got: lab.Int64(s.Cur.Hash()), Extra: extra}, nil
}

// pack writes g's cells as bits, row by row, in base64: a 64 × 64 grid
// in 684 characters.
func pack(g *Grid) string {
	b := make([]byte, (len(g.Cells)+7)/8)
	for i, c := range g.Cells {
		b[i/8] |= c << (i % 8)
	}
	return base64.StdEncoding.EncodeToString(b)
}
