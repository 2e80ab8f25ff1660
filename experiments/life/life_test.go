package life

import (
	"context"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
)

// params returns checked parameters from a query string.
func params(t *testing.T, query string) lab.Params {
	t.Helper()
	p, err := lab.ParseQuery(Experiment{Cores: 2}.Info(), mustQuery(t, query))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func trial(t *testing.T, variant string, p lab.Params) lab.Trial {
	t.Helper()
	tr, err := Experiment{}.Trial(context.Background(), variant, p, lab.Discard)
	if err != nil {
		t.Fatalf("%s: %v", variant, err)
	}
	return tr
}

func TestRule(t *testing.T) {
	// A blinker turns from a row of three to a column of three and back.
	g := NewGrid(5)
	for x := 1; x <= 3; x++ {
		g.Set(x, 2, 1)
	}
	once := Reference(g, 1)
	for y := range 5 {
		for x := range 5 {
			want := byte(0)
			if x == 2 && y >= 1 && y <= 3 {
				want = 1
			}
			if got := once.At(x, y); got != want {
				t.Errorf("after 1 generation, cell (%d, %d): got %d, want %d", x, y, got, want)
			}
		}
	}
	if twice := Reference(g, 2); twice.Hash() != g.Hash() {
		t.Errorf("after 2 generations: got hash %x, want the start's %x", twice.Hash(), g.Hash())
	}
	// The grid wraps: a live cell at a corner counts its neighbours at the other corners.
	w := NewGrid(4)
	w.Set(0, 0, 1)
	w.Set(3, 3, 1)
	w.Set(3, 0, 1)
	if got := w.Neighbours(0, 3); got != 3 {
		t.Errorf("neighbours of (0, 3) on a wrapping 4 × 4 grid: got %d, want 3", got)
	}
}

func TestEveryVariantMatchesTheReference(t *testing.T) {
	for _, q := range []string{"size=24&generations=6&workers=3", "size=7&generations=3&workers=5&seed=9"} {
		p := params(t, q)
		for _, v := range variants {
			tr := trial(t, v.Name, p)
			if tr.Expected == nil || tr.Got == nil || *tr.Got != *tr.Expected {
				t.Errorf("%s, %s: got hash %d, want %d", q, v.Name, *tr.Got, *tr.Expected)
			}
		}
	}
}

// With a latency of 1ms per cell, sequential waits size² = 1,024 times in
// a row and rows waits about size = 32 times: a ratio of 32 by structure.
// Load on the machine lengthens sleeps for both alike (a sleeping
// goroutine needs no core, and 32 of them wake in one scheduler pass), so
// the test asks for 10×, a third of the structural ratio.
func TestLatencyRowsBeatSequential(t *testing.T) {
	p := params(t, "size=32&generations=1&latency=1ms")
	// 32 rows wait their latency one after another, or all at once: ten
	// times faster at least, on a quiet machine. Timers fire late on a
	// busy one, so a few tries are allowed.
	var seq, rows lab.Trial
	ratio := 0.0
	for try := 0; try < 5 && ratio < 10; try++ {
		seq = trial(t, "sequential", p)
		rows = trial(t, "rows", p)
		ratio = float64(seq.Elapsed) / float64(rows.Elapsed)
	}
	if ratio < 10 {
		t.Errorf("sequential took %s, rows %s: got %.1f×, want at least 10×", seq.Elapsed, rows.Elapsed, ratio)
	}
	if *rows.Got != *rows.Expected {
		t.Errorf("rows: got hash %d, want %d", *rows.Got, *rows.Expected)
	}
}

func TestFrames(t *testing.T) {
	p := params(t, "size=16&generations=3&variants=rows,pipeline")
	tr := trial(t, "rows", p)
	frames, _ := tr.Extra["frames"].([]string)
	if len(frames) != 4 {
		t.Fatalf("got %d frames, want the start and 3 generations", len(frames))
	}
	if f := pack(Reference(Seeded(16, 1), 3)); frames[3] != f {
		t.Errorf("last frame: got %q, want the reference %q", frames[3], f)
	}
	if other := trial(t, "pipeline", p); other.Extra["frames"] != nil {
		t.Error("the second variant kept frames too: want only the first's")
	}
}

func TestLimits(t *testing.T) {
	for _, tt := range []struct{ name, query, want string }{
		{"work", "size=512&generations=10&variants=rows", "size² × generations must be at most"},
		{"per cell", "size=300&generations=1", "must be at most 256 for the cells variant"},
		{"waits", "size=64&generations=10&latency=1ms", "size² × generations × latency must be at most 10s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lab.ParseQuery(Experiment{}.Info(), mustQuery(t, tt.query))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := lab.ParseQuery(Experiment{}.Info(), mustQuery(t, "size=512&generations=5&variants=rows")); err != nil {
		t.Errorf("512 × 512 by rows: got %v, want it accepted", err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	p := params(t, "size=64&generations=2&latency=1ms")
	start := time.Now()
	_, err := Experiment{}.Trial(ctx, "sequential", p, lab.Discard)
	if err == nil {
		t.Error("got no error from a cancelled trial")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a cancelled trial took %s to return, want it prompt", d)
	}
}

func TestLessonCountsLines(t *testing.T) {
	if n := funcLines(lifeSource, "generationPool"); n < 10 {
		t.Errorf("generationPool: got %d lines, want the function's length", n)
	}
	if strings.Contains(lesson(), " 0 lines") {
		t.Error("the lesson counts 0 lines of a variant: a function was renamed")
	}
}
