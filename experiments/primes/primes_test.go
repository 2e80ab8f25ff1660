package primes

import (
	"context"
	"fmt"
	"math/big"
	"testing"
)

func TestIsPrime(t *testing.T) {
	tests := []struct {
		n    int64
		want bool
	}{
		{-7, false}, {0, false}, {1, false}, {2, true}, {3, true}, {4, false},
		{9, false}, {25, false}, {7901, true}, {7903, false}, {7919, true},
		{999_999_999_989, true},   // the largest prime below 10^12
		{1_000_000_000_039, true}, // the smallest prime above 10^12
		{999_985_999_949, false},  // 999,983 × 1,000,003: no divisor below 10^6
		{1_000_000_000_037, false},
	}
	for _, tt := range tests {
		want := big.NewInt(tt.n).ProbablyPrime(0)
		if tt.n > 0 && want != tt.want {
			t.Fatalf("table entry %d: math/big says prime=%v; fix the table", tt.n, want)
		}
		if got := isPrime(tt.n); got != tt.want {
			t.Errorf("isPrime(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

// π(10^6) = 78,498 is a known count, so isPrime and the truth are checked
// against something neither computed.
func TestPrimesBelowAMillion(t *testing.T) {
	const want = 78_498
	got := 0
	for n := int64(0); n < 1_000_000; n++ {
		if isPrime(n) {
			got++
		}
	}
	if got != want {
		t.Errorf("isPrime found %d primes below 10^6, want %d", got, want)
	}
	// The odd numbers below 10^6 hold every prime but 2.
	if got := countPrimesExactly(oddNumbers(1, 500_000)); got != want-1 {
		t.Errorf("countPrimesExactly found %d odd primes below 10^6, want %d", got, want-1)
	}
}

func TestOddNumbers(t *testing.T) {
	tests := []struct {
		start, count int
		want         string
	}{
		{1, 3, "[1 3 5]"},
		{2, 3, "[3 5 7]"},
		{7900, 4, "[7901 7903 7905 7907]"},
		{10, 0, "[]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(oddNumbers(tt.start, tt.count)); got != tt.want {
			t.Errorf("oddNumbers(%d, %d) = %s, want %s", tt.start, tt.count, got, tt.want)
		}
	}
}

// allVariants are the plain variants and some a sweep plans.
var allVariants = []string{"sequential", "goroutine-per-task", "worker-pool", "errgroup", "gil",
	"worker-pool/1", "worker-pool/16", "errgroup/3", "gil/1", "gil/16"}

func TestEveryVariantCountsThePrimes(t *testing.T) {
	sizes := []struct {
		name string
		raw  map[string]string
	}{
		{"one number", map[string]string{"start": "1", "numbers": "1"}},
		{"small", map[string]string{"start": "2", "numbers": "10"}},
		{"the Python lesson's", map[string]string{"start": "7900", "numbers": "9"}},
		{"near 10^9", map[string]string{"start": "1000000000", "numbers": "300"}},
		{"near 10^12, short switch", map[string]string{"start": "1000000000000", "numbers": "40", "switch": "0.1ms"}},
	}
	for _, size := range sizes {
		p := params(t, size.raw)
		want := int64(0)
		for _, n := range oddNumbers(p.Int("start"), p.Int("numbers")) {
			if isPrime(n) {
				want++
			}
		}
		for _, v := range allVariants {
			t.Run(size.name+"/"+v, func(t *testing.T) {
				tr, err := Experiment{}.Trial(context.Background(), v, p, nopEmitter{})
				if err != nil {
					t.Fatal(err)
				}
				if *tr.Expected != want {
					t.Errorf("got expected %d, want %d", *tr.Expected, want)
				}
				if *tr.Got != want {
					t.Errorf("got %d primes, want %d", *tr.Got, want)
				}
			})
		}
	}
}

func TestEveryVariantFinishesTheTasks(t *testing.T) {
	for _, tasks := range []int{1, 3, 25} {
		p := params(t, map[string]string{"workload": "io", "tasks": fmt.Sprint(tasks), "latency": "2ms", "workers": "4"})
		for _, v := range allVariants {
			t.Run(fmt.Sprintf("%d tasks/%s", tasks, v), func(t *testing.T) {
				tr, err := Experiment{}.Trial(context.Background(), v, p, nopEmitter{})
				if err != nil {
					t.Fatal(err)
				}
				if *tr.Expected != int64(tasks) || *tr.Got != int64(tasks) {
					t.Errorf("got %d of %d tasks, want %d of %d", *tr.Got, *tr.Expected, tasks, tasks)
				}
			})
		}
	}
}
