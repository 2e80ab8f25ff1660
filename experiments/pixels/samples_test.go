package pixels

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"concurrencylab/experiments/internal/testclip"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab"
)

// sampleLibrary returns a library seeded with opencv-doc's samples, or
// skips the test where they are not installed.
func sampleLibrary(t testing.TB) *clips.Library {
	t.Helper()
	if _, err := os.Stat(filepath.Join(clips.SampleDir, "vtest.avi")); err != nil {
		t.Fatal("opencv-doc's sample videos are not installed: make setup installs them")
	}
	lib, err := clips.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Seed(clips.SampleDir, clips.Samples()...); err != nil {
		t.Fatal(err)
	}
	return lib
}

// Parallel decoding must give the very per-frame counts of the sequential
// loop on the real samples, whose segments start after seeks.
func TestParallelDecodeMatchesSequentialOnSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes every sample several times")
	}
	lib := sampleLibrary(t)
	for _, name := range clips.Samples() {
		pr, err := lib.Probe(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		truth := New(lib)
		want, err := truth.truth(context.Background(), pr, lab.Discard)
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/%d", name, workers), func(t *testing.T) {
				start := matCount()
				segs := planSegments(pr.Frames, pr.Keyframes, workers)
				em := newRecording()
				rec := newRecorder(em, pr.Frames, 0, 0)
				if err := countParallelDecode(context.Background(), pr.Path, segs, workers, 0, rec); err != nil {
					t.Fatal(err)
				}
				if rec.fellBack.Load() {
					t.Errorf("fell back with segments %v: %v", segs, em.logs)
				}
				if !slices.Equal(rec.counts, want) {
					t.Errorf("per-frame counts differ from the sequential loop's in %d frames", wrongFrames(rec.counts, want))
				}
				checkMats(t, start)
			})
		}
	}
}

// In an H.264 clip seeking may or may not be exact; either way the counts
// must match the sequential loop's, frame by frame.
func TestParallelDecodeOnH264(t *testing.T) {
	dir := t.TempDir()
	if !testclip.WriteH264(t, dir, "h264.mp4", 120) {
		t.Fatal("this OpenCV cannot write H.264 (Debian's libopencv-dev can)")
	}
	lib, err := clips.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := lib.Probe(context.Background(), "h264.mp4")
	if err != nil {
		t.Fatal(err)
	}
	want, err := New(lib).truth(context.Background(), pr, lab.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, segs := range [][]segment{
		planSegments(pr.Frames, pr.Keyframes, 2),
		planSegments(pr.Frames, nil, 3), // even split: seeks land between keyframes
	} {
		t.Run(fmt.Sprint(segs), func(t *testing.T) {
			start := matCount()
			em := newRecording()
			rec := newRecorder(em, pr.Frames, 0, 0)
			if err := countParallelDecode(context.Background(), pr.Path, segs, 2, 0, rec); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rec.counts, want) {
				t.Errorf("per-frame counts differ from the sequential loop's in %d frames (fell back: %v)", wrongFrames(rec.counts, want), rec.fellBack.Load())
			}
			t.Logf("keyframes %v, segments %v, fell back %v %v", pr.Keyframes, segs, rec.fellBack.Load(), em.logs)
			checkMats(t, start)
		})
	}
}
