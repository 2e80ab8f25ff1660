package pixels

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"concurrencylab/lab"
)

// benchVariants are the variants the benchmarks time, with the core count
// as workers.
func benchVariants() []string {
	w := runtime.NumCPU()
	return []string{
		DecodeOnly, Sequential, GoroutinePerFrame,
		WorkerPool + "/1", fmt.Sprintf("%s/%d", WorkerPool, w), fmt.Sprintf("%s/%d", Errgroup, w),
		fmt.Sprintf("%s/%d", ParallelDecode, w), fmt.Sprintf("%s/%d", ParallelDecode, w+1),
	}
}

// BenchmarkClips times every variant on each sample clip, round-robin in
// one benchmark so that the machine's noise falls on all of them alike,
// and reports each variant's median ms and its ratio to decode-only's
// (x_decode: below 1 is faster than one decoder can go), and the best
// variant's ratio (best_x_decode). On a shared machine a few rounds are
// not enough: single runs of the same variant differ by 20%.
//
//	go test -run '^$' -bench Clips -benchtime 15x ./experiments/pixels
func BenchmarkClips(b *testing.B) {
	lib := sampleLibrary(b)
	exp := New(lib)
	names, _ := lib.Names()
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			p, err := lab.ParseMap(exp.Info(), map[string]string{"clip": name, "workers": fmt.Sprint(runtime.NumCPU())})
			if err != nil {
				b.Fatal(err)
			}
			// The first trial counts the clip once for the right answer.
			if _, err := exp.Trial(context.Background(), Sequential, p, lab.Discard); err != nil {
				b.Fatal(err)
			}
			times, cpus := map[string][]time.Duration{}, map[string][]time.Duration{}
			b.ResetTimer()
			for range b.N {
				for _, v := range benchVariants() {
					runtime.GC()
					cpu0 := lab.CPUTime()
					tr, err := exp.Trial(context.Background(), v, p, lab.Discard)
					cpus[v] = append(cpus[v], lab.CPUTime()-cpu0)
					if err != nil {
						b.Fatal(err)
					}
					if tr.Got != nil && *tr.Got != *tr.Expected {
						b.Fatalf("%s counted %d, want %d", v, *tr.Got, *tr.Expected)
					}
					times[v] = append(times[v], tr.Elapsed)
				}
			}
			b.StopTimer()
			decode := median(times[DecodeOnly])
			var line []string
			best := ""
			for _, v := range benchVariants() {
				m := median(times[v])
				if v != DecodeOnly && (best == "" || m < median(times[best])) {
					best = v
				}
				short := strings.ReplaceAll(v, "/", "_")
				b.ReportMetric(float64(m.Microseconds())/1000, short+"_ms")
				if v != DecodeOnly {
					b.ReportMetric(m.Seconds()/decode.Seconds(), short+"_x_decode")
				}
				c := median(cpus[v])
				b.ReportMetric(float64(c.Microseconds())/1000, short+"_cpu_ms")
				line = append(line, fmt.Sprintf("%s %.0fms (%.2fx, cpu %.0fms)", v, float64(m.Microseconds())/1000, m.Seconds()/decode.Seconds(), float64(c.Microseconds())/1000))
			}
			ratio := median(times[best]).Seconds() / decode.Seconds()
			b.ReportMetric(ratio, "best_x_decode")
			b.Logf("%d rounds; best: %s at %.2fx decode-only\n%s", b.N, best, ratio, strings.Join(line, "\n"))
		})
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkVariants times one variant at a time on vtest.avi, for
// profiling (go test -bench Variants/parallel-decode -cpuprofile ...).
func BenchmarkVariants(b *testing.B) {
	lib := sampleLibrary(b)
	exp := New(lib)
	p, err := lab.ParseMap(exp.Info(), map[string]string{"clip": "vtest.avi", "workers": fmt.Sprint(runtime.NumCPU())})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := exp.Trial(context.Background(), Sequential, p, lab.Discard); err != nil {
		b.Fatal(err)
	}
	for _, v := range benchVariants() {
		b.Run(v, func(b *testing.B) {
			for b.Loop() {
				if _, err := exp.Trial(context.Background(), v, p, lab.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCountBlue times the count on vtest.avi's first 32 frames two
// ways in alternation: one InRange over the three-channel frame (the
// baseline), and countBlue's planes. It reports each per frame and their
// ratio (split/inrange: below 1 is faster than the baseline).
//
//	go test -run '^$' -bench CountBlue -benchtime 20x ./experiments/pixels
func BenchmarkCountBlue(b *testing.B) {
	lib := sampleLibrary(b)
	path, err := lib.Path("vtest.avi")
	if err != nil {
		b.Fatal(err)
	}
	vc, err := openClip(path)
	if err != nil {
		b.Fatal(err)
	}
	defer vc.Close()
	var frames []gocv.Mat
	defer func() { closeAll(frames) }()
	for range 32 {
		m := gocv.NewMat()
		frames = append(frames, m)
		if !vc.Read(&m) {
			b.Fatal("vtest.avi has fewer than 32 frames")
		}
	}
	mask := gocv.NewMat()
	defer mask.Close()
	ways := []struct {
		name  string
		count func(gocv.Mat) int
	}{
		{"inrange", func(m gocv.Mat) int { // the same reused mask as countBlue's
			gocv.InRangeWithScalar(m, gocv.NewScalar(50, 0, 0, 0), gocv.NewScalar(255, 50, 50, 0), &mask)
			return gocv.CountNonZero(mask)
		}},
		{"split", func(m gocv.Mat) int { return countBlue(m, &mask) }},
	}
	b.ResetTimer()
	times := make([][]time.Duration, len(ways))
	for range b.N {
		for i, w := range ways {
			start := time.Now()
			for _, f := range frames {
				w.count(f)
			}
			times[i] = append(times[i], time.Since(start)/time.Duration(len(frames)))
		}
	}
	in, split := median(times[0]), median(times[1])
	b.ReportMetric(float64(in.Nanoseconds())/1000, "inrange_us/frame")
	b.ReportMetric(float64(split.Nanoseconds())/1000, "split_us/frame")
	b.ReportMetric(split.Seconds()/in.Seconds(), "split/inrange")
}
