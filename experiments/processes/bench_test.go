package processes

import (
	"testing"
	"time"
)

// BenchmarkStart is what a child costs: starting one that does nothing
// and waiting for it, beside a goroutine doing the same.
//
//	go test -run '^$' -bench 'Start|AtOnce' ./experiments/processes/
func BenchmarkStart(b *testing.B) {
	e := New()
	for _, v := range []string{"one-by-one", "goroutines"} {
		b.Run(v, func(b *testing.B) {
			p := params(b, "children=1&duration=1ms")
			for b.Loop() {
				trial(b, e, v, p)
			}
		})
	}
}

// BenchmarkAllAtOnce reports K children's time all at once over one
// child's, for 8 that wait 200 ms (about 1 on any core count) and 8
// that compute 200 ms (about 8 ÷ cores).
func BenchmarkAllAtOnce(b *testing.B) {
	e := New()
	for _, work := range []string{"wait", "compute"} {
		b.Run(work, func(b *testing.B) {
			p := params(b, "children=8&duration=200ms&work="+work)
			var one, all time.Duration
			for b.Loop() {
				one += trial(b, e, "one-by-one", p).Elapsed / 8
				all += trial(b, e, "all-at-once", p).Elapsed
			}
			b.ReportMetric(float64(all)/float64(one), "×one-child")
		})
	}
}
