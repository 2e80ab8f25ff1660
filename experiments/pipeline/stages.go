package pipeline

import (
	"sync/atomic"
	"time"
)

// Every run function takes p, the lab's probe (probe.go, not shown here):
// p.watch hands it the queues' lengths, which it samples for the chart,
// and p.worker makes each goroutine's worker. The pipeline would run the
// same without it.

// The pipeline's three stages, as in the Python lesson: make a number,
// multiply it by 2, add 1. A fourth goroutine, the collector, gathers the
// results. Number i comes out as 2*i+1.
type stage int

const (
	produce stage = iota
	double
	increment
	collect
)

var stageNames = [...]string{"produce", "double", "increment", "collect"}

func (s stage) String() string { return stageNames[s] }

// A worker is one goroutine's share of a stage. The slow stage's workers
// add cost to every item: spinning the CPU, as a hash or an image resize
// would, or sleeping, as a wait for a disk or the network would.
type worker struct {
	stage stage
	cost  time.Duration // added to every item; zero except in the slow stage
	io    bool          // spend cost asleep (I/O); else spin the CPU
	spins int           // loop turns that take cost on an idle core
	sink  uint64        // the spins' result, kept so the loop is really run

	// Instrumentation for the page, nothing the pipeline needs.
	busy   func(start, end time.Time) // the timeline: when cost was spent
	items  atomic.Int64               // items done: the progress bar
	polls  int                        // polling only: looks at the input queue
	wasted int                        // polling only: looks that found it empty
}

// do runs the worker's stage on x: make a number (x itself), double it, add
// one, or (the collector) keep it.
func (w *worker) do(x int) int {
	if w.cost > 0 {
		start := time.Now()
		if w.io {
			time.Sleep(w.cost)
		} else {
			w.sink += spin(w.spins)
		}
		w.busy(start, time.Now())
	}
	w.items.Add(1)
	switch w.stage {
	case double:
		return 2 * x
	case increment:
		return x + 1
	}
	return x
}

// spin does n turns of arithmetic the compiler cannot skip. It is CPU work
// of a fixed size, unlike a loop that watches the clock: a goroutine that
// waits for a core takes longer to finish it, as real computation would.
// It is not inlined, so the compiler cannot drop a call whose result is
// unused.
//
//go:noinline
func spin(n int) uint64 {
	x := uint64(n) | 1
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}
