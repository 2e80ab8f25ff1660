//go:build !race

package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"concurrencylab/experiments/deadlock"
	"concurrencylab/experiments/failures"
	"concurrencylab/experiments/pipeline"
	"concurrencylab/experiments/pool"
	"concurrencylab/experiments/primes"
	"concurrencylab/lab"
)

// lessonFiles are, for each pure-Go experiment, the lesson's fix of the
// starting file and a cheat that skips the work the harness watches.
var lessonFiles = []struct {
	experiment lab.Experiment
	params     map[string]any // small sizes; variants is the baseline and yours
	startRight bool           // the starting file is the lesson's "before": right but slow, or wrong
	fix, cheat string
}{
	{primes.New(2), map[string]any{"variants": "sequential,yours", "start": 1000000001, "numbers": 300, "workers": 2}, true,
		`package yours

import (
	"sync"
	"sync/atomic"
)

// Count tests the numbers with a pool of workers goroutines.
func Count(numbers []int64, workers int, test func(int64) bool) int {
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
`, `package yours

import "math/big"

// Count counts the primes with a test of its own, not the lab's.
func Count(numbers []int64, workers int, test func(int64) bool) int {
	count := 0
	for _, n := range numbers {
		if big.NewInt(n).ProbablyPrime(0) {
			count++
		}
	}
	return count
}
`},
	{pipeline.Experiment{Cores: 2}, map[string]any{"variants": "polling,yours", "items": 200, "slow": "double", "cost": "20µs"}, false,
		`package yours

// Pipeline doubles and then increments every number, a stage each.
func Pipeline(numbers <-chan int, s Stages) <-chan int {
	doubled := make(chan int)
	go func() {
		defer close(doubled)
		for x := range numbers {
			doubled <- s.Double(x)
		}
	}()
	results := make(chan int)
	go func() {
		defer close(results)
		for x := range doubled {
			results <- s.Increment(x)
		}
	}()
	return results
}
`, `package yours

// Pipeline works out 2*x+1 itself, past the lab's stages.
func Pipeline(numbers <-chan int, s Stages) <-chan int {
	results := make(chan int)
	go func() {
		defer close(results)
		for x := range numbers {
			results <- 2*x + 1
		}
	}()
	return results
}
`},
	{failures.Experiment{}, map[string]any{"variants": "collect,yours", "tasks": 6, "fail": "2,5", "work": "4ms"}, false,
		`package yours

import (
	"context"
	"errors"
)

// Run sends every task's error back on a channel and joins them.
func Run(ctx context.Context, tasks int, task Task) error {
	answers := make(chan error, tasks)
	for n := 1; n <= tasks; n++ {
		go func() { answers <- task(ctx, n) }()
	}
	var errs []error
	for range tasks {
		if err := <-answers; err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
`, `package yours

import (
	"context"
	"errors"
)

// Run runs no task and makes up the errors the lab's would return.
func Run(ctx context.Context, tasks int, task Task) error {
	return errors.Join(errors.New("task 2 failed"), errors.New("task 5 failed"))
}
`},
	{deadlock.New(), map[string]any{"variants": "ordered,yours", "accounts": 2, "goroutines": 4, "transfers": 100, "work": "1ms"}, false,
		`package yours

// Transfer locks the account with the lower ID first.
func Transfer(b Bank, from, to Account, amount int) {
	first, second := from, to
	if second.ID() < first.ID() {
		first, second = second, first
	}
	first.Lock()
	second.Lock()
	b.Move(from, to, amount)
	second.Unlock()
	first.Unlock()
}
`, `package yours

// Transfer moves nothing and takes no lock.
func Transfer(b Bank, from, to Account, amount int) {}
`},
	{pool.Experiment{}, map[string]any{"variants": "semaphore,yours", "requests": 60, "connections": 4, "query": "2ms"}, false,
		`package yours

import "sync"

// Serve lets at most connections requests hold a connection at once.
func Serve(db Database, requests, connections int) {
	sem := make(chan struct{}, connections)
	var wg sync.WaitGroup
	for r := range requests {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			conn, err := db.Connect()
			if err != nil {
				return
			}
			defer conn.Close()
			conn.Query(r)
		})
	}
	wg.Wait()
}
`, `package yours

// Serve answers no request.
func Serve(db Database, requests, connections int) {}
`},
}

// Every pure-Go experiment's starting file runs as yours and is judged as
// its lesson's "before" (primes' sequential Count is right, the others
// wrong); the lesson's fix is right in every trial; a cheat that skips the
// work the lab's primitives watch is wrong in every trial. The verdict
// says so without taking yours for a lab's variant gone wrong.
func TestYoursLessons(t *testing.T) {
	base, _, stop := startEditServer(t)
	defer stop()
	for _, tt := range lessonFiles {
		id := tt.experiment.Info().ID
		t.Run(id, func(t *testing.T) {
			start, err := tt.experiment.Info().Edit.StartingFile()
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name, src string
				right     bool
			}{{"the starting file", start, tt.startRight}, {"the fix", tt.fix, true}, {"a cheat", tt.cheat, false}} {
				params := map[string]any{"code": mustCheck(t, base, id, f.src), "repeat": 2}
				for k, v := range tt.params {
					params[k] = v
				}
				run := runToEnd(t, base, id, params, time.Minute)
				if run["status"] != "done" {
					t.Fatalf("%s: got %v (%v), want done", f.name, run["status"], run["error"])
				}
				yours := variantOf(t, run, "yours")
				wrong, _ := yours["wrong_trials"].(float64)
				if f.right && (yours["correct"] != true || wrong != 0) || !f.right && (yours["correct"] != false || wrong != 2) {
					t.Errorf("%s: got correct %v, %v of 2 trials wrong (got %v of %v), want right %v in both", f.name, yours["correct"], wrong, yours["got"], yours["expected"], f.right)
				}
				res, _ := run["result"].(map[string]any)
				verdict := fmt.Sprint(res["verdict"], " ", res["details"])
				if !strings.Contains(verdict, "Yours was") || strings.Contains(verdict, "please report") {
					t.Errorf("%s: got the verdict %q, want the lab's sentence on yours and no report asked for", f.name, verdict)
				}
			}
		})
	}
}
