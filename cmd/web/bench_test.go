//go:build !race

package main

import (
	"context"
	"testing"
	"time"

	"concurrencylab/experiments/race"
	"concurrencylab/lab"
)

// BenchmarkLabOverhead measures what the lab costs the race experiment. Each
// iteration times 10 direct calls of the unsynchronized trial, then one run
// of the same 10 trials through the real server (scheduler, emitter, SQLite,
// one websocket watcher), interleaved so both see the same machine. It
// reports the median trial time each way, their ratio (the distortion a
// learner would see in the table) and the whole run's wall time per trial.
//
//	go test -run '^$' -bench LabOverhead -benchtime 20x ./cmd/web
func BenchmarkLabOverhead(b *testing.B) {
	base, stop := startServer(b, b.TempDir())
	defer stop()
	const query = "goroutines=5&increments=100000&repeat=10&variants=unsynchronized"
	info := race.Experiment{}.Info()
	p, err := lab.ParseMap(info, map[string]string{"goroutines": "5", "increments": "100000"})
	if err != nil {
		b.Fatal(err)
	}
	var direct, inLab, wall []float64
	b.ResetTimer()
	for range b.N {
		var ms []float64
		for range 10 {
			t0 := time.Now()
			if _, err := (race.Experiment{}).Trial(context.Background(), "unsynchronized", p, lab.Discard); err != nil {
				b.Fatal(err)
			}
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		}
		direct = append(direct, lab.Median(ms))

		t0 := time.Now()
		medianMs, err := runThroughLab(b, base, query)
		if err != nil {
			b.Fatal(err)
		}
		wall = append(wall, float64(time.Since(t0).Microseconds())/1000/10)
		inLab = append(inLab, medianMs)
	}
	b.StopTimer()
	d, l, w := lab.Median(direct), lab.Median(inLab), lab.Median(wall)
	b.ReportMetric(d, "direct-ms/trial")
	b.ReportMetric(l, "lab-ms/trial")
	b.ReportMetric(l/d, "lab/direct")
	b.ReportMetric(w, "wall-ms/trial")
	b.ReportMetric(w/d, "wall/direct")
}
