package primes

import (
	"math"
	"testing"
)

// countDivisions counts isPrime's divisions the slow way.
func countDivisions(n int64) int64 {
	if n < 3 || n%2 == 0 {
		return 0
	}
	var k int64
	for d := int64(3); d*d <= n; d += 2 {
		k++
		if n%d == 0 {
			break
		}
	}
	return k
}

func TestDivisions(t *testing.T) {
	for _, n := range []int64{3, 9, 15, 25, 7919, 7921, 1_000_003, 8209 * 8219, 8209 * 8209 * 3, 10000000000037} {
		if got, want := divisions(n), countDivisions(n); got != want {
			t.Errorf("divisions(%d): got %d, want %d", n, got, want)
		}
	}
	// A composite with no small factor: its smallest is found by rho.
	if got, want := divisions(100003*1000003), int64((100003-1)/2); got != want {
		t.Errorf("divisions(100003 × 1000003): got %d, want %d", got, want)
	}
}

func TestIdealSpeedup(t *testing.T) {
	even := func(n int) []int64 {
		cs := make([]int64, n)
		for i := range cs {
			cs[i] = 100
		}
		return cs
	}
	tests := []struct {
		name           string
		costs          []int64
		workers, procs int
		want           float64
	}{
		{name: "one worker", costs: even(10), workers: 1, procs: 16, want: 1},
		{name: "even work, workers below cores", costs: even(16), workers: 2, procs: 16, want: 2},
		{name: "even work, cores below workers", costs: even(16), workers: 16, procs: 2, want: 2},
		{name: "16 heavy tasks on 5 workers", costs: even(16), workers: 5, procs: 16, want: 4}, // 16/⌈16/5⌉
		{name: "one heavy task bounds it", costs: []int64{1000, 1, 1, 1}, workers: 4, procs: 4, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := idealSpeedup(tc.costs, tc.workers, tc.procs); math.Abs(got-tc.want) > 0.01 {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDefaultWorkHasAShape is the defect: the default run's 250 numbers
// hold 16 primes that carry nearly all the work, so 16 cores cannot give
// 16×; the ideal says what the work allows.
func TestDefaultWorkHasAShape(t *testing.T) {
	ns := oddNumbers(10000000000001, 250)
	costs := make([]int64, len(ns))
	for i, n := range ns {
		costs[i] = divisions(n)
	}
	if got := idealSpeedup(costs, 16, 16); got > 14 {
		t.Errorf("got an ideal of %v× with 16 workers on 16 cores, want well below 16× (a few primes carry the work)", got)
	}
	if got := idealSpeedup(costs, 2, 2); got < 1.8 || got > 2 {
		t.Errorf("got an ideal of %v× with 2 workers on 2 cores, want about 2×", got)
	}
}
