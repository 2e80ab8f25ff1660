package process

import (
	"context"
	"testing"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/runner"
)

// BenchmarkProcessStart measures what a child process costs a run: each
// iteration runs the same one-trial job (a trial of no work) through the
// process runner and in this process, interleaved, and reports the median
// of each and their difference, the start and teardown of a child.
//
//	go test -run '^$' -bench ProcessStart -benchtime 50x ./lab/process
func BenchmarkProcessStart(b *testing.B) {
	exe := runner.NewInProcess(testExperiments())
	r := &Runner{Path: selfPath(b)}
	j := job("report", map[string]string{"ms": "0"})
	var child, inProcess []float64
	for b.Loop() {
		for _, run := range []struct {
			runner interface {
				Run(context.Context, runner.Job, runner.Sink) (runner.Report, error)
			}
			ms *[]float64
		}{{r, &child}, {exe, &inProcess}} {
			t0 := time.Now()
			if _, err := run.runner.Run(context.Background(), j, &sink{start: t0}); err != nil {
				b.Fatal(err)
			}
			*run.ms = append(*run.ms, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	c, p := lab.Median(child), lab.Median(inProcess)
	b.ReportMetric(c, "child-ms/run")
	b.ReportMetric(p, "in-process-ms/run")
	b.ReportMetric(c-p, "start+teardown-ms/run")
}
