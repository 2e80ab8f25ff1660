// Package pure is the part of the catalog that needs no cgo: every
// experiment the runner program (cmd/runner) executes. It imports no
// package that links C code, so a program built from it starts in
// milliseconds; an experiment that calls C (pixels) declares Info.Cgo
// and joins the catalog in package experiments instead.
package pure

import (
	"concurrencylab/experiments/deadlock"
	"concurrencylab/experiments/failures"
	"concurrencylab/experiments/life"
	"concurrencylab/experiments/locked"
	"concurrencylab/experiments/pipeline"
	"concurrencylab/experiments/pool"
	"concurrencylab/experiments/primes"
	"concurrencylab/experiments/race"
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
	}
}
