package race

import (
	"context"
	"fmt"
	"maps"
	"time"

	"concurrencylab/experiments/internal/detector"
	"concurrencylab/lab"
)

// detectorParam asks for the race detector's own report on this counter.
var detectorParam = lab.Param{Name: "detector", Label: "Race detector", Kind: lab.KindBool, Default: "false",
	Help: fmt.Sprintf("after each unsynchronized trial, run the same counter (%d goroutines × %d increments) in a separate program built with -race, and show the report Go's race detector prints",
		detector.Goroutines, detector.Increments)}

// detect runs variant's counter under the race detector, in the
// racecounter program, and adds what it reported to extra.
func detect(ctx context.Context, variant string, extra map[string]any, em lab.Emitter) error {
	rep, err := detector.Check(ctx, "race", variant)
	if err != nil {
		return err
	}
	maps.Copy(extra, rep.Extra())
	em.Log(variant + ": " + rep.Summary())
	return nil
}

// Count runs variant once, outside the lab, and returns its count. The
// racecounter program (cmd/racecounter) runs it in a build with -race, so
// the race detector's report names the lines of counter.go the page shows.
func Count(variant string, goroutines, increments int) (int, error) {
	switch variant {
	case "sequential":
		return countSequential(goroutines * increments), nil
	case "unsynchronized":
		return countUnsynchronized(goroutines, increments, func(int, time.Time) {}), nil
	}
	return 0, fmt.Errorf("race: unknown variant %q", variant)
}
