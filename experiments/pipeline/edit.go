package pipeline

import (
	"embed"
	"math"
	"time"

	"concurrencylab/lab"
)

// editFiles are the harness of a learner's own pipeline and its package
// yours, the starting file among them.
//
//go:embed edit/main.go edit/yours/*.go
var editFiles embed.FS

// edit lets learners write their own Pipeline: one stage to start with,
// the stage that adds one to write. The harness makes the numbers,
// collects the results and counts an item only if both of its stages
// handled it.
var edit = &lab.Edit{
	Files:    lab.MustSub(editFiles, "edit"),
	Dir:      "experiments/pipeline/edit",
	Start:    "yours.go",
	Func:     lab.Func{Name: "Pipeline", Params: []string{"<-chan int", "Stages"}, Results: []string{"<-chan int"}},
	Expected: func(p lab.Params) int64 { return int64(p.Int("items")) },
	Extra: func(p lab.Params, _ int64, elapsed time.Duration) map[string]any {
		return map[string]any{"items_per_s": math.Round(float64(p.Int("items")) / max(elapsed.Seconds(), 1e-9))}
	},
}
