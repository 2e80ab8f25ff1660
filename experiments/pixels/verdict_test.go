package pixels

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concurrencylab/experiments/internal/testclip"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab"
)

// verdictOf runs Verdict on variants, marking the baseline as lab does.
func verdictOf(t *testing.T, baseline string, vs ...lab.VariantResult) string {
	t.Helper()
	for i := range vs {
		vs[i].Baseline = vs[i].Name == baseline
	}
	p := lab.Params{"clip": "test.avi"}
	return (&Experiment{}).details(&lab.Result{Variants: vs}, p, lab.Env{NumCPU: 2})
}

func TestVerdictExplainsBeatingTheDecoder(t *testing.T) {
	yes := true
	v := func(name string, ms, speedup float64, extra map[string]any) lab.VariantResult {
		r := lab.VariantResult{Name: name, MedianMs: ms, Speedup: speedup, Extra: extra}
		if name != DecodeOnly {
			r.Correct, r.Expected = &yes, lab.Int64(545888)
		}
		return r
	}
	tests := []struct {
		name     string
		baseline string
		vs       []lab.VariantResult
		want     []string
		dont     []string
	}{
		{"parallel decode beats it", Sequential, []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil), v(Sequential, 800, 1, nil),
			v(ParallelDecode, 350, 2.29, map[string]any{"fallback": 0.0, "segments": 4.0}),
		}, []string{"faster than one decoder can go, because 4 decoders shared 2 cores", "2.29× sequential's speed"}, []string{"noise"}},
		{"one decoder wins by noise", Sequential, []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil), v(Sequential, 800, 1, nil), v(WorkerPool, 396, 2.02, nil),
		}, []string{"worker-pool, took 396 ms", "within noise of decoding alone (0.99× its time)"}, []string{"decoders shared"}},
		{"parallel decode slower than decoding alone", Sequential, []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil), v(Sequential, 800, 1, nil),
			v(ParallelDecode, 440, 1.82, map[string]any{"fallback": 0.0, "segments": 3.0}),
		}, []string{"(1.10× decode-only, 1.82× sequential's speed), no faster than one decoder alone, although 3 decoders shared 2 cores"},
			[]string{"counting can only hide behind decoding", "within 10%"}},
		{"one decoder far ahead of decoding alone", Sequential, []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil), v(Sequential, 800, 1, nil), v(WorkerPool, 300, 2.67, nil),
		}, []string{"(0.75× decode-only, 2.67× sequential's speed), faster than decoding alone, which a single decoder cannot really be", "run it again"},
			[]string{"noise", "decoders shared"}},
		{"parallel decode fell back", Sequential, []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil), v(Sequential, 800, 1, nil),
			v(ParallelDecode, 392, 2.04, map[string]any{"fallback": 1.0, "segments": 4.0}),
		}, []string{"within noise of decoding alone (0.98× its time)"}, []string{"decoders shared"}},
		{"parallel decode with one segment", Sequential, []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil), v(Sequential, 800, 1, nil),
			v(ParallelDecode, 392, 2.04, map[string]any{"fallback": 0.0, "segments": 1.0}),
		}, []string{"within noise of decoding alone"}, []string{"decoders shared"}},
		{"no sequential: the first variant is the baseline", WorkerPool, []lab.VariantResult{
			v(WorkerPool, 500, 1, nil), v(Errgroup, 250, 2, nil),
		}, []string{"The fastest counter was errgroup: 250 ms, 2.00× worker-pool's speed.", "exactly as the sequential loop did when run once, untimed"},
			[]string{"sequential loop's speed", "sequential's speed"}},
		{"no sequential, decode-only first", DecodeOnly, []lab.VariantResult{
			v(DecodeOnly, 400, 1, nil), v(Errgroup, 450, 0.89, nil),
		}, []string{"errgroup, took 450 ms (1.12× decode-only)"}, []string{"sequential loop's speed", "sequential's speed", "decode-only's speed"}},
		{"the fastest is the baseline", Sequential, []lab.VariantResult{
			v(Sequential, 300, 1, nil), v(WorkerPool, 400, 0.75, nil),
		}, []string{"The fastest counter was sequential: 300 ms, sequential is the baseline."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := verdictOf(t, tt.baseline, tt.vs...)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q lacks %q", got, w)
				}
			}
			for _, d := range tt.dont {
				if strings.Contains(got, d) {
					t.Errorf("verdict %q says %q", got, d)
				}
			}
		})
	}
}

// TestVerdictDecodersOnTheRunsCores checks that parallel-decode's decoders
// are said to share the cores the run had (the CPUs it was pinned to, as
// many as its cores parameter), not its runner slot's.
func TestVerdictDecodersOnTheRunsCores(t *testing.T) {
	yes := true
	v := func(name string, ms, speedup float64, extra map[string]any) lab.VariantResult {
		r := lab.VariantResult{Name: name, Baseline: name == Sequential, MedianMs: ms, Speedup: speedup, Extra: extra}
		if name != DecodeOnly {
			r.Correct, r.Expected = &yes, lab.Int64(545888)
		}
		return r
	}
	tests := []struct {
		name string
		env  lab.Env
		vs   []lab.VariantResult
		want string
		dont []string
	}{
		{"cores=2 of a 4-core slot", lab.Env{NumCPU: 4, GOMAXPROCS: 2, CPUs: []int{0, 1}, Pinned: true, InFlight: 2}, []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil), v(Sequential, 800, 1, nil),
			v(ParallelDecode, 250, 3.2, map[string]any{"fallback": 0.0, "segments": 4.0}),
		}, "faster than one decoder can go, because 4 decoders shared 2 cores", []string{"4 cores", "shared the machine"}},
		{"cores=1 of a 2-core slot", lab.Env{NumCPU: 2, GOMAXPROCS: 1, CPUs: []int{0}, Pinned: true}, []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil), v(Sequential, 800, 1, nil),
			v(ParallelDecode, 440, 1.82, map[string]any{"fallback": 0.0, "segments": 2.0}),
		}, "no faster than one decoder alone, although 2 decoders shared 1 core: they compete with each other for the run's cores, and for the memory bus and caches with anything else this machine runs",
			[]string{"2 cores", "compete for the cores and the memory"}},
		{"unpinned: the run's GOMAXPROCS", lab.Env{NumCPU: 4, GOMAXPROCS: 3}, []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil), v(Sequential, 800, 1, nil),
			v(ParallelDecode, 250, 3.2, map[string]any{"fallback": 0.0, "segments": 3.0}),
		}, "because 3 decoders shared 3 cores", []string{"4 cores"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := (&Experiment{}).details(&lab.Result{Variants: tt.vs}, lab.Params{"clip": "test.avi"}, tt.env)
			if !strings.Contains(got, tt.want) {
				t.Errorf("got verdict %q, want it to contain %q", got, tt.want)
			}
			for _, d := range tt.dont {
				if strings.Contains(got, d) {
					t.Errorf("got verdict %q, want it without %q", got, d)
				}
			}
		})
	}
}

func TestVerdictMachineLimit(t *testing.T) {
	env := lab.Env{NumCPU: 2, GOMAXPROCS: 2}
	tests := []struct {
		name string
		v    lab.VariantResult
		want string
	}{
		{"at the limit", lab.VariantResult{Name: "parallel-decode", MedianMs: 410, CPUMs: 780, Extra: map[string]any{"limit_ms": 390.0}},
			"All of parallel-decode's CPU work (780 ms of CPU time) spread over 2 cores could not take less than 390 ms; it took 410 ms: it ran at the machine's limit."},
		{"above it", lab.VariantResult{Name: "sequential", MedianMs: 800, CPUMs: 790, Extra: map[string]any{"limit_ms": 395.0}},
			"All of sequential's CPU work (790 ms of CPU time) spread over 2 cores could not take less than 395 ms; it took 800 ms, 2.03× the limit: the cores were not all busy all the time."},
		{"no figure", lab.VariantResult{Name: "sequential", MedianMs: 800}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := machineLimit(tt.v, env); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// An uploaded clip is stored under its content's hash; the verdict names
// it as it was uploaded.
func TestVerdictNamesAnUploadAsUploaded(t *testing.T) {
	src := t.TempDir()
	testclip.Write(t, src, "x.avi", 3)
	data, err := os.ReadFile(filepath.Join(src, "x.avi"))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := clips.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	info, _, err := lib.Add(context.Background(), bytes.NewReader(data), "Holiday in Rome.avi")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	r := &lab.Result{Variants: []lab.VariantResult{{Name: Sequential, Baseline: true, MedianMs: 10, Correct: &yes, Expected: lab.Int64(1)}}}
	got := New(lib).details(r, lab.Params{"clip": info.Name}, lab.Env{NumCPU: 2})
	if !strings.Contains(got, "Holiday in Rome.avi") || strings.Contains(got, info.Name) {
		t.Errorf("got verdict %q, want the clip named Holiday in Rome.avi, not %s", got, info.Name)
	}
}
