// The harness of a learner's own primes variant: it gives the learner's
// Count the run's numbers and the lab's test, which records every number
// it is asked about, and trusts the count only if every number went
// through it.
package main

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"concurrencylab/experiments/primes/edit/yours"
	"concurrencylab/lab/yours/harness"
)

func main() {
	harness.Serve(func(p harness.Params) int64 { return trial(p, yours.Count) })
}

// A tester is the lab's test of one trial's numbers: it remembers which
// of them it was asked about and how many passed.
type tester struct {
	first  int64 // the first number; the others follow at step apart
	step   int64
	test   func(int64) bool
	tested []atomic.Bool
	passed atomic.Int64
}

func newTester(p harness.Params) *tester {
	if p["workload"] == "io" {
		latency, _ := time.ParseDuration(p["latency"])
		return &tester{first: 0, step: 1, tested: make([]atomic.Bool, p.Int("tasks")),
			test: func(int64) bool { time.Sleep(latency); return true }}
	}
	return &tester{first: int64(p.Int("start")) | 1, step: 2, tested: make([]atomic.Bool, p.Int("numbers")), test: isPrime}
}

// numbers returns the trial's numbers.
func (t *tester) numbers() []int64 {
	ns := make([]int64, len(t.tested))
	for i := range ns {
		ns[i] = t.first + int64(i)*t.step
	}
	return ns
}

// Test tests n and records that it did; a number that is not one of the
// trial's, or that was tested before, passes no more.
func (t *tester) Test(n int64) bool {
	i := (n - t.first) / t.step
	if n < t.first || (n-t.first)%t.step != 0 || i >= int64(len(t.tested)) {
		return t.test(n)
	}
	ok := t.test(n)
	if !t.tested[i].Swap(true) && ok {
		t.passed.Add(1)
	}
	return ok
}

// untested counts the numbers the test never saw.
func (t *tester) untested() int {
	n := 0
	for i := range t.tested {
		if !t.tested[i].Load() {
			n++
		}
	}
	return n
}

// trial runs count on the trial's numbers. Its answer is the count if
// every number went through the lab's test; otherwise it is what the test
// really found, and the lab says which numbers it never saw.
func trial(p harness.Params, count func([]int64, int, func(int64) bool) int) int64 {
	t := newTester(p)
	got := count(t.numbers(), p.Int("workers"), t.Test)
	if n := t.untested(); n > 0 {
		fmt.Fprintf(os.Stderr, "lab: the lab's test never saw %d of the %d numbers; it found %d passing among the rest\n", n, len(t.tested), t.passed.Load())
		return t.passed.Load()
	}
	return int64(got)
}

// isPrime is the experiment's: rule out the even numbers, then try every
// odd divisor up to √n.
func isPrime(n int64) bool {
	if n < 2 {
		return false
	}
	if n%2 == 0 {
		return n == 2
	}
	for d := int64(3); d*d <= n; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}
