package thumbnails

import (
	"testing"
	"time"
)

// BenchmarkPipelineOverTwoPhase runs two-phase and the pipeline in turn
// on the 24 photos with 100 ms of latency and reports their
// times' ratio: above 1 where the overlap pays. A benchmark, not a test:
// the ratio depends on the machine and its load.
//
//	go test -run '^$' -bench PipelineOverTwoPhase -benchtime 6x ./experiments/thumbnails/
func BenchmarkPipelineOverTwoPhase(b *testing.B) {
	e := New()
	p := params(b, "images=24&latency=100ms")
	trial(b, e, "pipeline", p) // the photos, made once, outside the timing
	var two, pipe time.Duration
	for b.Loop() {
		two += trial(b, e, "two-phase", p).Elapsed
		pipe += trial(b, e, "pipeline", p).Elapsed
	}
	b.ReportMetric(float64(two)/float64(pipe), "two-phase/pipeline")
	b.ReportMetric(float64(pipe.Milliseconds())/float64(b.N), "pipeline-ms")
}
