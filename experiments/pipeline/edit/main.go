// The harness of a learner's own pipeline: the lab makes the numbers,
// its stages record every item they handle, and it collects the results
// itself. An item counts only if it came out right, once, having gone
// through both of the lab's stages.
package main

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"concurrencylab/experiments/pipeline/edit/yours"
	"concurrencylab/lab/yours/harness"
)

func main() {
	rate := spinRate() // before the trial's clock starts
	harness.Serve(func(p harness.Params) int64 { return trial(p, rate, yours.Pipeline) })
}

// stages are the lab's: they record which numbers each one handled, and
// the slow one spends cost on every item.
type stages struct {
	doubled     []atomic.Bool // by number
	incremented []atomic.Bool // by number: Increment saw 2*number
	slow        string
	cost        func()
}

// Double implements yours.Stages.
func (s *stages) Double(x int) int {
	s.spend("double")
	if x >= 0 && x < len(s.doubled) {
		s.doubled[x].Store(true)
	}
	return 2 * x
}

// Increment implements yours.Stages.
func (s *stages) Increment(x int) int {
	s.spend("increment")
	if x >= 0 && x%2 == 0 && x/2 < len(s.incremented) {
		s.incremented[x/2].Store(true)
	}
	return x + 1
}

func (s *stages) spend(stage string) {
	if s.slow == stage {
		s.cost()
	}
}

// trial makes the numbers, runs them through the learner's pipeline and
// counts the results that came out right, less any that came out wrong.
func trial(p harness.Params, rate float64, pipeline func(<-chan int, yours.Stages) <-chan int) int64 {
	n := p.Int("items")
	s := &stages{doubled: make([]atomic.Bool, n), incremented: make([]atomic.Bool, n), slow: p["slow"], cost: costOf(p, rate)}
	numbers := make(chan int)
	go func() {
		defer close(numbers)
		for i := range n {
			s.spend("produce")
			numbers <- i
		}
	}()
	results := pipeline(numbers, s)
	if results == nil {
		fmt.Fprintln(os.Stderr, "lab: Pipeline returned a nil channel: no result can come out")
		for range numbers { // let the lab's producer finish
		}
		return 0
	}
	seen := make([]bool, n)
	var right, wrong, skipped int64
	for v := range results {
		i := (v - 1) / 2
		switch {
		case v < 1 || v%2 != 1 || i >= n || seen[i]:
			wrong++
		case !s.doubled[i].Load() || !s.incremented[i].Load():
			skipped++
		default:
			right++
		}
		if v >= 1 && i < n {
			seen[i] = true
		}
	}
	if right < int64(n) || wrong > 0 {
		fmt.Fprintf(os.Stderr, "lab: %d of %d items came out right, %d wrong or repeated, %d missed a stage of the lab's\n", right, n, wrong, skipped)
	}
	return max(right-wrong, 0) // an item too many is as wrong as one missing
}

// costOf returns what the slow stage spends on an item: a sleep for io,
// or a fixed amount of arithmetic that takes cost on an idle core.
func costOf(p harness.Params, rate float64) func() {
	cost, _ := time.ParseDuration(p["cost"])
	if p["cost_kind"] == "io" {
		return func() { time.Sleep(cost) }
	}
	turns := int(rate * float64(cost))
	return func() { spin(turns) }
}

// spinRate is how many spin turns run in a nanosecond on an idle core: the
// fastest of 50 short runs.
func spinRate() float64 {
	const turns = 1 << 16
	best := time.Hour
	for range 50 {
		start := time.Now()
		spin(turns)
		best = min(best, time.Since(start))
	}
	return turns / float64(max(best, 1))
}

// spin does n turns of arithmetic the compiler cannot skip.
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
