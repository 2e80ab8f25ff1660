package pixels

import (
	"context"
	"fmt"
	"hash/maphash"
	"time"

	"gocv.io/x/gocv"
)

// A segment is the frames [start, end) one decoder of parallel-decode
// reads. The last segment has end -1: it reads to the end of the clip.
type segment struct{ start, end int }

// A proof is what a segment's decoder saw at its edges.
type proof struct {
	landed int    // the frame the decoder said it was at after seeking
	first  uint64 // hash of the segment's first frame
	next   uint64 // hash of the frame after the segment's end, read but not counted
	frames int    // frames read inside the segment
}

// seekPreroll is how far before its target OpenCV's FFmpeg reader seeks:
// to the keyframe at or before target-16, decoding forward from there. A
// segment that starts 16 frames after a keyframe costs 16 wasted decodes;
// one that starts just after a keyframe would cost a whole group of
// pictures.
const seekPreroll = 16

// planSegments splits n frames into at most k segments. With keyframes
// known, each segment starts seekPreroll frames after a keyframe (not the
// first: a decoder seeking there would decode the frames before it again)
// within half a segment of an even split; without, the split is even and
// seeking decodes from whatever keyframe comes before.
func planSegments(n int, keyframes []int, k int) []segment {
	var starts []int
	for j := 1; j < k; j++ {
		ideal := j * n / k
		best := ideal
		if keyframes != nil {
			best = -1
			for _, kf := range keyframes {
				s := kf + seekPreroll
				if kf > 0 && s < n && abs(s-ideal) <= n/(2*k) && (best < 0 || abs(s-ideal) < abs(best-ideal)) {
					best = s
				}
			}
		}
		prev := 0
		if len(starts) > 0 {
			prev = starts[len(starts)-1]
		}
		if best-prev >= seekPreroll && n-best >= seekPreroll {
			starts = append(starts, best)
		}
	}
	segs := make([]segment, 0, len(starts)+1)
	prev := 0
	for _, s := range starts {
		segs = append(segs, segment{prev, s})
		prev = s
	}
	return append(segs, segment{prev, -1})
}

func abs(x int) int { return max(x, -x) }

// decodeSegment decodes the frames of seg with its own decoder. It counts
// each frame itself, unless another goroutine is idle: then it hands the
// frame over and decodes the next. It records in pr where the decoder
// really started and the frame after the segment's end.
func decodeSegment(ctx context.Context, path string, w int, seg segment, help chan<- frame,
	mask *gocv.Mat, latency time.Duration, pr *proof, rec *recorder) error {
	vc, err := openClip(path)
	if err != nil {
		return err
	}
	defer vc.Close()
	free := make(chan *gocv.Mat, maxLent+1) // the Mats this decoder owns
	for range cap(free) {
		m := gocv.NewMat()
		defer m.Close() // after every Mat came home: see the loop at the end
		free <- &m
	}
	if seg.start > 0 {
		vc.Set(gocv.VideoCapturePosFrames, float64(seg.start))
	}
	pr.landed = int(vc.Get(gocv.VideoCapturePosFrames))
	m := <-free
	for i := seg.start; ctx.Err() == nil; i++ {
		began := time.Now()
		ok := vc.Read(m)
		if !ok || i == seg.end {
			if ok {
				pr.next = frameHash(*m) // the next segment's first frame
			}
			break
		}
		if i == seg.start {
			pr.first = frameHash(*m)
		}
		pr.frames++
		rec.read(w, i, began)
		select {
		case help <- frame{i, m, free}:
			m = <-free // lent out: decode the next frame into another Mat
		default:
			began := time.Now()
			rec.counted(w, i, countFrame(*m, mask, latency), began)
			// Keep m: the same Mat, still in this core's cache, takes the next frame.
		}
	}
	free <- m
	for range cap(free) {
		<-free // wait for frames lent out to come home before closing them
	}
	return nil
}

// maxLent bounds the frames one decoder has out with other goroutines.
const maxLent = 3

// checkProofs says whether the segments met exactly: each decoder landed
// where its segment starts, each segment before the last read all its
// frames, and the frame after each segment is the next segment's first.
func checkProofs(segs []segment, proofs []proof) error {
	for s := 1; s < len(segs); s++ {
		prev, cur := proofs[s-1], proofs[s]
		switch {
		case prev.frames != segs[s-1].end-segs[s-1].start:
			return fmt.Errorf("segment %d ended at frame %d, before %d", s-1, segs[s-1].start+prev.frames, segs[s-1].end)
		case cur.landed != segs[s].start:
			return fmt.Errorf("seeking to frame %d landed on frame %d", segs[s].start, cur.landed)
		case cur.frames == 0 || prev.next != cur.first:
			return fmt.Errorf("seeking to frame %d landed on another frame", segs[s].start)
		}
	}
	return nil
}

// hashSeed keys frameHash; any seed works, as hashes are compared only
// within one process.
var hashSeed = maphash.MakeSeed()

// frameHash fingerprints a frame's pixels, read in place.
func frameHash(m gocv.Mat) uint64 {
	b, err := m.DataPtrUint8()
	if err != nil {
		b = m.ToBytes()
	}
	return maphash.Bytes(hashSeed, b)
}
