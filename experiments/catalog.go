// Package experiments is the catalog: every experiment the lab offers.
// Its test (catalog_test.go) holds every experiment to the contract: a
// whole Info, every variant accepted, the page's source the code that
// runs, parameters that round-trip.
//
// Experiments that need no cgo are listed in package pure, which the
// runner program links; the ones that call C (and declare Info.Cgo) are
// added here, which only the server links.
package experiments

import (
	"slices"

	"concurrencylab/experiments/pixels"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/experiments/pure"
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

// All returns every experiment, in the order the catalog shows them: the
// course's first five lessons, pixels the fifth, then the newer ones.
func All(o Options) []lab.Experiment {
	px := pixels.New(o.Clips)
	px.Cores = o.Cores
	return slices.Insert(pure.All(o.Cores), 4, lab.Experiment(px))
}
