// Package experiments is the catalog: every experiment the lab offers.
package experiments

import (
	"concurrencylab/experiments/race"
	"concurrencylab/lab"
)

// All returns every experiment, in the order the catalog shows them.
func All() []lab.Experiment {
	return []lab.Experiment{
		race.Experiment{},
	}
}
