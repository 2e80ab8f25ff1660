// Package experiments is the catalog: every experiment the lab offers.
package experiments

import (
	"concurrencylab/experiments/locked"
	"concurrencylab/experiments/pipeline"
	"concurrencylab/experiments/pixels"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/experiments/primes"
	"concurrencylab/experiments/race"
	"concurrencylab/lab"
)

// Options carry what some experiments need from the server.
type Options struct {
	// Clips is the video clip library the pixels experiment counts in.
	Clips *clips.Library
}

// All returns every experiment, in the order the catalog shows them.
func All(o Options) []lab.Experiment {
	return []lab.Experiment{
		race.Experiment{},
		locked.Experiment{},
		primes.Experiment{},
		pipeline.Experiment{},
		pixels.New(o.Clips),
	}
}
