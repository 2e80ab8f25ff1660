package clips

import (
	"context"
	"fmt"
	"math"
	"os"
	"time"

	"gocv.io/x/gocv"
)

// A Probe is what decoding a clip once told: the frames that really decode
// (containers lie: tree.avi claims 444 frames and has 68), the frame size,
// and where the keyframes are.
type Probe struct {
	Info
	// Path is the clip's file.
	Path string
	// Keyframes are the indices of the frames a decoder can start at, in
	// order, or nil when the container's packets do not map one to one onto
	// frames.
	Keyframes []int

	stamp stamp
}

// stamp identifies a version of a file.
type stamp struct {
	size int64
	mod  time.Time
}

// ErrNotVideo is the message for a file OpenCV cannot decode a frame from.
const ErrNotVideo = "not a video: OpenCV could not decode a frame"

// OpenVideo opens a video file with OpenCV's FFmpeg reader, the one the
// lab is measured with. (Letting OpenCV try its other readers in turn also
// tries GStreamer, whose set-up is not safe to run from two goroutines at
// once.) It closes what it opened if it fails.
func OpenVideo(path string) (*gocv.VideoCapture, error) {
	vc, err := gocv.VideoCaptureFileWithAPI(path, gocv.VideoCaptureFFmpeg)
	if err != nil {
		vc.Close()
		return nil, invalid(ErrNotVideo)
	}
	return vc, nil
}

// Probe returns what the named clip holds, decoding it on first use and
// whenever its file changed.
func (l *Library) Probe(ctx context.Context, name string) (Probe, error) {
	path, err := l.Path(name)
	if err != nil {
		return Probe{}, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return Probe{}, fmt.Errorf("clips: %w", err)
	}
	st := stamp{fi.Size(), fi.ModTime()}
	l.mu.Lock()
	p, ok := l.probes[name]
	l.mu.Unlock()
	if ok && p.stamp == st {
		return p, nil
	}
	// Two callers may probe the same clip at once; both get the same answer.
	p, err = l.probe(ctx, path)
	if err != nil {
		return Probe{}, err
	}
	p.Name, p.Size, p.stamp = name, st.size, st
	if after, err := os.Stat(path); err != nil || after.Size() != st.size || !after.ModTime().Equal(st.mod) {
		return Probe{}, errStale
	}
	l.mu.Lock()
	l.probes[name] = p
	l.mu.Unlock()
	return p, nil
}

// probeFile decodes every frame of the file at path.
func probeFile(ctx context.Context, path string) (Probe, error) {
	vc, err := OpenVideo(path)
	if err != nil {
		return Probe{}, err
	}
	defer vc.Close()
	fps := vc.Get(gocv.VideoCaptureFPS)
	frame := gocv.NewMat()
	defer frame.Close()
	p := Probe{Path: path}
	n := 0
	for vc.Read(&frame) && !frame.Empty() {
		if n == 0 {
			if err := checkFrame(frame); err != nil {
				return Probe{}, err
			}
			p.Width, p.Height = frame.Cols(), frame.Rows()
		}
		n++
		if n > MaxFrames {
			return Probe{}, invalid("the clip is too long: over %d frames", MaxFrames)
		}
		if n%64 == 0 && ctx.Err() != nil {
			return Probe{}, ctx.Err()
		}
	}
	if n == 0 {
		return Probe{}, invalid(ErrNotVideo)
	}
	p.Frames = n
	if fps > 0 && fps < 1000 && !math.IsNaN(fps) {
		p.FPS = fps
		p.Duration = time.Duration(float64(n) / fps * float64(time.Second)).Round(time.Millisecond)
	}
	if keys, packets := scanKeyframes(path); packets == n {
		p.Keyframes = keys
	}
	return p, nil
}

// checkFrame refuses frames the experiment cannot count: not 8-bit BGR, or
// too large.
func checkFrame(frame gocv.Mat) error {
	if frame.Type() != gocv.MatTypeCV8UC3 || !frame.IsContinuous() {
		return invalid("the clip's frames are not 8-bit colour: OpenCV decoded %v", frame.Type())
	}
	if w, h := frame.Cols(), frame.Rows(); w*h > MaxFramePixels {
		return invalid("the clip's frames are too large: %dx%d, over %d pixels", w, h, MaxFramePixels)
	}
	return nil
}

// lrfHasKeyFrame is OpenCV's CAP_PROP_LRF_HAS_KEY_FRAME: whether the last
// raw packet read holds a keyframe (FFmpeg back-end, raw mode only).
const lrfHasKeyFrame gocv.VideoCaptureProperties = 67

// scanKeyframes reads the file's packets without decoding them (OpenCV's raw
// mode, a few milliseconds for the samples) and returns the indices of the
// keyframe packets and the number of packets.
func scanKeyframes(path string) (keys []int, packets int) {
	vc, err := OpenVideo(path)
	if err != nil {
		return nil, -1
	}
	defer vc.Close()
	vc.Set(gocv.VideoCaptureFormat, -1) // raw packets, before the first read
	if vc.Get(gocv.VideoCaptureFormat) != -1 {
		return nil, -1
	}
	pkt := gocv.NewMat()
	defer pkt.Close()
	for vc.Read(&pkt) {
		if vc.Get(lrfHasKeyFrame) != 0 {
			keys = append(keys, packets)
		}
		packets++
		if packets > MaxFrames {
			return nil, -1
		}
	}
	return keys, packets
}
