// Package testclip writes small video clips whose blue pixels are known by
// construction, for the blue-pixels experiment's tests.
package testclip

import (
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// Size of a generated frame.
const (
	Width  = 64
	Height = 48
)

// A pixel in BGR order.
type bgr struct{ b, g, r byte }

// The colours the frames are painted with: each sits on an edge of the
// rule (B >= 50, G <= 50, R <= 50, all inclusive).
var (
	edgeBlue  = bgr{50, 50, 50} // blue: every bound inclusive
	deepBlue  = bgr{255, 0, 0}  // blue
	paleBlue  = bgr{49, 0, 0}   // not blue: B one below
	greenish  = bgr{200, 51, 0} // not blue: G one above
	reddish   = bgr{200, 0, 51} // not blue: R one above
	dimGround = bgr{49, 50, 50} // not blue
)

// Frame returns frame i's BGR bytes and its blue count, computed here with
// the rule itself, not with OpenCV.
func Frame(i int) ([]byte, int) {
	px := make([]bgr, Width*Height)
	for k := range px {
		px[k] = dimGround
	}
	paint := func(c bgr, x0, y0, w, h int) {
		for y := y0; y < min(y0+h, Height); y++ {
			for x := x0; x < min(x0+w, Width); x++ {
				px[y*Width+x] = c
			}
		}
	}
	switch {
	case i%7 == 3: // a frame with no blue at all
		paint(paleBlue, 0, 0, 20, 20)
	case i%11 == 5: // a frame that is all blue
		paint(deepBlue, 0, 0, Width, Height)
	default:
		paint(edgeBlue, i%13, i%5, 5+i%17, 3+i%9)
		paint(deepBlue, 30+i%7, 20, 4+i%3, 10+i%11)
		paint(greenish, 10, 30+i%5, 12, 6)
		paint(reddish, 40, i%9, 8, 8)
		paint(paleBlue, 50, 40, 6, 4)
	}
	b := make([]byte, 0, 3*len(px))
	n := 0
	for _, p := range px {
		b = append(b, p.b, p.g, p.r)
		if p.b >= 50 && p.g <= 50 && p.r <= 50 {
			n++
		}
	}
	return b, n
}

// Write writes a lossless clip of frames frames (FFV1 in AVI: every frame a
// keyframe) to dir/name and returns each frame's blue count.
func Write(t testing.TB, dir, name string, frames int) []int {
	t.Helper()
	return write(t, filepath.Join(dir, name), "FFV1", frames)
}

// WriteH264 writes an H.264 clip (lossy, with keyframes far apart) to
// dir/name, for seeking tests; its blue counts are not known by
// construction. It reports false if this OpenCV cannot write H.264.
func WriteH264(t testing.TB, dir, name string, frames int) bool {
	t.Helper()
	path := filepath.Join(dir, name)
	vw, err := gocv.VideoWriterFile(path, "avc1", 25, Width, Height, true)
	if err != nil || !vw.IsOpened() {
		if vw != nil {
			vw.Close()
		}
		os.Remove(path)
		return false
	}
	writeFrames(t, vw, frames)
	return true
}

func write(t testing.TB, path, codec string, frames int) []int {
	t.Helper()
	vw, err := gocv.VideoWriterFile(path, codec, 25, Width, Height, true)
	if err != nil {
		t.Fatalf("testclip: %v", err)
	}
	if !vw.IsOpened() {
		vw.Close()
		t.Fatalf("testclip: OpenCV cannot write %s to %s", codec, path)
	}
	return writeFrames(t, vw, frames)
}

func writeFrames(t testing.TB, vw *gocv.VideoWriter, frames int) []int {
	t.Helper()
	defer vw.Close()
	counts := make([]int, frames)
	for i := range frames {
		b, n := Frame(i)
		m, err := gocv.NewMatFromBytes(Height, Width, gocv.MatTypeCV8UC3, b)
		if err != nil {
			t.Fatalf("testclip: %v", err)
		}
		vw.Write(m)
		m.Close()
		counts[i] = n
	}
	return counts
}

// Garbage writes a file that is not a video to dir/name.
func Garbage(t testing.TB, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("RIFF\x10\x00\x00\x00AVI this is not a video at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Sum adds counts.
func Sum(counts []int) int64 {
	var s int64
	for _, c := range counts {
		s += int64(c)
	}
	return s
}
