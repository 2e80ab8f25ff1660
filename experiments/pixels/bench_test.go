package pixels

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
)

// benchVariants are the variants the benchmarks time, with the core count
// as workers.
func benchVariants() []string {
	w := runtime.NumCPU()
	return []string{
		DecodeOnly, Sequential, GoroutinePerFrame,
		fmt.Sprintf("%s/%d", WorkerPool, w), Errgroup, ParallelDecode,
	}
}

// BenchmarkClips times every variant on each sample clip, round-robin in
// one benchmark so that the machine's noise falls on all of them alike,
// and reports each variant's median ms and its ratio to decode-only's
// (x_decode: below 1 is faster than one decoder can go).
//
//	go test -run '^$' -bench . -benchtime 3x ./experiments/pixels
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
			times := map[string][]time.Duration{}
			b.ResetTimer()
			for range b.N {
				for _, v := range benchVariants() {
					runtime.GC()
					tr, err := exp.Trial(context.Background(), v, p, lab.Discard)
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
			for _, v := range benchVariants() {
				m := median(times[v])
				short := strings.SplitN(v, "/", 2)[0]
				b.ReportMetric(float64(m.Microseconds())/1000, short+"_ms")
				if v != DecodeOnly {
					b.ReportMetric(m.Seconds()/decode.Seconds(), short+"_x_decode")
				}
				line = append(line, fmt.Sprintf("%s %.0fms (%.2fx)", v, float64(m.Microseconds())/1000, m.Seconds()/decode.Seconds()))
			}
			b.Log(strings.Join(line, ", "))
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
