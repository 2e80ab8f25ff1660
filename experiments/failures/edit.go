package failures

import (
	"embed"

	"concurrencylab/lab"
)

// editFiles are the harness of a learner's own Run and its package yours,
// the starting file among them.
//
//go:embed edit/main.go edit/yours/*.go
var editFiles embed.FS

// edit lets learners write their own Run: bare to start with, collecting
// the errors to write. The harness keeps every error its tasks really
// returned and counts those Run's error carries.
var edit = &lab.Edit{
	Files: lab.MustSub(editFiles, "edit"),
	Dir:   "experiments/failures/edit",
	Start: "yours.go",
	Func:  lab.Func{Name: "Run", Params: []string{"context.Context", "int", "Task"}, Results: []string{"error"}},
	Expected: func(p lab.Params) int64 {
		fails, _ := failing(p) // checked already
		return int64(len(fails))
	},
}
