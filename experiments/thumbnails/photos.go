package thumbnails

import (
	"bytes"
	"context"
	"crypto/sha256"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"runtime"

	"golang.org/x/sync/errgroup"
)

// A photoSet is a run's photos, JPEG-encoded once, with the reference
// thumbnails' hashes and the bytes a trial must count, all computed
// before any trial, outside the timing.
type photoSet struct {
	width, n int
	jpegs    [][]byte
	hashes   [][len(Sizes)][sha256.Size]byte // image i's thumbnails, by size
	first    [len(Sizes)]*image.RGBA         // the thumbnails of the first image
	bytes    int64                           // downloaded plus thumbnail bytes, all images
}

// photos returns the n photos width pixels wide, made once per process
// (a trial's photos are the run's: only their number and width change
// them).
func (e *Experiment) photos(ctx context.Context, width, n int) (*photoSet, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.set; s != nil && s.width == width && s.n >= n {
		return s.prefix(n), nil
	}
	e.set = nil // the old set's memory may go first
	s := &photoSet{width: width, n: n, jpegs: make([][]byte, n), hashes: make([][len(Sizes)][sha256.Size]byte, n)}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, drawPhoto(width, width*9/16, i), &jpeg.Options{Quality: 85}); err != nil {
				return err
			}
			s.jpegs[i] = buf.Bytes()
			thumbs, err := resize(s.jpegs[i])
			if err != nil {
				return err
			}
			for k, t := range thumbs {
				s.hashes[i][k] = sha256.Sum256(t.Pix)
			}
			if i == 0 {
				copy(s.first[:], thumbs)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	e.set = s
	return s.prefix(n), nil
}

// prefix returns the set's first n photos, with their byte count.
func (s *photoSet) prefix(n int) *photoSet {
	p := *s
	p.n, p.jpegs, p.hashes, p.bytes = n, s.jpegs[:n], s.hashes[:n], 0
	for i := range n {
		p.bytes += int64(len(s.jpegs[i])) + thumbBytes(s.width, s.width*9/16)
	}
	return &p
}

// thumbBytes is the bytes of one photo's thumbnails (RGBA, 4 a pixel).
func thumbBytes(w, h int) int64 {
	var n int64
	for _, tw := range Sizes {
		n += int64(tw * thumbHeight(tw, w, h) * 4)
	}
	return n
}

// drawPhoto draws photo i, w × h: a landscape in its own colours (sky,
// sun, hills) with film grain, so that it compresses like a photo, not
// like a flat picture. The same i always gives the same pixels.
func drawPhoto(w, h, i int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(uint64(i), 26))
	hue := rng.Float64()
	sunX, sunY, sunR := rng.Float64()*float64(w), rng.Float64()*float64(h)/3, float64(h)/12
	amp, freq, phase := float64(h)/8, 2+rng.Float64()*4, rng.Float64()*math.Pi*2
	sky, ground := hsv(hue, .45, .95), hsv(math.Mod(hue+.35, 1), .6, .55)
	ridge := make([]float64, w) // the hills' edge in each column
	for x := range ridge {
		ridge[x] = float64(h)*0.6 + amp*math.Sin(float64(x)/float64(w)*freq*math.Pi+phase)
	}
	for y := range h {
		fy := float64(y)
		row := m.Pix[y*m.Stride : y*m.Stride+4*w]
		for x := range w {
			var c [3]float64
			if r := ridge[x]; fy > r {
				shade := 1 - 0.5*(fy-r)/(float64(h)-r+1)
				c = [3]float64{ground[0] * shade, ground[1] * shade, ground[2] * shade}
			} else {
				t := 0.7 + 0.3*fy/r
				c = [3]float64{sky[0] * t, sky[1] * t, sky[2]}
			}
			if dx, dy := float64(x)-sunX, fy-sunY; dx*dx+dy*dy < sunR*sunR {
				c = [3]float64{255, 240, 200}
			}
			grain := float64(rng.Uint32()%25) - 12
			px := row[4*x : 4*x+4 : 4*x+4]
			for k := range 3 {
				px[k] = uint8(max(0, min(255, c[k]+grain)))
			}
			px[3] = 255
		}
	}
	return m
}

// hsv returns the colour of hue h, saturation s and value v as 0..255.
func hsv(h, s, v float64) [3]float64 {
	i, f := math.Floor(h*6), h*6-math.Floor(h*6)
	p, q, t := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	var r, g, b float64
	switch int(i) % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return [3]float64{r * 255, g * 255, b * 255}
}
