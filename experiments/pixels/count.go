package pixels

import (
	"context"
	"errors"
	"sync"
	"time"

	"gocv.io/x/gocv"
	"golang.org/x/sync/errgroup"
)

// The bounds of a blue pixel, channel by channel: B >= 50, and G <= 50
// and R <= 50, every bound inclusive.
var (
	zero  = gocv.NewScalar(0, 0, 0, 0)
	fifty = gocv.NewScalar(50, 0, 0, 0)
	full  = gocv.NewScalar(255, 0, 0, 0)
)

// blueMask marks the blue pixels of a BGR frame in mask: 255 where a pixel
// is blue, 0 elsewhere. InRange on the whole frame says the same in one
// call, but for three channels OpenCV then combines them pixel by pixel in
// a plain loop. Split into three new planes, every step below is one of
// OpenCV's vectorised loops over bytes, and the whole takes about two
// thirds of the time (BenchmarkCountBlue). The tests check that both
// count the same on every frame of every sample clip.
func blueMask(frame gocv.Mat, mask *gocv.Mat) {
	bgr := gocv.Split(frame) // three planes: B, G and R
	defer closeAll(bgr)
	b, g, r := bgr[0], bgr[1], bgr[2]
	gocv.Max(g, r, &g)                         // G <= 50 and R <= 50 iff max(G, R) <= 50
	gocv.InRangeWithScalar(b, fifty, full, &b) // 255 where B >= 50
	gocv.InRangeWithScalar(g, zero, fifty, &g) // 255 where max(G, R) <= 50
	gocv.BitwiseAnd(b, g, mask)
}

// countBlue counts the blue pixels of one BGR frame. mask belongs to the
// caller, who reuses it frame after frame (the planes are made anew).
func countBlue(frame gocv.Mat, mask *gocv.Mat) int {
	blueMask(frame, mask)
	return gocv.CountNonZero(*mask)
}

func closeAll(ms []gocv.Mat) {
	for _, m := range ms {
		m.Close()
	}
}

// countFrame counts a frame, then waits latency: the simulated I/O each
// frame also needs (the notebook's sleep(0.001)). While one goroutine
// waits, another can count, so this is where more workers than cores pay.
func countFrame(frame gocv.Mat, mask *gocv.Mat, latency time.Duration) int {
	n := countBlue(frame, mask)
	if latency > 0 {
		time.Sleep(latency)
	}
	return n
}

// openClip opens a video file for decoding with OpenCV's FFmpeg reader.
func openClip(path string) (*gocv.VideoCapture, error) {
	vc, err := gocv.VideoCaptureFileWithAPI(path, gocv.VideoCaptureFFmpeg)
	if err != nil {
		vc.Close()
		return nil, errors.New("OpenCV could not open the clip")
	}
	return vc, nil
}

// decodeOnly reads every frame and counts nothing. It is the limit, not a
// contender: a variant that reads the clip through one decoder cannot be
// faster than this, however many goroutines count.
func decodeOnly(ctx context.Context, path string, rec *recorder) error {
	vc, err := openClip(path)
	if err != nil {
		return err
	}
	defer vc.Close()
	frame := gocv.NewMat()
	defer frame.Close()
	for i := 0; ctx.Err() == nil; i++ {
		began := time.Now()
		if !vc.Read(&frame) {
			break
		}
		rec.read(0, i, began)
	}
	return ctx.Err()
}

// countSequential is the notebook's loop, and the baseline: read a frame,
// count it, read the next. One core decodes, then the same core counts,
// while the others idle.
func countSequential(ctx context.Context, path string, latency time.Duration, rec *recorder) error {
	vc, err := openClip(path)
	if err != nil {
		return err
	}
	defer vc.Close()
	frame := gocv.NewMat()
	defer frame.Close()
	mask := gocv.NewMat()
	defer mask.Close()
	for i := 0; ctx.Err() == nil; i++ {
		began := time.Now()
		if !vc.Read(&frame) {
			break
		}
		rec.read(0, i, began)
		began = time.Now()
		rec.counted(0, i, countFrame(frame, &mask, latency), began)
	}
	return ctx.Err()
}

// countGoroutinePerFrame starts one goroutine per frame, like a thread per
// task in Python. A goroutine is cheap to start (a few kilobytes of stack,
// no OS thread), but each one owns its frame, a fresh Mat, until it has
// counted it: whenever counting falls behind decoding, frames pile up, and
// memory grows with the video. The page shows how many were held at once.
func countGoroutinePerFrame(ctx context.Context, path string, latency time.Duration, rec *recorder) error {
	vc, err := openClip(path)
	if err != nil {
		return err
	}
	defer vc.Close()
	var wg sync.WaitGroup
	for i := 0; ctx.Err() == nil; i++ {
		began := time.Now()
		frame := gocv.NewMat() // handed to the goroutine below, which closes it
		if !vc.Read(&frame) {
			frame.Close()
			break
		}
		rec.read(0, i, began)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer frame.Close()
			mask := gocv.NewMat()
			defer mask.Close()
			began := time.Now()
			rec.counted(i+1, i, countFrame(frame, &mask, latency), began)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// A frame is a decoded frame on its way to a counter. mat goes back on
// home once counted, for its owner to fill again.
type frame struct {
	index int
	mat   *gocv.Mat
	home  chan<- *gocv.Mat
}

// countWorkerPool is a queue with a fixed number of workers: one reader
// decodes into a few reusable Mats and sends them down a bounded channel,
// `workers` goroutines count them and send each Mat home for the next
// frame. Memory stays flat however long the clip, the Mats are closed by
// the function that made them, and the reader (one decoder) sets the
// pace: counters beyond what it can feed only wait, unless each frame also
// waits on I/O.
func countWorkerPool(ctx context.Context, path string, workers int, latency time.Duration, rec *recorder) error {
	vc, err := openClip(path)
	if err != nil {
		return err
	}
	defer vc.Close()
	free := make(chan *gocv.Mat, workers+1) // one per counter, one being read
	for range cap(free) {
		m := gocv.NewMat()
		defer m.Close() // after every worker has returned: see wg.Wait below
		free <- &m
	}
	frames := make(chan frame, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mask := gocv.NewMat()
			defer mask.Close()
			for f := range frames {
				began := time.Now()
				rec.counted(w+1, f.index, countFrame(*f.mat, &mask, latency), began)
				f.home <- f.mat
			}
		}()
	}
	for i := 0; ctx.Err() == nil; i++ {
		m := <-free
		began := time.Now()
		if !vc.Read(m) {
			break
		}
		rec.read(0, i, began)
		frames <- frame{i, m, free}
	}
	close(frames)
	wg.Wait()
	return ctx.Err()
}

// countErrgroup is Python's ThreadPoolExecutor in Go: errgroup.Group with
// SetLimit starts a goroutine per frame but never more than `workers` at
// once (Go blocks the reader while the pool is full), and the first error
// would cancel the rest. Like the worker pool, it holds at most workers+1
// frames; unlike it, there is no channel or worker loop to write.
func countErrgroup(ctx context.Context, path string, workers int, latency time.Duration, rec *recorder) error {
	vc, err := openClip(path)
	if err != nil {
		return err
	}
	defer vc.Close()
	type buffers struct {
		slot        int
		frame, mask gocv.Mat
	}
	free := make(chan *buffers, workers+1)
	for slot := range cap(free) {
		b := &buffers{slot: slot, frame: gocv.NewMat(), mask: gocv.NewMat()}
		defer b.frame.Close() // after g.Wait below
		defer b.mask.Close()
		free <- b
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := 0; gctx.Err() == nil; i++ {
		b := <-free
		began := time.Now()
		if !vc.Read(&b.frame) {
			break
		}
		rec.read(0, i, began)
		g.Go(func() error {
			defer func() { free <- b }()
			began := time.Now()
			rec.counted(b.slot+1, i, countFrame(b.frame, &b.mask, latency), began)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// countParallelDecode lifts the limit decode-only shows: a decoder works
// through the frames one after another, one frame at a time. It splits the
// clip into segments and gives each its own decoder
// (its own VideoCapture, seeking to where the segment starts), so several
// cores decode at once. Each decoder counts its own frames, but hands a
// frame to any goroutine that has nothing left to do, so a segment that
// finishes early helps the others. `workers` goroutines run: one per
// segment, the rest only count.
//
// Seeking by frame index is exact for these AVI files but can land a frame
// off in others (H.264 in MP4, say), so every segment proves where it
// started; if one cannot, the run falls back to one decoder and says so.
func countParallelDecode(ctx context.Context, path string, segs []segment, workers int, latency time.Duration, rec *recorder) error {
	help := make(chan frame) // frames a decoder hands to an idle goroutine
	proofs := make([]proof, len(segs))
	errs := make([]error, len(segs))
	var decoding, wg sync.WaitGroup
	decoding.Add(len(segs))
	for w := range max(workers, len(segs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mask := gocv.NewMat()
			defer mask.Close()
			if w < len(segs) {
				errs[w] = decodeSegment(ctx, path, w, segs[w], help, &mask, latency, &proofs[w], rec)
				decoding.Done()
			}
			for f := range help { // then count what the other decoders hand over
				began := time.Now()
				rec.counted(w, f.index, countFrame(*f.mat, &mask, latency), began)
				f.home <- f.mat
			}
		}()
	}
	decoding.Wait()
	close(help)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkProofs(segs, proofs); err != nil {
		rec.fallBack("parallel-decode: " + err.Error() + ": counting again with one decoder")
		return countSequential(ctx, path, latency, rec)
	}
	return nil
}
