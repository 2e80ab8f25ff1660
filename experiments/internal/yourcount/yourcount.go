// Package yourcount lets learners write their own counting variant, for
// race and locked: a Count that makes goroutines increment the lab's
// counter, judged by the count the lab's counter really holds.
package yourcount

import (
	"embed"
	"io/fs"
	"math"
	"time"

	"concurrencylab/lab"
)

//go:embed prog/main.go prog/yours/*.go
var files embed.FS

// Edit is the lab.Edit of race and locked.
var Edit = &lab.Edit{
	Files:    must(fs.Sub(files, "prog")),
	Dir:      "experiments/internal/yourcount/prog",
	Start:    "yours.go",
	Func:     lab.Func{Name: "Count", Params: []string{"Counter", "int", "int"}},
	Expected: total,
	Extra: func(p lab.Params, got int64, elapsed time.Duration) map[string]any {
		return map[string]any{
			"lost":             total(p) - got,
			"ns_per_increment": math.Round(float64(elapsed.Nanoseconds())/float64(total(p))*1000) / 1000,
		}
	},
}

// total is the count a correct Count reaches.
func total(p lab.Params) int64 { return int64(p.Int("goroutines")) * int64(p.Int("increments")) }

func must(f fs.FS, err error) fs.FS {
	if err != nil {
		panic(err)
	}
	return f
}
