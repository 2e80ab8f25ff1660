package pixels

import (
	"context"
	"math/rand/v2"
	"testing"

	"gocv.io/x/gocv"

	"concurrencylab/experiments/pixels/clips"
)

// inRangeCount is the rule as one OpenCV call on the whole frame: the
// reference countBlue must agree with.
func inRangeCount(frame gocv.Mat) int {
	mask := gocv.NewMat()
	defer mask.Close()
	gocv.InRangeWithScalar(frame, gocv.NewScalar(50, 0, 0, 0), gocv.NewScalar(255, 50, 50, 0), &mask)
	return gocv.CountNonZero(mask)
}

// ruleCount is the rule in plain Go, byte by byte.
func ruleCount(px []byte) int {
	n := 0
	for i := 0; i+2 < len(px); i += 3 {
		if px[i] >= 50 && px[i+1] <= 50 && px[i+2] <= 50 {
			n++
		}
	}
	return n
}

// Every combination of channel values at and around the bounds, and random
// bytes, counted three ways.
func TestCountBlueAgreesWithTheRule(t *testing.T) {
	start := matCount()
	edges := []byte{0, 1, 49, 50, 51, 128, 254, 255}
	var px []byte
	for _, b := range edges {
		for _, g := range edges {
			for _, r := range edges {
				px = append(px, b, g, r)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for len(px) < 3*64*64 {
		px = append(px, byte(rng.IntN(256)), byte(rng.IntN(101)), byte(rng.IntN(101)))
	}
	frame, err := gocv.NewMatFromBytes(64, 64, gocv.MatTypeCV8UC3, px)
	if err != nil {
		t.Fatal(err)
	}
	defer frame.Close()
	mask := gocv.NewMat()
	defer mask.Close()
	want := ruleCount(px)
	if want < 100 || want > 64*64/2 {
		t.Fatalf("the test frame has %d blue pixels: too few or too many to tell anything", want)
	}
	if got := countBlue(frame, &mask); got != want {
		t.Errorf("countBlue: got %d, want %d", got, want)
	}
	if got := inRangeCount(frame); got != want {
		t.Errorf("InRange: got %d, want %d", got, want)
	}
	frame.Close()
	mask.Close()
	checkMats(t, start)
}

// On every frame of every sample clip, countBlue and InRange on the whole
// frame agree.
func TestCountBlueAgreesWithInRangeOnSamples(t *testing.T) {
	lib := sampleLibrary(t)
	start := matCount()
	mask := gocv.NewMat()
	for _, name := range clips.Samples() {
		pr, err := lib.Probe(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		vc, err := openClip(pr.Path)
		if err != nil {
			t.Fatal(err)
		}
		frame := gocv.NewMat()
		blue, frames := 0, 0
		for ; vc.Read(&frame); frames++ {
			got, want := countBlue(frame, &mask), inRangeCount(frame)
			if got != want {
				t.Errorf("%s frame %d: countBlue %d, InRange %d", name, frames, got, want)
			}
			blue += got
		}
		frame.Close()
		vc.Close()
		if frames != pr.Frames || blue == 0 {
			t.Errorf("%s: %d frames, %d blue pixels; want %d frames and some blue", name, frames, blue, pr.Frames)
		}
	}
	mask.Close()
	checkMats(t, start)
}
