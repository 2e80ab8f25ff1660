package thumbnails

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"golang.org/x/image/draw"
)

// Sizes are the thumbnails' widths, in pixels; each keeps the photo's
// aspect ratio.
var Sizes = [3]int{200, 64, 32}

// thumbHeight is the height of a thumbnail tw wide of a w × h photo.
func thumbHeight(tw, w, h int) int { return max(1, (tw*h+w/2)/w) }

// download fetches photo i from the run's server: I/O, a goroutine
// waiting costs no core.
func (t *Work) download(i int) ([]byte, error) {
	req, err := http.NewRequestWithContext(t.ctx, "GET", fmt.Sprintf("%s/photo/%d", t.URL, i), nil)
	if err != nil {
		return nil, err
	}
	defer t.track.begin(download)()
	resp, err := t.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("photo %d: %s", i, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	t.Total.Add(i, int64(len(b)))
	return b, err
}

// resizeOne decodes photo i and makes its thumbnails: CPU work, a core
// busy all along.
func (t *Work) resizeOne(i int, jpg []byte) error {
	defer t.track.begin(resizing)()
	thumbs, err := resize(jpg)
	if err != nil {
		return err
	}
	return t.keep(i, thumbs)
}

// resize decodes a JPEG and scales it to each of Sizes wide. The 200 px
// thumbnail comes from the photo with x/image/draw's BiLinear, whose
// kernel widens with the scale so that every pixel of the photo counts;
// the smaller ones come from it with CatmullRom, sharper, and cheap at
// that size.
func resize(jpg []byte) ([]*image.RGBA, error) {
	src, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	out := make([]*image.RGBA, len(Sizes))
	var from image.Image = src
	for k, tw := range Sizes {
		dst := image.NewRGBA(image.Rect(0, 0, tw, thumbHeight(tw, b.Dx(), b.Dy())))
		scaler := draw.Interpolator(draw.CatmullRom)
		if k == 0 {
			scaler = draw.BiLinear
		}
		scaler.Scale(dst, dst.Bounds(), from, from.Bounds(), draw.Src, nil)
		out[k] = dst
		from = out[0]
	}
	return out, nil
}

// A Total counts the bytes downloaded and the thumbnails' bytes, shared
// by every goroutine of a trial, in one of three ways.
type Total struct {
	Way string // "mutex", "atomic" or "sum"

	mu       sync.Mutex // guards locked
	locked   int64      // the total, under mu
	atomic   atomic.Int64
	perPhoto []int64 // one count per photo, summed at the end: photo i's goroutines never overlap
}

// Add adds n bytes of photo i.
func (c *Total) Add(i int, n int64) {
	switch c.Way {
	case "mutex":
		c.mu.Lock()
		c.locked += n
		c.mu.Unlock()
	case "atomic":
		c.atomic.Add(n)
	default:
		c.perPhoto[i] += n
	}
}

// Sum returns the total, once every goroutine that adds is done.
func (c *Total) Sum() int64 {
	switch c.Way {
	case "mutex":
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.locked
	case "atomic":
		return c.atomic.Load()
	}
	var n int64
	for _, x := range c.perPhoto {
		n += x
	}
	return n
}
