package pixels

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
)

// spanBudget is how many timeline spans one run may send: a trial gets its
// share and batches frames to fit. It is a quarter of lab.MaxSpans, still
// a span per few frames, because every span is a websocket message that
// costs a watching browser about 0.1 ms of CPU: 18,000 spans took 10% of
// a core from a run on the same machine; 4,500 take a quarter of that.
const spanBudget = lab.MaxSpans / 4 * 9 / 10

// maxTrialSpans bounds one trial's spans however few trials a run has:
// about one per 3 pixels of a trial drawn across the timeline. More would
// not show, and each costs a watching browser.
const maxTrialSpans = 300

// maxHeldBytes bounds the decoded frames a trial may hold at once (only
// goroutine-per-frame comes near it): beyond it the trial stops, rather
// than the server running out of memory.
const maxHeldBytes = 512 << 20

// A recorder is what the variants report to: per-frame counts, and the
// live progress, samples and timeline spans of the page. Its methods are
// safe for concurrent use; counts[i] is written only by the goroutine that
// counted frame i.
type recorder struct {
	em         lab.Emitter
	counts     []int // blue pixels per frame
	total      int64 // frames expected
	decodeOnly bool  // a frame read is a frame done
	laneGroups bool  // goroutine-per-frame: lanes are groups of frames
	batch      int   // frames per timeline span
	frameBytes int64
	stop       context.CancelCauseFunc // stops the trial when frames held exceed maxHeldBytes

	done     atomic.Int64 // frames counted (or read, for decode-only)
	held     atomic.Int64 // frames decoded and not yet counted
	peakHeld atomic.Int64
	extra    atomic.Int64 // frames beyond the expected ones
	fellBack atomic.Bool

	mu    sync.Mutex   // guards lanes
	lanes map[int]*run // per timeline lane, frames not yet sent as a span
}

// A run is consecutive work of one lane, sent as one span.
type run struct {
	start, end time.Time
	lo, hi, n  int // frames lo..hi, n of them
	labels     string
}

func newRecorder(em lab.Emitter, frames int, frameBytes int64, spansPerTrial int) *recorder {
	batch := 1
	if spansPerTrial > 0 {
		batch = max(1, (2*frames+spansPerTrial-1)/spansPerTrial) // a frame is read, then counted
	}
	return &recorder{
		em: em, counts: make([]int, frames), total: int64(frames),
		batch: batch, frameBytes: frameBytes, lanes: make(map[int]*run),
	}
}

// read records that lane decoded frame i, starting at began.
func (r *recorder) read(lane, i int, began time.Time) {
	end := time.Now()
	if r.decodeOnly {
		r.em.Progress(r.done.Add(1), r.total, "frames")
	} else {
		h := r.held.Add(1)
		for p := r.peakHeld.Load(); h > p && !r.peakHeld.CompareAndSwap(p, h); p = r.peakHeld.Load() {
		}
		if h*r.frameBytes > maxHeldBytes && r.stop != nil {
			r.stop(fmt.Errorf("%d decoded frames (%d MB) were waiting to be counted at once, over the %d MB this server allows: stopped. That pile-up is the memory cost of starting work faster than it finishes",
				h, h*r.frameBytes>>20, maxHeldBytes>>20))
		}
	}
	r.span(lane, i, began, end, "decode")
}

// counted records that lane counted blue pixels in frame i, starting at began.
func (r *recorder) counted(lane, i, blue int, began time.Time) {
	end := time.Now()
	if i < len(r.counts) {
		r.counts[i] = blue
	} else {
		r.extra.Add(1)
	}
	held := r.held.Add(-1)
	r.em.Progress(r.done.Add(1), r.total, "frames")
	r.em.Sample("blue_pixels", float64(blue))
	r.em.Sample("frames_held", float64(held))
	if r.laneGroups && lane > 0 {
		lane = 1 + (lane-1)/r.batch
	}
	r.span(lane, i, began, end, "count")
}

// span adds work to lane's current run, sending the run as one span when
// it holds a batch of frames.
func (r *recorder) span(lane, i int, start, end time.Time, label string) {
	r.mu.Lock()
	cur := r.lanes[lane]
	if cur == nil {
		cur = &run{start: start, lo: i, hi: i, labels: label}
		r.lanes[lane] = cur
	} else if label != cur.labels {
		cur.labels = "decode+count"
	}
	cur.end = end
	cur.lo, cur.hi = min(cur.lo, i), max(cur.hi, i)
	cur.n++
	var send *run
	if cur.n >= r.batch {
		send = cur
		delete(r.lanes, lane)
	}
	r.mu.Unlock()
	if send != nil {
		r.sendSpan(lane, send)
	}
}

func (r *recorder) sendSpan(lane int, s *run) {
	label := fmt.Sprintf("%s frame %d", s.labels, s.lo)
	if s.hi != s.lo {
		label = fmt.Sprintf("%s frames %d–%d", s.labels, s.lo, s.hi)
	}
	r.em.Span(lane, s.start, s.end, label)
}

// finish sends the runs not yet sent, and the final progress (counters
// report out of order, so the last one to call Progress may not have the
// highest count).
func (r *recorder) finish() {
	r.em.Progress(r.done.Load(), r.total, "frames")
	r.mu.Lock()
	lanes := r.lanes
	r.lanes = make(map[int]*run)
	r.mu.Unlock()
	for lane, s := range lanes {
		r.sendSpan(lane, s)
	}
}

// fallBack says why a variant starts over another way, and forgets what it
// counted so far. Call it with no goroutine counting.
func (r *recorder) fallBack(why string) {
	r.fellBack.Store(true)
	r.em.Log(why)
	clear(r.counts)
	r.done.Store(0)
	r.held.Store(0)
	r.extra.Store(0)
}

// blue returns the total of the per-frame counts.
func (r *recorder) blue() int64 {
	var s int64
	for _, n := range r.counts {
		s += int64(n)
	}
	return s
}
