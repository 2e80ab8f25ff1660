package deadlock

import (
	"embed"
	"time"

	"concurrencylab/lab"
)

// editFiles are the harness of a learner's own Transfer and its package
// yours, the starting file among them.
//
//go:embed edit/main.go edit/bank.go edit/yours/*.go
var editFiles embed.FS

// edit lets learners write their own Transfer: the naive lock order to
// start with, the lower id first to write. The harness's tellers call it,
// its bank counts the moves made with both locks held, and a deadlock
// ends the trial with the transfers done before it.
var edit = &lab.Edit{
	Files:    lab.MustSub(editFiles, "edit"),
	Dir:      "experiments/deadlock/edit",
	Start:    "yours.go",
	Func:     lab.Func{Name: "Transfer", Params: []string{"Bank", "Account", "Account", "int"}},
	Expected: func(p lab.Params) int64 { return int64(p.Int("transfers")) },
	Extra: func(_ lab.Params, got int64, elapsed time.Duration) map[string]any {
		return map[string]any{"transfers_done": got, "transfers_per_s": perSecond(got, elapsed)}
	},
}
