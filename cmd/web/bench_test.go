//go:build !race

package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"concurrencylab/experiments/pixels"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/experiments/race"
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/process"
	"concurrencylab/lab/runner"
)

// BenchmarkLabOverhead measures what the lab costs the race experiment, now
// that every run executes in a child process. Each iteration times 10
// direct calls of a trial, then one run of the same 10 trials through the
// real server (scheduler, child process, emitter, SQLite, one websocket
// watcher), interleaved so both see the same machine. It reports the
// median trial time each way and their ratio (the distortion a learner
// would see in the table; the aim is at most 1.02), and the whole run's
// wall time per trial, process start and teardown included. Two
// workloads: the short racy trial of the race lesson, whose time depends
// on how often the goroutines collide, and a longer sequential count,
// which does not.
//
//	go test -run '^$' -bench 'LabOverhead$' -benchtime 20x ./cmd/web
func BenchmarkLabOverhead(b *testing.B) {
	base, stop := startServer(b, b.TempDir())
	defer stop()
	for _, w := range []struct {
		name, variant, goroutines, increments string
	}{
		{"unsynchronized-5x100000", "unsynchronized", "5", "100000"},
		{"sequential-5x2000000", "sequential", "5", "2000000"},
	} {
		b.Run(w.name, func(b *testing.B) {
			query := "goroutines=" + w.goroutines + "&increments=" + w.increments + "&repeat=10&variants=" + w.variant
			p, err := lab.ParseMap(race.Experiment{}.Info(), map[string]string{"goroutines": w.goroutines, "increments": w.increments})
			if err != nil {
				b.Fatal(err)
			}
			var direct, inLab, wall []float64
			for b.Loop() {
				var ms []float64
				for range 10 {
					runtime.GC() // as the lab does before every trial
					t0 := time.Now()
					if _, err := (race.Experiment{}).Trial(context.Background(), w.variant, p, lab.Discard); err != nil {
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
			d, l, wl := lab.Median(direct), lab.Median(inLab), lab.Median(wall)
			b.ReportMetric(d, "direct-ms/trial")
			b.ReportMetric(l, "lab-ms/trial")
			b.ReportMetric(l/d, "lab/direct")
			b.ReportMetric(wl, "wall-ms/trial")
			b.ReportMetric(wl/d, "wall/direct")
		})
	}
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

// BenchmarkRunnerStart measures what starting a run's process costs: a
// trivial race run (one goroutine, one increment, one trial) through the
// runner program and through a cgo program of the lab (this test binary,
// which links OpenCV as bin/web does and serves as a child the same way),
// interleaved. It reports the median whole run each way and their ratio.
//
//	go test -run '^$' -bench RunnerStart -benchtime 50x ./cmd/web
func BenchmarkRunnerStart(b *testing.B) {
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	job := runner.Job{Run: "bench", Experiment: "race",
		Params: map[string]string{"goroutines": "1", "increments": "1", "repeat": "1"}}
	var pure, cgo []float64
	for b.Loop() {
		for _, r := range []struct {
			path string
			ms   *[]float64
		}{{runnerProgram, &pure}, {self, &cgo}} {
			t0 := time.Now()
			job.Start = t0
			if _, err := (&process.Runner{Path: r.path}).Run(context.Background(), job, discardSink{t0}); err != nil {
				b.Fatal(err)
			}
			*r.ms = append(*r.ms, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	p, c := lab.Median(pure), lab.Median(cgo)
	b.ReportMetric(p, "runner-ms/run")
	b.ReportMetric(c, "cgo-ms/run")
	b.ReportMetric(c/p, "cgo/runner")
}

// discardSink drops a run's events.
type discardSink struct{ start time.Time }

func (discardSink) Append(event.Body) bool { return true }
func (s discardSink) Start() time.Time     { return s.start }
