package thumbnails

import (
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"net/http"
	"sync"
	"time"

	"concurrencylab/lab"
)

// Work is one trial: N photos to download from URL and resize, with
// Workers downloads and Cores resizes at once where the variant allows.
type Work struct {
	N, Workers, Cores int
	URL               string
	Client            *http.Client
	Total             *Total // bytes downloaded and thumbnails' bytes

	ctx   context.Context
	em    lab.Emitter
	track *tracker

	mu       sync.Mutex                      // guards hashes, done, first, starts, copyTime, copied and kept
	hashes   [][len(Sizes)][sha256.Size]byte // each photo's thumbnails, hashed
	done     []bool                          // photos whose thumbnails were kept
	first    []*image.RGBA                   // photo 0's thumbnails, as this variant made them
	starts   []time.Duration                 // each child's start (inProcesses)
	copyTime time.Duration                   // time spent copying through the children's pipes
	copied   int64                           // bytes through those pipes, both ways
	kept     int                             // photos done
}

// keep records photo i's thumbnails and counts their bytes.
func (t *Work) keep(i int, thumbs []*image.RGBA) error {
	if len(thumbs) != len(Sizes) {
		return fmt.Errorf("photo %d: got %d thumbnails, want %d", i, len(thumbs), len(Sizes))
	}
	var h [len(Sizes)][sha256.Size]byte
	var n int64
	for k, th := range thumbs {
		h[k] = sha256.Sum256(th.Pix)
		n += int64(len(th.Pix))
	}
	t.Total.Add(i, n)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hashes[i], t.done[i] = h, true
	t.kept++
	t.em.Progress(int64(t.kept), int64(t.N), "photos")
	if i == 0 {
		t.first = thumbs
	}
	return nil
}

// The kinds of work the tracker follows.
const (
	download = iota
	resizing
)

// A tracker follows how many downloads and resizes are under way, and
// adds up the time each kind was under way and the time both were: the
// overlap. It also emits each one as a span, on the first free lane of
// its kind (downloads on lanes from 100).
type tracker struct {
	em lab.Emitter

	mu     sync.Mutex // guards everything below
	active [2]int
	last   time.Time
	busy   [2]time.Duration
	both   time.Duration
	lanes  [2][]bool
}

// begin marks one piece of work of kind under way; the function it
// returns marks its end.
func (tr *tracker) begin(kind int) (end func()) {
	tr.mu.Lock()
	start := tr.change(kind, +1)
	lane := 0
	for lane < len(tr.lanes[kind]) && tr.lanes[kind][lane] {
		lane++
	}
	if lane == len(tr.lanes[kind]) {
		tr.lanes[kind] = append(tr.lanes[kind], false)
	}
	tr.lanes[kind][lane] = true
	tr.mu.Unlock()
	return func() {
		tr.mu.Lock()
		stop := tr.change(kind, -1)
		tr.lanes[kind][lane] = false
		tr.mu.Unlock()
		if kind == download {
			tr.em.Span(100+lane, start, stop, "download")
		} else {
			tr.em.Span(lane, start, stop, "resize")
		}
	}
}

// change adds the time since the last change to the kinds under way,
// then counts one more or one fewer of kind. It returns the time now.
func (tr *tracker) change(kind, delta int) time.Time {
	now := time.Now()
	if !tr.last.IsZero() {
		d := now.Sub(tr.last)
		for k := range tr.active {
			if tr.active[k] > 0 {
				tr.busy[k] += d
			}
		}
		if tr.active[download] > 0 && tr.active[resizing] > 0 {
			tr.both += d
		}
	}
	tr.last = now
	tr.active[kind] += delta
	return now
}

// times returns the time downloads were under way, resizes, and both.
func (tr *tracker) times() (downloads, resizes, both time.Duration) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.busy[download], tr.busy[resizing], tr.both
}
