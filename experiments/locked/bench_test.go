package locked

import (
	"context"
	"fmt"
	"testing"

	"concurrencylab/lab"
)

// BenchmarkLocked runs one trial per iteration, as the lab does, for each
// variant at two sizes, and reports ns per increment and, for every variant
// after mutex, its cost as a multiple of mutex's in the same run:
//
//	go test -run '^$' -bench . ./experiments/locked
func BenchmarkLocked(b *testing.B) {
	for _, size := range []struct{ goroutines, increments int }{{5, 100_000}, {8, 1_000_000}} {
		b.Run(fmt.Sprintf("%dx%d", size.goroutines, size.increments), func(b *testing.B) {
			p := params(b, fmt.Sprintf("goroutines=%d&increments=%d", size.goroutines, size.increments))
			total := float64(size.goroutines * size.increments)
			var mutexNs float64
			for _, v := range variants {
				b.Run(v.Name, func(b *testing.B) {
					if !synchronized(v.Name) && lab.RaceEnabled {
						b.Skip("the unsynchronized counter refuses to run under -race")
					}
					var elapsed float64
					for b.Loop() {
						tr, err := Experiment{}.Trial(context.Background(), v.Name, p, lab.Discard)
						if err != nil {
							b.Fatal(err)
						}
						elapsed += float64(tr.Elapsed.Nanoseconds())
					}
					ns := elapsed / float64(b.N) / total
					b.ReportMetric(ns, "ns/increment")
					if v.Name == "mutex" {
						mutexNs = ns
					} else if mutexNs > 0 {
						b.ReportMetric(ns/mutexNs, "x-mutex")
					}
				})
			}
		})
	}
}
