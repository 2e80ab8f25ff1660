// Package pure is the part of the catalog that needs no cgo: every
// experiment the runner program (cmd/runner) executes. It imports no
// package that links C code, so a program built from it starts in
// milliseconds; an experiment that calls C (pixels) declares Info.Cgo
// and joins the catalog in package experiments instead.
package pure

import (
	"fmt"
	"os"

	"concurrencylab/experiments/deadlock"
	"concurrencylab/experiments/failures"
	"concurrencylab/experiments/internal/helper"
	"concurrencylab/experiments/life"
	"concurrencylab/experiments/locked"
	"concurrencylab/experiments/pipeline"
	"concurrencylab/experiments/pool"
	"concurrencylab/experiments/primes"
	"concurrencylab/experiments/processes"
	"concurrencylab/experiments/race"
	"concurrencylab/experiments/thumbnails"
	"concurrencylab/experiments/waits"
	"concurrencylab/lab"
)

// All returns every experiment that needs no cgo, in the catalog's order.
// cores is the CPUs a run has to itself (a runner slot's), which
// experiments offer as their default number of workers.
func All(cores int) []lab.Experiment {
	return []lab.Experiment{
		race.Experiment{},
		locked.Experiment{},
		primes.New(cores),
		pipeline.Experiment{Cores: cores},
		failures.Experiment{},
		deadlock.New(),
		pool.Experiment{},
		life.Experiment{Cores: cores},
		waits.Experiment{},
		thumbnails.New(),
		processes.New(),
	}
}

// Helper runs this process as the helper a trial started it as (package
// experiments/internal/helper): a program's main calls it first thing
// and exits with code where ok is true. ok is false in any other process.
func Helper() (code int, ok bool) {
	if mode, ok := helper.Mode("processes"); ok {
		return processes.Helper(mode, os.Args[1:]), true
	}
	if mode, ok := helper.Mode("thumbnails"); ok {
		return thumbnails.Helper(mode), true
	}
	if name := helper.Name(); name != "" {
		fmt.Fprintf(os.Stderr, "lab: no helper %q\n", name)
		return 2, true
	}
	return 0, false
}
