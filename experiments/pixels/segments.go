package pixels

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sort"
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
// to the keyframe at or before target-16, decoding forward from there
// without converting the frames to BGR.
const seekPreroll = 16

// grabCost is what decoding a frame without converting it costs, as a
// share of reading one (decoding and converting): about 0.6 on the samples.
const grabCost = 0.6

// planSegments splits n frames into segments, one decoder each, for
// `cores` cores. A segment costs its frames, plus grabCost for each frame
// its decoder decodes on the way from a keyframe to the segment's start.
// It tries from cores to twice as many segments (but no more than one per
// seekPreroll frames), each cut as evenly as those costs allow, and keeps the
// plan that should finish first: when keyframes are far apart, a third
// segment on two cores can end sooner than two segments of unequal
// length. Without keyframes it cuts `cores` equal segments, and seeking
// pays whatever it pays.
func planSegments(n int, keyframes []int, cores int) []segment {
	most := max(1, min(2*cores, n/seekPreroll))
	if keyframes == nil || n < 2 {
		return evenSegments(n, min(cores, most))
	}
	var best []segment
	bestTime := 0.0
	for k := min(cores, most); k <= most; k++ {
		segs := balance(n, keyframes, k)
		// Another segment must win clearly: each costs an open and a seek.
		if t := planTime(segs, n, keyframes, cores); best == nil || t < 0.97*bestTime {
			best, bestTime = segs, t
		}
	}
	return best
}

// seekCost is what a decoder that seeks to frame s decodes on the way,
// counted in reads.
func seekCost(s int, keyframes []int) float64 {
	if s == 0 {
		return 0
	}
	i, _ := slices.BinarySearch(keyframes, s-seekPreroll+1) // the first keyframe after s-16
	from := 0
	if i > 0 {
		from = keyframes[i-1]
	}
	return grabCost * float64(s-from)
}

// balance cuts n frames into at most k segments whose costliest costs as
// little as possible. It finds the least cost limit at which segments,
// each as long as the limit allows, cover the clip. Cutting each as late
// as possible is best: where a segment may end under the limit,
// start + limit - seekCost(start), never moves back as start moves on
// (seeking costs 0.6 a frame more within a group of pictures, and drops
// after the next keyframe).
func balance(n int, keyframes []int, k int) []segment {
	cut := func(limit int) []segment {
		var segs []segment
		for start := 0; start < n; {
			end := start + limit - int(math.Ceil(seekCost(start, keyframes)))
			if len(segs) == k || end <= start {
				return nil
			}
			segs = append(segs, segment{start, min(end, n)})
			start = end
		}
		return segs
	}
	segs := cut(sort.Search(n, func(limit int) bool { return cut(limit) != nil }))
	segs[len(segs)-1].end = -1
	return segs
}

// planTime is when segs of n frames should end on `cores` cores, counted
// in reads: their costliest segment, or all their work shared by the cores.
func planTime(segs []segment, n int, keyframes []int, cores int) float64 {
	var longest, total float64
	for _, s := range segs {
		end := s.end
		if end < 0 {
			end = n
		}
		cost := float64(end-s.start) + seekCost(s.start, keyframes)
		longest, total = max(longest, cost), total+cost
	}
	return max(longest, total/float64(cores))
}

// evenSegments cuts n frames into k equal segments (one for n < k).
func evenSegments(n, k int) []segment {
	k = max(1, min(k, n))
	segs := make([]segment, k)
	for j := range segs {
		segs[j] = segment{j * n / k, (j + 1) * n / k}
	}
	segs[k-1].end = -1
	return segs
}

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
