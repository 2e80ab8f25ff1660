//go:build !race

package main

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"concurrencylab/experiments/pixels"
	"concurrencylab/experiments/pixels/clips"
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
//	go test -run '^$' -bench 'LabOverhead$' -benchtime 20x ./cmd/web
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
		medianMs, err := runThroughLab(b, base, "race", query)
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

// BenchmarkLabOverheadPixels is BenchmarkLabOverhead for the variant most
// sensitive to anything else running: parallel-decode, whose decoders
// want both cores, on vtest.avi. Each iteration times 3 direct trials,
// then a run of 3 through the server with a websocket watcher.
//
//	go test -run '^$' -bench 'LabOverheadPixels$' -benchtime 10x ./cmd/web
func BenchmarkLabOverheadPixels(b *testing.B) {
	dir := b.TempDir()
	base, stop := startServer(b, dir)
	defer stop()
	lib, err := clips.Open(filepath.Join(dir, "clips")) // seeded by the server
	if err != nil {
		b.Fatal(err)
	}
	exp := pixels.New(lib)
	p, err := lab.ParseMap(exp.Info(), map[string]string{"clip": "vtest.avi"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := exp.Trial(context.Background(), pixels.Sequential, p, lab.Discard); err != nil {
		b.Fatal(err) // counts the clip once, for the right answer
	}
	var direct, inLab []float64
	b.ResetTimer()
	for range b.N {
		var ms []float64
		for range 3 {
			runtime.GC()
			tr, err := exp.Trial(context.Background(), pixels.ParallelDecode, p, lab.Discard)
			if err != nil {
				b.Fatal(err)
			}
			ms = append(ms, float64(tr.Elapsed.Microseconds())/1000)
		}
		direct = append(direct, lab.Median(ms))
		medianMs, err := runThroughLab(b, base, "pixels", "clip=vtest.avi&repeat=3&variants=parallel-decode")
		if err != nil {
			b.Fatal(err)
		}
		inLab = append(inLab, medianMs)
	}
	b.StopTimer()
	d, l := lab.Median(direct), lab.Median(inLab)
	b.ReportMetric(d, "direct-ms/trial")
	b.ReportMetric(l, "lab-ms/trial")
	b.ReportMetric(l/d, "lab/direct")
}
