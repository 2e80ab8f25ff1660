package main

import (
	"math/big"
	"sync"
	"sync/atomic"
	"testing"

	"concurrencylab/experiments/primes/edit/yours"
	"concurrencylab/lab/yours/harness"
)

// workerPool is the lesson's fix: workers goroutines take numbers from
// one channel and count with an atomic add.
func workerPool(numbers []int64, workers int, test func(int64) bool) int {
	jobs := make(chan int64)
	var count atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for n := range jobs {
				if test(n) {
					count.Add(1)
				}
			}
		})
	}
	for _, n := range numbers {
		jobs <- n
	}
	close(jobs)
	wg.Wait()
	return int(count.Load())
}

// ownTest skips the lab's test and counts with a primality test of its
// own: the right number, with none of the lab's work done.
func ownTest(numbers []int64, _ int, _ func(int64) bool) int {
	count := 0
	for _, n := range numbers {
		if big.NewInt(n).ProbablyPrime(0) {
			count++
		}
	}
	return count
}

// halfTested tests only the first half of the numbers with the lab's test.
func halfTested(numbers []int64, workers int, test func(int64) bool) int {
	return workerPool(numbers[:len(numbers)/2], workers, test) + ownTest(numbers[len(numbers)/2:], 0, nil)
}

func TestTrial(t *testing.T) {
	cpu := harness.Params{"workload": "cpu", "start": "1000000001", "numbers": "200", "workers": "3"}
	io := harness.Params{"workload": "io", "tasks": "20", "latency": "1ms", "workers": "4"}
	primes := int64(ownTest(newTester(cpu).numbers(), 0, nil))
	tests := []struct {
		name  string
		p     harness.Params
		count func([]int64, int, func(int64) bool) int
		want  int64
	}{
		{"the starting file", cpu, yours.Count, primes},
		{"the worker pool", cpu, workerPool, primes},
		{"the worker pool, io", io, workerPool, 20},
		{"a test of its own", cpu, ownTest, 0},
		{"half tested", cpu, halfTested, int64(ownTest(newTester(cpu).numbers()[:100], 0, nil))},
		{"every number twice", cpu, func(ns []int64, w int, test func(int64) bool) int {
			return workerPool(append(ns, ns...), w, test)
		}, 2 * primes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trial(tt.p, tt.count); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	if primes == 0 {
		t.Fatal("no primes among the numbers: the test proves nothing")
	}
}
