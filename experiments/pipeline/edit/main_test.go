package main

import (
	"testing"

	"concurrencylab/experiments/pipeline/edit/yours"
	"concurrencylab/lab/yours/harness"
)

// addOne is the lesson's fix: the starting file's pipeline with the stage
// that adds one after it.
func addOne(numbers <-chan int, s yours.Stages) <-chan int {
	doubled := yours.Pipeline(numbers, s)
	results := make(chan int)
	go func() {
		defer close(results)
		for x := range doubled {
			results <- s.Increment(x)
		}
	}()
	return results
}

// byHand computes 2*x+1 itself, skipping the lab's stages.
func byHand(numbers <-chan int, _ yours.Stages) <-chan int {
	results := make(chan int)
	go func() {
		defer close(results)
		for x := range numbers {
			results <- 2*x + 1
		}
	}()
	return results
}

// twice sends every result twice.
func twice(numbers <-chan int, s yours.Stages) <-chan int {
	results := make(chan int)
	go func() {
		defer close(results)
		for x := range addOne(numbers, s) {
			results <- x
			results <- x
		}
	}()
	return results
}

func TestTrial(t *testing.T) {
	p := harness.Params{"items": "300", "slow": "double", "cost": "20µs", "cost_kind": "cpu"}
	tests := []struct {
		name     string
		p        harness.Params
		pipeline func(<-chan int, yours.Stages) <-chan int
		want     int64
	}{
		{"the starting file", p, yours.Pipeline, 0},
		{"a stage added", p, addOne, 300},
		{"a stage added, io", harness.Params{"items": "20", "slow": "increment", "cost": "1ms", "cost_kind": "io"}, addOne, 20},
		{"by hand", p, byHand, 0},
		{"every result twice", p, twice, 0},
		{"a nil channel", p, func(<-chan int, yours.Stages) <-chan int { return nil }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trial(tt.p, spinRate(), tt.pipeline); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
