package primes

import (
	"container/heap"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"sync"
)

// shapes keeps the costs of the last tasks worked out: a run's trials all
// test the same numbers, and a child process executes one run.
type shapes struct {
	mu            sync.Mutex // guards the fields below
	start, number int
	costs         []int64
}

// workShape returns the divisions isPrime makes on each of the numbers
// the cpu workload tests, worked out once per run where s keeps them (a
// nil s works them out every time).
func (s *shapes) workShape(start, numbers int) []int64 {
	if s == nil {
		return taskCosts(start, numbers)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.costs == nil || s.start != start || s.number != numbers {
		s.start, s.number, s.costs = start, numbers, taskCosts(start, numbers)
	}
	return slices.Clone(s.costs)
}

func taskCosts(start, numbers int) []int64 {
	ns := oddNumbers(start, numbers)
	costs := make([]int64, len(ns))
	for i, n := range ns {
		costs[i] = divisions(n)
	}
	return costs
}

// The ideal speedup of a run is not simply its core count: the work has a
// shape. Among 250 odd numbers near 10¹³ about 16 are prime, and a prime
// costs isPrime √n/2 divisions while most composites fall to a divisor
// below 100. Those few primes carry nearly all the work, so with P cores
// no schedule beats about 16/⌈16/P⌉. idealSpeedup works that out from the
// divisions each task really costs.

// divisions returns how many divisions isPrime(n) makes: up to its
// smallest odd divisor, or up to √n for a prime.
func divisions(n int64) int64 {
	if n < 3 || n%2 == 0 {
		return 0
	}
	const quick = 4096 // most composites fall to a small divisor
	for d := int64(3); d <= 2*quick+1; d += 2 {
		if d*d > n {
			return (d - 3) / 2
		}
		if n%d == 0 {
			return (d - 1) / 2
		}
	}
	if big.NewInt(n).ProbablyPrime(0) {
		return (int64(math.Sqrt(float64(n))) - 1) / 2
	}
	return (smallestFactor(uint64(n)) - 1) / 2
}

// smallestFactor returns the smallest prime factor of an odd composite n
// with no factor below 8,195: at most three prime factors below 10¹⁵, found
// by Pollard's rho in about n^¼ steps each.
func smallestFactor(n uint64) int64 {
	if big.NewInt(int64(n)).ProbablyPrime(0) {
		return int64(n)
	}
	f := rho(n)
	return min(smallestFactor(f), smallestFactor(n/f))
}

// rho finds a nontrivial factor of the odd composite n (Pollard, Brent's
// cycle finding left out: n is small).
func rho(n uint64) uint64 {
	mulmod := func(a, b uint64) uint64 {
		hi, lo := bits.Mul64(a, b)
		_, r := bits.Div64(hi, lo, n)
		return r
	}
	for c := uint64(1); ; c++ {
		x, y, d := uint64(2), uint64(2), uint64(1)
		for d == 1 {
			x = (mulmod(x, x) + c) % n
			y = (mulmod(y, y) + c) % n
			y = (mulmod(y, y) + c) % n
			d = gcd(max(x, y)-min(x, y), n)
		}
		if d != n {
			return d
		}
	}
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// idealSpeedup returns the best speedup over one goroutine that workers
// goroutines on procs cores could reach on tasks of the given costs, taken
// in order as the pools take them: each task goes to the first worker free
// (list scheduling), and the workers can be no faster than procs cores
// shared fairly. It is the sum of the costs over the longer of the two.
func idealSpeedup(costs []int64, workers, procs int) float64 {
	var total int64
	for _, c := range costs {
		total += c
	}
	if total == 0 || workers < 1 || procs < 1 {
		return 1
	}
	lanes := make(finishTimes, min(workers, len(costs)))
	for _, c := range costs {
		lanes[0] += c // the earliest free worker takes the next task
		heap.Fix(&lanes, 0)
	}
	makespan := float64(0)
	for _, l := range lanes {
		makespan = max(makespan, float64(l))
	}
	makespan = max(makespan, float64(total)/float64(procs))
	return math.Round(float64(total)/makespan*100) / 100
}

// finishTimes is a min-heap of when each worker is next free.
type finishTimes []int64

func (h finishTimes) Len() int           { return len(h) }
func (h finishTimes) Less(i, j int) bool { return h[i] < h[j] }
func (h finishTimes) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *finishTimes) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *finishTimes) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
