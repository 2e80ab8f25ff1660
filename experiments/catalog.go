// Package experiments is the catalog: every experiment the lab offers.
// Its test (catalog_test.go) holds every experiment to the contract: a
// whole Info, every variant accepted, the page's source the code that
// runs, parameters that round-trip.
package experiments

import (
	"concurrencylab/experiments/deadlock"
	"concurrencylab/experiments/failures"
	"concurrencylab/experiments/locked"
	"concurrencylab/experiments/pipeline"
	"concurrencylab/experiments/pixels"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/experiments/pool"
	"concurrencylab/experiments/primes"
	"concurrencylab/experiments/race"
	"concurrencylab/lab"
)

// Options carry what some experiments need from the server.
type Options struct {
	// Clips is the video clip library the pixels experiment counts in.
	Clips *clips.Library
	// Cores is the CPUs a run has to itself (a runner slot's), which
	// experiments offer as their default number of workers.
	Cores int
}

// All returns every experiment, in the order the catalog shows them.
func All(o Options) []lab.Experiment {
	px := pixels.New(o.Clips)
	px.Cores = o.Cores
	return []lab.Experiment{
		race.Experiment{},
		locked.Experiment{},
		primes.New(o.Cores),
		pipeline.Experiment{Cores: o.Cores},
		px,
		failures.Experiment{},
		deadlock.New(),
		pool.Experiment{},
	}
}
