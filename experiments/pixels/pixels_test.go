package pixels

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/experiments/internal/testclip"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testFrames is the length of the generated clip: OpenCV's writer puts a
// keyframe every 12 frames, so parallel-decode has boundaries to choose.
const testFrames = 100

// fixture is a library holding a generated clip, test.avi, whose blue
// pixels are known by construction, and a file that is not a video.
type fixture struct {
	lib   *clips.Library
	exp   *Experiment
	path  string
	truth []int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	truth := testclip.Write(t, dir, "test.avi", testFrames)
	testclip.Garbage(t, dir, "broken.avi")
	lib, err := clips.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{lib: lib, exp: New(lib), path: filepath.Join(dir, "test.avi"), truth: truth}
}

// checkMats fails the test if gocv Mats were left open since start (only
// in a build with -tags matprofile).
func checkMats(t *testing.T, start int) {
	t.Helper()
	if start < 0 {
		return
	}
	if got := matCount(); got != start {
		t.Errorf("got %d open Mats, want %d", got, start)
	}
}

// recording is an Emitter that keeps what it is told.
type recording struct {
	mu       sync.Mutex
	spans    int
	lanes    map[int]bool
	progress [2]int64
	samples  map[string]int
	logs     []string
}

func newRecording() *recording {
	return &recording{lanes: map[int]bool{}, samples: map[string]int{}}
}

func (r *recording) Progress(done, total int64, unit string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = [2]int64{done, total}
}

func (r *recording) Sample(series string, value float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples[series]++
}

func (r *recording) Span(worker int, start, end time.Time, label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans++
	r.lanes[worker] = true
}

func (r *recording) Log(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, text)
}

// variantFunc runs one variant on path.
type variantFunc func(ctx context.Context, path string, rec *recorder) error

func variants(segs []segment, workers int, latency time.Duration) map[string]variantFunc {
	return map[string]variantFunc{
		DecodeOnly: func(ctx context.Context, path string, rec *recorder) error {
			rec.decodeOnly = true
			return decodeOnly(ctx, path, rec)
		},
		Sequential: func(ctx context.Context, path string, rec *recorder) error {
			return countSequential(ctx, path, latency, rec)
		},
		GoroutinePerFrame: func(ctx context.Context, path string, rec *recorder) error {
			return countGoroutinePerFrame(ctx, path, latency, rec)
		},
		WorkerPool: func(ctx context.Context, path string, rec *recorder) error {
			return countWorkerPool(ctx, path, workers, latency, rec)
		},
		Errgroup: func(ctx context.Context, path string, rec *recorder) error {
			return countErrgroup(ctx, path, workers, latency, rec)
		},
		ParallelDecode: func(ctx context.Context, path string, rec *recorder) error {
			return countParallelDecode(ctx, path, segs, workers, latency, rec)
		},
	}
}

func TestEveryVariantCountsEveryFrameExactly(t *testing.T) {
	f := newFixture(t)
	pr, err := f.lib.Probe(context.Background(), "test.avi")
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 3, 4, 7} {
		segs := planSegments(testFrames, pr.Keyframes, workers)
		for name, run := range variants(segs, workers, 0) {
			if name == DecodeOnly {
				continue // counts nothing: TestDecodeOnlyReadsEveryFrame
			}
			t.Run(fmt.Sprintf("%s/%d", name, workers), func(t *testing.T) {
				start := matCount()
				em := newRecording()
				rec := newRecorder(em, testFrames, 0, 0)
				if err := run(context.Background(), f.path, rec); err != nil {
					t.Fatal(err)
				}
				rec.finish()
				if !slices.Equal(rec.counts, f.truth) {
					t.Errorf("got per-frame counts %v, want %v", rec.counts, f.truth)
				}
				if got, want := rec.blue(), testclip.Sum(f.truth); got != want {
					t.Errorf("got %d blue pixels, want %d", got, want)
				}
				if rec.done.Load() != testFrames || em.progress != [2]int64{testFrames, testFrames} {
					t.Errorf("got %d frames done, progress %v; want %d", rec.done.Load(), em.progress, testFrames)
				}
				if rec.fellBack.Load() {
					t.Errorf("fell back: %v", em.logs)
				}
				if rec.held.Load() != 0 {
					t.Errorf("got %d frames still held, want 0", rec.held.Load())
				}
				checkMats(t, start)
			})
		}
	}
}

func TestDecodeOnlyReadsEveryFrame(t *testing.T) {
	f := newFixture(t)
	start := matCount()
	rec := newRecorder(lab.Discard, testFrames, 0, 0)
	rec.decodeOnly = true
	if err := decodeOnly(context.Background(), f.path, rec); err != nil {
		t.Fatal(err)
	}
	if got := rec.done.Load(); got != testFrames {
		t.Errorf("got %d frames, want %d", got, testFrames)
	}
	checkMats(t, start)
}

func TestPlanSegments(t *testing.T) {
	every12 := []int{0, 12, 24, 36, 48, 60, 72, 84, 96}
	vtest := []int{0, 250, 500, 750}
	tests := []struct {
		name      string
		n         int
		keyframes []int
		cores     int
		want      []segment
	}{
		{"one core", 100, every12, 1, []segment{{0, -1}}},
		// The second decoder starts 20 frames after keyframe 36: 12 frames
		// more for it to decode (44 + 0.6*20 = 56) than for the first.
		{"two", 100, every12, 2, []segment{{0, 56}, {56, -1}}},
		// Two segments cost 461 reads at best ([0,461), and 334 + 0.6*211
		// after seeking from keyframe 250); three on two cores should end
		// after about (795 + 0.6*(29+40)) / 2 = 418.
		{"vtest on two cores", 795, vtest, 2, []segment{{0, 279}, {279, 540}, {540, -1}}},
		{"vtest on three cores", 795, vtest, 3, []segment{{0, 279}, {279, 540}, {540, -1}}},
		// One group of pictures: the second decoder decodes 215 frames to
		// reach its 85 (85 + 0.6*215 = 214), still sooner than one
		// decoder's 300.
		{"one group of pictures", 300, []int{0}, 2, []segment{{0, 215}, {215, -1}}},
		{"one frame", 1, []int{0}, 2, []segment{{0, -1}}},
		{"no frames", 0, []int{0}, 2, []segment{{0, -1}}},
		{"no keyframes known", 100, nil, 2, []segment{{0, 50}, {50, -1}}},
		{"too short", 20, nil, 4, []segment{{0, -1}}},
		{"too short with keyframes", 20, every12, 4, []segment{{0, -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := planSegments(tt.n, tt.keyframes, tt.cores); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// On random clips, plans cover every frame once, in at most twice as many
// segments as cores (and one per seekPreroll frames), and never cost more
// than cutting `cores` segments just after keyframes, or evenly.
func TestPlanSegmentsCoverAndBeatSimplePlans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		n := 1 + rng.IntN(2000)
		keyframes := []int{0}
		for kf := rng.IntN(300) + 1; kf < n; kf += rng.IntN(300) + 1 {
			keyframes = append(keyframes, kf)
		}
		cores := 1 + rng.IntN(8)
		segs := planSegments(n, keyframes, cores)
		next := 0
		for j, s := range segs {
			end := s.end
			if j == len(segs)-1 {
				if end != -1 {
					t.Fatalf("n=%d %v: the last segment ends at %d, want -1", n, segs, end)
				}
				end = n
			}
			if s.start != next || end <= s.start {
				t.Fatalf("n=%d keyframes %v cores %d: bad segments %v", n, keyframes, cores, segs)
			}
			next = end
		}
		if len(segs) > max(1, min(2*cores, n/seekPreroll)) {
			t.Fatalf("%d segments for %d cores", len(segs), cores)
		}
		got := planTime(segs, n, keyframes, cores)
		for _, simple := range [][]segment{evenSegments(n, min(cores, max(1, n/seekPreroll))), afterKeyframes(n, keyframes, cores)} {
			if want := planTime(simple, n, keyframes, cores); got > want+1 {
				t.Fatalf("n=%d keyframes %v cores %d: plan %v costs %.1f, more than %v at %.1f", n, keyframes, cores, segs, got, simple, want)
			}
		}
	}
}

// afterKeyframes cuts at most k segments, each starting seekPreroll frames
// after a keyframe: the obvious plan.
func afterKeyframes(n int, keyframes []int, k int) []segment {
	segs := []segment{{0, -1}}
	for _, kf := range keyframes[1:] {
		s := kf + seekPreroll
		if len(segs) == k || s > n-seekPreroll {
			break
		}
		segs[len(segs)-1].end = s
		segs = append(segs, segment{s, -1})
	}
	return segs
}

// Segments that do not meet must be caught, and the counts still be right.
func TestParallelDecodeFallsBackWhenSegmentsDoNotMeet(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		segs []segment
		why  string
	}{
		{"gap", []segment{{0, 40}, {52, -1}}, "landed on another frame"},
		{"overlap", []segment{{0, 60}, {52, -1}}, "landed on another frame"},
		{"past the end", []segment{{0, 52}, {52, 90}, {150, -1}}, "segment 1 ended at frame 100, before 90"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := matCount()
			em := newRecording()
			rec := newRecorder(em, testFrames, 0, 0)
			if err := countParallelDecode(context.Background(), f.path, tt.segs, 2, 0, rec); err != nil {
				t.Fatal(err)
			}
			if !rec.fellBack.Load() {
				t.Fatal("did not fall back, want a fallback")
			}
			if len(em.logs) != 1 || !strings.Contains(em.logs[0], "counting again with one decoder") {
				t.Errorf("got logs %q, want one saying it counts again with one decoder", em.logs)
			}
			if !slices.Equal(rec.counts, f.truth) || rec.done.Load() != testFrames {
				t.Errorf("got per-frame counts %v (%d frames), want %v", rec.counts, rec.done.Load(), f.truth)
			}
			checkMats(t, start)
		})
	}
}

func TestCheckProofs(t *testing.T) {
	segs := []segment{{0, 10}, {10, -1}}
	good := []proof{{landed: 0, first: 1, next: 7, frames: 10}, {landed: 10, first: 7, frames: 5}}
	if err := checkProofs(segs, good); err != nil {
		t.Errorf("got %v, want none", err)
	}
	tests := []struct {
		name   string
		change func(p []proof)
		want   string
	}{
		{"landed elsewhere", func(p []proof) { p[1].landed = 11 }, "seeking to frame 10 landed on frame 11"},
		{"another frame", func(p []proof) { p[1].first = 8 }, "seeking to frame 10 landed on another frame"},
		{"short segment", func(p []proof) { p[0].frames = 9 }, "segment 0 ended at frame 9, before 10"},
		{"empty segment", func(p []proof) { p[1].frames = 0 }, "landed on another frame"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := slices.Clone(good)
			tt.change(p)
			if err := checkProofs(segs, p); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// Every variant stops soon after a cancel, with every goroutine and Mat
// released, and every variant fails cleanly on a clip that does not open.
func TestCancelAndFailureReleaseEverything(t *testing.T) {
	f := newFixture(t)
	pr, _ := f.lib.Probe(context.Background(), "test.avi")
	segs := planSegments(testFrames, pr.Keyframes, 2)
	for name, run := range variants(segs, 2, 2*time.Millisecond) {
		t.Run(name+"/cancelled", func(t *testing.T) {
			start := matCount()
			ctx, cancel := context.WithCancel(context.Background())
			n := new(atomic.Int64)
			n.Store(10)
			rec := newRecorder(cancelAfter{lab.Discard, n, cancel}, testFrames, 0, 0)
			done := make(chan error, 1)
			go func() { done <- run(ctx, f.path, rec) }()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("got error %v, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("still running 10s after a cancel")
			}
			if n := rec.done.Load(); n >= testFrames {
				t.Errorf("counted all %d frames, want it stopped early", n)
			}
			checkMats(t, start)
		})
		for _, bad := range []string{"broken.avi", "missing.avi"} {
			t.Run(name+"/"+bad, func(t *testing.T) {
				start := matCount()
				rec := newRecorder(lab.Discard, testFrames, 0, 0)
				err := run(context.Background(), filepath.Join(f.lib.Dir(), bad), rec)
				if err == nil || !strings.Contains(err.Error(), "OpenCV could not open the clip") {
					t.Errorf("got error %v, want one saying OpenCV could not open the clip", err)
				}
				checkMats(t, start)
			})
		}
	}
}

// cancelAfter cancels at its n-th span: a frame read or counted.
type cancelAfter struct {
	lab.Emitter
	n      *atomic.Int64
	cancel context.CancelFunc
}

func (c cancelAfter) Span(worker int, start, end time.Time, label string) {
	if c.n.Add(-1) == 0 {
		c.cancel()
	}
}

func TestGoroutinePerFrameStopsBeforeMemoryRunsOut(t *testing.T) {
	f := newFixture(t)
	start := matCount()
	ctx, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	rec := newRecorder(lab.Discard, testFrames, maxHeldBytes/2, 0) // a third frame held is too many
	rec.stop = stop
	err := countGoroutinePerFrame(ctx, f.path, 5*time.Millisecond, rec)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got error %v, want the trial stopped", err)
	}
	if cause := context.Cause(ctx); cause == nil || !strings.Contains(cause.Error(), "were waiting to be counted at once") {
		t.Errorf("got cause %v, want one about frames waiting", cause)
	}
	checkMats(t, start)
}

// Decoders are opened from many goroutines at once (parallel-decode, and
// the web layer's pictures during a run): that must be safe for good files
// and bad ones alike.
func TestConcurrentOpens(t *testing.T) {
	f := newFixture(t)
	start := matCount()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 15 {
				name := []string{"test.avi", "broken.avi", "missing.avi"}[(g+k)%3]
				vc, err := openClip(filepath.Join(f.lib.Dir(), name))
				if (err == nil) != (name == "test.avi") {
					t.Errorf("open %s: got error %v", name, err)
				}
				if err == nil {
					vc.Close()
				}
			}
		}()
	}
	wg.Wait()
	checkMats(t, start)
}
