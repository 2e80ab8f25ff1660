package runner

import (
	"bytes"
	"context"
	"testing"
	"time"

	"concurrencylab/lab"
)

// BenchmarkTrace measures what tracing costs a trial and what reading a
// trace costs: each iteration times the pipeline trial of the tests
// (20,000 items, a few milliseconds) directly and under the execution tracer (TraceTrial, whose reading is
// timed apart), interleaved. It reports the traced trial over the direct
// one, and the reading in milliseconds per MiB of trace.
//
//	go test -run '^$' -bench Trace -benchtime 20x ./lab/runner
func BenchmarkTrace(b *testing.B) {
	trial := func(context.Context, string, lab.Params, lab.Emitter) (lab.Trial, error) {
		return pipeline(20_000), nil
	}
	exp := &fakeExp{info: fakeInfo(), trial: trial}
	var direct, traced, perMiB []float64
	for b.Loop() {
		t0 := time.Now()
		if _, err := trial(context.Background(), "v1", nil, lab.Discard); err != nil {
			b.Fatal(err)
		}
		direct = append(direct, float64(time.Since(t0).Microseconds())/1000)

		t0 = time.Now()
		tr, err := TraceTrial(context.Background(), exp, "v1", nil, t0)
		if err != nil {
			b.Fatal(err)
		}
		traced = append(traced, float64(tr.Elapsed.Microseconds())/1000)
		r0 := time.Now()
		if _, err := Spans(bytes.NewReader(tr.Raw), "v1", t0, t0); err != nil {
			b.Fatal(err)
		}
		read := time.Since(r0)
		perMiB = append(perMiB, float64(read.Microseconds())/1000/(float64(len(tr.Raw))/(1<<20)))
	}
	d, tr := lab.Median(direct), lab.Median(traced)
	b.ReportMetric(d, "direct-ms/trial")
	b.ReportMetric(tr, "traced-ms/trial")
	b.ReportMetric(tr/d, "traced/direct")
	b.ReportMetric(lab.Median(perMiB), "read-ms/MiB")
}
