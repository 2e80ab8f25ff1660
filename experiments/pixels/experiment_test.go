package pixels

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"concurrencylab/experiments/internal/testclip"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab"
)

func (f *fixture) params(t *testing.T, raw map[string]string) lab.Params {
	t.Helper()
	if raw["clip"] == "" {
		raw["clip"] = "test.avi"
	}
	p, err := lab.ParseMap(f.exp.Info(), raw)
	if err != nil {
		t.Fatalf("params %v: %v", raw, err)
	}
	return p
}

func TestParams(t *testing.T) {
	f := newFixture(t)
	outside := filepath.Join(filepath.Dir(f.lib.Dir()), "outside.avi")
	testclip.Write(t, filepath.Dir(f.lib.Dir()), "outside.avi", 2)
	t.Cleanup(func() { os.Remove(outside) })
	info := f.exp.Info()
	if want := []string{"broken.avi", "test.avi"}; !slices.Equal(info.Params[0].Choices, want) {
		t.Errorf("got clip choices %v, want %v", info.Params[0].Choices, want)
	}
	tests := []struct {
		name    string
		raw     map[string]string
		wantErr string
	}{
		{"defaults", map[string]string{"clip": "test.avi"}, ""},
		{"path traversal", map[string]string{"clip": "../outside.avi"}, `clip must be one of broken.avi, test.avi, got "../outside.avi"`},
		{"absolute path", map[string]string{"clip": "/etc/passwd"}, `clip must be one of`},
		{"missing clip", map[string]string{"clip": "vtest.avi"}, `clip must be one of broken.avi, test.avi, got "vtest.avi"`},
		{"workers zero", map[string]string{"workers": "0"}, "workers must be 1..32, got 0"},
		{"workers over", map[string]string{"workers": "33"}, "workers must be 1..32, got 33"},
		{"latency over", map[string]string{"latency": "11ms"}, "latency must be 0s..10ms, got 11ms"},
		{"latency negative", map[string]string{"latency": "-1ms"}, "latency must be 0s..10ms, got -1ms"},
		{"repeat over", map[string]string{"repeat": "21"}, "repeat must be 1..20, got 21"},
		{"unknown variant", map[string]string{"variants": "threads"}, `variants must name variants among decode-only, sequential, goroutine-per-frame, worker-pool, errgroup, parallel-decode, got "threads"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.raw["clip"] == "" {
				tt.raw["clip"] = "test.avi"
			}
			p, err := lab.ParseMap(info, tt.raw)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if p.Int("workers") < 1 || p.Duration("latency") != 0 || p.Bool("sweep") || p.Repeat() != 5 {
					t.Errorf("got defaults %v, want workers >= 1, latency 0, no sweep, repeat 5", p)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want %q", err, tt.wantErr)
			}
		})
	}
	// A clip that vanishes after the form was drawn is caught by Check.
	os.Remove(filepath.Join(f.lib.Dir(), "broken.avi"))
	if _, err := lab.ParseMap(info, map[string]string{"clip": "broken.avi"}); err == nil || err.Error() != `clip must name a clip in the library, got "broken.avi"` {
		t.Errorf("got error %v, want the clip named missing", err)
	}
}

func TestPlan(t *testing.T) {
	f := newFixture(t)
	p := f.params(t, map[string]string{"sweep": "true", "variants": "errgroup"})
	want := []string{"decode-only", "sequential", "worker-pool/1", "worker-pool/2", "worker-pool/4", "worker-pool/8", "worker-pool/16"}
	if got := f.exp.Plan(p); !slices.Equal(got, want) {
		t.Errorf("got plan %v, want %v", got, want)
	}
	p = f.params(t, map[string]string{"variants": "errgroup,sequential"})
	if got, want := f.exp.Plan(p), []string{"sequential", "errgroup"}; !slices.Equal(got, want) {
		t.Errorf("got plan %v, want %v", got, want)
	}
	for _, v := range []string{"worker-pool/0", "worker-pool/33", "worker-pool/x", "worker-pool/", "sequential/2", "decode-only/1", "threads", "threads/2"} {
		if _, _, err := splitVariant(v, 2); err == nil {
			t.Errorf("splitVariant(%q): got no error, want one", v)
		}
	}
}

// Each variant through Trial: exact against the clip's truth, with the
// figures the page shows.
func TestTrials(t *testing.T) {
	f := newFixture(t)
	p := f.params(t, map[string]string{"workers": "3"})
	want := testclip.Sum(f.truth)
	plan := append(f.exp.Plan(p), "worker-pool/4")
	for _, v := range plan {
		t.Run(v, func(t *testing.T) {
			start := matCount()
			em := newRecording()
			tr, err := f.exp.Trial(context.Background(), v, p, em)
			if err != nil {
				t.Fatal(err)
			}
			checkMats(t, start)
			if tr.Elapsed <= 0 {
				t.Errorf("got elapsed %v, want the measured time", tr.Elapsed)
			}
			if tr.Extra["frames"] != int64(testFrames) || tr.Extra["fps"].(float64) <= 0 {
				t.Errorf("got frames %v at %v fps, want %d", tr.Extra["frames"], tr.Extra["fps"], testFrames)
			}
			if limit, _ := tr.Extra["limit_ms"].(float64); tr.CPU <= 0 || limit <= 0 || limit > float64(tr.CPU)/float64(time.Millisecond)+0.1 {
				t.Errorf("got CPU %s and machine limit %v ms, want both above 0 and the limit at most the CPU time", tr.CPU, tr.Extra["limit_ms"])
			}
			if _, ok := tr.Extra["vs_decode"]; !ok {
				t.Error("got no vs_decode, want one (decode-only ran first)")
			}
			if v == DecodeOnly {
				if tr.Extra["vs_decode"] != 1.0 {
					t.Errorf("decode-only: got vs_decode %v, want 1 (its own time)", tr.Extra["vs_decode"])
				}
				if tr.Expected != nil || tr.Got != nil {
					t.Errorf("got expected %v, got %v; want none for decode-only", tr.Expected, tr.Got)
				}
				return
			}
			if *tr.Expected != want || *tr.Got != want || tr.Extra["wrong_frames"] != 0 {
				t.Errorf("got %d of %d (%v wrong frames), want %d", *tr.Got, *tr.Expected, tr.Extra["wrong_frames"], want)
			}
			for _, k := range []string{"peak_frames_held", "peak_held_mb"} {
				if _, ok := tr.Extra[k]; !ok {
					t.Errorf("got no %s", k)
				}
			}
			if em.samples["blue_pixels"] != testFrames {
				t.Errorf("got %d blue_pixels samples, want %d", em.samples["blue_pixels"], testFrames)
			}
			switch v {
			case ParallelDecode:
				// Segments are planned for the cores there are; every worker runs.
				pr, _ := f.lib.Probe(context.Background(), "test.avi")
				segs := len(planSegments(testFrames, pr.Keyframes, min(3, runtime.NumCPU())))
				if tr.Extra["segments"] != segs || tr.Extra["workers"] != max(3, segs) || tr.Extra["fallback"] != 0 {
					t.Errorf("got %v segments, %v workers, fallback %v; want %d, %d, 0", tr.Extra["segments"], tr.Extra["workers"], tr.Extra["fallback"], segs, max(3, segs))
				}
				// Every decoder's lane; a goroutine that only counts draws
				// one only if a decoder happened to hand it a frame.
				for w := range segs {
					if !em.lanes[w] {
						t.Errorf("got lanes %v, want every decoder's, 0..%d", em.lanes, segs-1)
					}
				}
				for w := range em.lanes {
					if w < 0 || w >= max(3, segs) {
						t.Errorf("got lane %d, want lanes below %d (the workers)", w, max(3, segs))
					}
				}
			case "worker-pool/4":
				if tr.Extra["workers"] != 4 || len(em.lanes) != 5 {
					t.Errorf("got %v workers on %d lanes, want 4 on 5 (the reader and 4 counters)", tr.Extra["workers"], len(em.lanes))
				}
			}
		})
	}
}

// Without decode-only in the run, no trial is measured against another
// run's decode-only time.
func TestNoVsDecodeWithoutDecodeOnly(t *testing.T) {
	f := newFixture(t)
	all := f.params(t, map[string]string{})
	if _, err := f.exp.Trial(context.Background(), DecodeOnly, all, lab.Discard); err != nil {
		t.Fatal(err)
	}
	tr, err := f.exp.Trial(context.Background(), Sequential, f.params(t, map[string]string{"variants": "sequential"}), lab.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := tr.Extra["vs_decode"]; ok {
		t.Errorf("got vs_decode %v, want none: decode-only is not in this run", v)
	}
	if tr, err = f.exp.Trial(context.Background(), Sequential, all, lab.Discard); err != nil || tr.Extra["vs_decode"] == nil {
		t.Errorf("got vs_decode %v (%v), want one: decode-only is in this run", tr.Extra["vs_decode"], err)
	}
}

// A run's spans stay within lab's budget however long the run.
func TestSpansFitTheBudget(t *testing.T) {
	f := newFixture(t)
	p := f.params(t, map[string]string{"repeat": "20", "sweep": "true"})
	em := newRecording()
	if _, err := f.exp.Trial(context.Background(), "worker-pool/16", p, em); err != nil {
		t.Fatal(err)
	}
	perTrial := spanBudget / (len(f.exp.Plan(p)) * 20)
	if em.spans > perTrial+17 { // a partial span per lane at most
		t.Errorf("got %d spans, want at most %d", em.spans, perTrial+17)
	}
}

func TestTrialErrors(t *testing.T) {
	f := newFixture(t)
	start := matCount()
	p := f.params(t, map[string]string{"clip": "broken.avi"})
	_, err := f.exp.Trial(context.Background(), Sequential, p, lab.Discard)
	if err == nil || err.Error() != clips.ErrNotVideo {
		t.Errorf("got error %v, want %q", err, clips.ErrNotVideo)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p = f.params(t, map[string]string{})
	if _, err := f.exp.Trial(ctx, WorkerPool, p, lab.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
	checkMats(t, start)
}

func TestMaskMatchesTheCount(t *testing.T) {
	f := newFixture(t)
	start := matCount()
	lib := NewLibrary(f.lib)
	for _, i := range []int{0, 3, 5, 99} {
		b, err := lib.Mask(context.Background(), "test.avi", i)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		white := 0
		r := img.Bounds()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if v, _, _, _ := img.At(x, y).RGBA(); v == 0xffff {
					white++
				}
			}
		}
		if white != f.truth[i] {
			t.Errorf("frame %d: got %d white pixels in the mask, want %d", i, white, f.truth[i])
		}
	}
	if _, err := lib.Mask(context.Background(), "../test.avi", 0); !errors.Is(err, lab.ErrNotFound) {
		t.Errorf("got error %v, want not found", err)
	}
	checkMats(t, start)
}

func TestVerdict(t *testing.T) {
	f := newFixture(t)
	p := f.params(t, map[string]string{})
	yes, no := true, false
	v := func(name string, ms, speedup float64, correct *bool, extra map[string]any) lab.VariantResult {
		var exp *int64
		if name != DecodeOnly {
			exp = lab.Int64(545888)
		}
		return lab.VariantResult{Name: name, MedianMs: ms, Speedup: speedup, Correct: correct, Expected: exp, Extra: extra}
	}
	frames := map[string]any{"frames": 795.0}
	tests := []struct {
		name string
		r    lab.Result
		want []string
	}{
		{"beats the decoder", lab.Result{Variants: []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil, frames), v(Sequential, 800, 1, &yes, frames),
			v(GoroutinePerFrame, 500, 1.6, &yes, map[string]any{"frames": 795.0, "peak_frames_held": 12.0, "peak_held_mb": 15.2}),
			v(ParallelDecode, 350, 2.29, &yes, frames),
		}}, []string{"Every variant counted 545,888 blue pixels in test.avi's 795 frames", "parallel-decode, took 350 ms (0.88× decode-only, 2.29×", "faster than one decoder can go", "held up to 12 decoded frames at once (15 MiB)"}},
		{"near the decoder", lab.Result{Variants: []lab.VariantResult{
			v(DecodeOnly, 400, 2, nil, frames), v(Sequential, 800, 1, &yes, frames), v(WorkerPool, 420, 1.9, &yes, frames),
		}}, []string{"within 10% of decoding alone"}},
		{"wrong", lab.Result{Variants: []lab.VariantResult{
			v(Sequential, 800, 1, &yes, frames), v(WorkerPool, 420, 1.9, &no, frames),
		}}, []string{"worker-pool did not count", "The fastest counter was worker-pool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.exp.details(&tt.r, p, lab.Env{NumCPU: 2})
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q lacks %q", got, w)
				}
			}
		})
	}
}

func TestWithoutLibrary(t *testing.T) {
	e := New(nil)
	info := e.Info()
	if len(info.Params[0].Choices) != 0 {
		t.Errorf("got clip choices %v, want none", info.Params[0].Choices)
	}
	p := lab.Params{"clip": "vtest.avi", "workers": 2, "latency": time.Duration(0), "sweep": false, "variants": []string{Sequential}, "repeat": 1}
	if _, err := e.Trial(context.Background(), Sequential, p, lab.Discard); err == nil || !strings.Contains(err.Error(), "no clip library") {
		t.Errorf("got error %v, want one saying there is no clip library", err)
	}
}
