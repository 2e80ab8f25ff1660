package pipeline

import (
	"context"
	"testing"
)

// BenchmarkVariants runs every variant on the same settings, one after
// another in one benchmark run, and reports each one's throughput and its
// speed against the polling baseline measured just before it (x_polling:
// polling's time per trial over this variant's).
//
//	go test -run '^$' -bench . -benchtime 5x ./experiments/pipeline
func BenchmarkVariants(b *testing.B) {
	settings := []struct{ name, q string }{
		{"slow=double/cpu", "items=1000&slow=double&cost=100us"},
		{"slow=double/io", "items=200&slow=double&cost=100us&cost_kind=io&workers=8"},
		{"slow=none", "items=100000&slow=none"},
	}
	for _, st := range settings {
		b.Run(st.name, func(b *testing.B) {
			p := params(b, st.q)
			items := float64(p.Int("items"))
			nsPerTrial := map[string]float64{}
			for _, v := range variants {
				b.Run(v, func(b *testing.B) {
					for range b.N {
						tr, err := Experiment{}.Trial(context.Background(), v, p, nopEmitter{})
						if err != nil {
							b.Fatal(err)
						}
						if *tr.Got != *tr.Expected {
							b.Fatalf("got %d of %d items", *tr.Got, *tr.Expected)
						}
					}
					ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
					nsPerTrial[v] = ns
					b.ReportMetric(items/ns*1e9, "items/s")
					if base, ok := nsPerTrial["polling"]; ok {
						b.ReportMetric(base/ns, "x_polling")
					}
				})
			}
		})
	}
}
