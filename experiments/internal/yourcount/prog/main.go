// The harness of a learner's own counting variant (race, locked): it
// gives the learner's Count the lab's counter, the lesson's unsynchronized
// read-add-write, and reads the count itself afterwards.
package main

import (
	"concurrencylab/experiments/internal/yourcount/prog/yours"
	"concurrencylab/lab/yours/harness"
)

// counter is the lesson's counter. The learner's package cannot reach its
// count, only call Increment: the harness reads what really happened.
type counter struct{ count int64 }

// Increment reads the count, adds one and writes it back; two cores doing
// it at once can lose an update.
//
//go:noinline
func (c *counter) Increment() { c.count++ }

func main() {
	harness.Serve(func(p harness.Params) int64 {
		c := &counter{}
		yours.Count(c, p.Int("goroutines"), p.Int("increments"))
		return c.count
	})
}
