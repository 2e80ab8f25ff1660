package primes

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// benchSpeedup times sequential and variant in every iteration, taking
// turns at going first so neither always meets a warmer or busier machine,
// and reports the ratio of their total times: the speedup in this run.
func benchSpeedup(b *testing.B, raw map[string]string, variant string) {
	p := params(b, raw)
	var seq, other time.Duration
	n := 0
	for b.Loop() {
		order := []string{"sequential", variant}
		if n%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, v := range order {
			tr, err := Experiment{}.Trial(context.Background(), v, p, nopEmitter{})
			if err != nil {
				b.Fatal(err)
			}
			if *tr.Got != *tr.Expected {
				b.Fatalf("%s: got %d, want %d", v, *tr.Got, *tr.Expected)
			}
			if v == "sequential" {
				seq += tr.Elapsed
			} else {
				other += tr.Elapsed
			}
		}
		n++
	}
	b.ReportMetric(float64(seq)/float64(other), "speedup")
	b.ReportMetric(float64(seq.Microseconds())/1000/float64(n), "seq-ms")
	b.ReportMetric(float64(other.Microseconds())/1000/float64(n), "variant-ms")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "cores")
}

// BenchmarkCPU measures each approach's speedup over sequential on the
// default CPU workload: expect worker-pool near the core count, gil near 1.
func BenchmarkCPU(b *testing.B) {
	for _, v := range []string{"worker-pool", "goroutine-per-task", "errgroup", "gil", "gil/16"} {
		b.Run(v, func(b *testing.B) { benchSpeedup(b, nil, v) })
	}
}

// BenchmarkIO measures the speedups on the default I/O workload, 10 tasks
// of 100 ms: expect goroutine-per-task near 10, pools near their workers
// (2 by default on a 2-core machine), and gil as good as the pool.
func BenchmarkIO(b *testing.B) {
	io := map[string]string{"workload": "io"}
	for _, v := range []string{"goroutine-per-task", "worker-pool", "gil", "gil/10"} {
		b.Run(v, func(b *testing.B) { benchSpeedup(b, io, v) })
	}
}
