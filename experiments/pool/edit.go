package pool

import (
	"embed"

	"concurrencylab/lab"
)

// editFiles are the harness of a learner's own Serve and its package
// yours, the starting file among them.
//
//go:embed edit/main.go edit/yours/*.go
var editFiles embed.FS

// edit lets learners write their own Serve: a goroutine per request with
// no bound to start with, the bound to write. The harness's database
// refuses a connection past its limit and records every request a query
// answered.
var edit = &lab.Edit{
	Files:    lab.MustSub(editFiles, "edit"),
	Dir:      "experiments/pool/edit",
	Start:    "yours.go",
	Func:     lab.Func{Name: "Serve", Params: []string{"Database", "int", "int"}},
	Expected: func(p lab.Params) int64 { return int64(p.Int("requests")) },
}
