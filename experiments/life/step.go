package life

import (
	"context"
	"runtime"
	"runtime/metrics"
	"time"
)

// A Step is one generation in the making: the variants read Cur and
// write Next, a cell or a row at a time.
type Step struct {
	Cur, Next *Grid
	// Latency is how long each cell's step waits before it computes, the
	// seed's stand-in for I/O; 0 is pure CPU.
	Latency time.Duration
	// Workers is the pool's size: the pool's and pipeline's goroutines,
	// errgroup's limit.
	Workers int
	ctx     context.Context
	probe   *probe
}

// wait is the cell's latency; once the run is cancelled it waits no more.
func (s *Step) wait() {
	if s.Latency > 0 && s.ctx.Err() == nil {
		time.Sleep(s.Latency)
	}
}

// Cell computes cell (x, y) of the next generation.
func (s *Step) Cell(x, y int) {
	s.wait()
	s.Next.Set(x, y, Rule(s.Cur.At(x, y), s.Cur.Neighbours(x, y)))
}

// Row computes row y of the next generation, cell by cell.
func (s *Step) Row(y int) {
	for x := range s.Cur.Size {
		s.Cell(x, y)
	}
}

// CountRow is the pipeline's first stage: the live neighbours of every
// cell of row y, each after its wait.
func (s *Step) CountRow(y int) []int {
	n := make([]int, s.Cur.Size)
	for x := range n {
		s.wait()
		n[x] = s.Cur.Neighbours(x, y)
	}
	return n
}

// ApplyRow is the pipeline's second stage: the rules applied to row y
// with its neighbour counts.
func (s *Step) ApplyRow(y int, neighbours []int) {
	for x, n := range neighbours {
		s.Next.Set(x, y, Rule(s.Cur.At(x, y), n))
	}
}

// Barrier counts, at the moment it is called, the goroutines alive and
// the stack and heap memory they hold beyond the trial's start. A variant
// calls it where all its goroutines exist (the per-cell variant at its
// generation's barrier, where every one of them waits); the trial calls it
// after every generation. A sampler every few milliseconds would miss
// goroutines that live a microsecond; this misses none that wait here.
func (s *Step) Barrier() { s.probe.look() }

// A probe keeps the fullest moment the Barrier calls saw.
type probe struct {
	baseGoroutines         int
	baseStacks, baseObjs   uint64
	goroutines             int    // most goroutines beyond the base
	stacks                 uint64 // stack bytes beyond the base, when goroutines peaked
	peakStacks, peakMemory uint64 // most stack bytes, and heap objects + stacks, beyond the base
	samples                []metrics.Sample
}

// The runtime's counts of the memory that stacks take (whole stack
// spans, free stacks cached in them included) and heap objects (live,
// and garbage not yet swept).
const (
	stacksMetric  = "/memory/classes/heap/stacks:bytes"
	objectsMetric = "/memory/classes/heap/objects:bytes"
)

func newProbe() *probe {
	p := &probe{samples: []metrics.Sample{{Name: stacksMetric}, {Name: objectsMetric}}}
	p.baseStacks, p.baseObjs = p.read()
	p.baseGoroutines = runtime.NumGoroutine()
	return p
}

func (p *probe) read() (stacks, objs uint64) {
	metrics.Read(p.samples)
	return p.samples[0].Value.Uint64(), p.samples[1].Value.Uint64()
}

func (p *probe) look() {
	g := runtime.NumGoroutine() - p.baseGoroutines
	stacks, objs := p.read()
	stacks = sub(stacks, p.baseStacks)
	if g > p.goroutines {
		p.goroutines, p.stacks = g, stacks
	}
	p.peakStacks = max(p.peakStacks, stacks)
	p.peakMemory = max(p.peakMemory, stacks+sub(objs, p.baseObjs))
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}
