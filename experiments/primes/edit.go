package primes

import (
	"embed"

	"concurrencylab/lab"
)

// editFiles are the harness of a learner's own variant and its package
// yours, the starting file: the code the lab builds with the learner's
// file in place of the starting one.
//
//go:embed edit/main.go edit/yours/*.go
var editFiles embed.FS

// edit lets learners write their own Count: sequential to start with, the
// worker pool to write. The harness's test records every number it is
// asked about, so a count made without it is not taken on trust.
var edit = &lab.Edit{
	Files:    lab.MustSub(editFiles, "edit"),
	Dir:      "experiments/primes/edit",
	Start:    "yours.go",
	Func:     lab.Func{Name: "Count", Params: []string{"[]int64", "int", "func(int64) bool"}, Results: []string{"int"}},
	Expected: expectedCount,
}

// expectedCount is what a correct Count returns with p: the primes among
// the numbers, or for io every task.
func expectedCount(p lab.Params) int64 {
	if p.String("workload") == "io" {
		return int64(p.Int("tasks"))
	}
	return countPrimesExactly(oddNumbers(p.Int("start"), p.Int("numbers")))
}
