package clips

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"gocv.io/x/gocv"
)

// PosterWidth is the widest a poster frame is.
const PosterWidth = 320

// ReadFrame decodes frame i of the named clip (0 is the first) and calls fn
// with it. The frame is valid only during fn.
func (l *Library) ReadFrame(ctx context.Context, name string, i int, fn func(frame gocv.Mat) error) error {
	p, err := l.Probe(ctx, name)
	if err != nil {
		return err
	}
	if i < 0 || i >= p.Frames {
		return notFound("clip %s has frames 0 to %d, not %d", name, p.Frames-1, i)
	}
	frame := gocv.NewMat()
	defer frame.Close()
	if err := readFrameAt(ctx, p.Path, i, &frame); err != nil {
		return err
	}
	return fn(frame)
}

// readFrameAt reads frame i of the file at path into frame. It seeks, and
// trusts the seek only if the decoder says it landed on i; otherwise it
// decodes from the start.
func readFrameAt(ctx context.Context, path string, i int, frame *gocv.Mat) error {
	vc, err := OpenVideo(path)
	if err != nil {
		return err
	}
	defer func() { // vc may be reopened below
		if vc != nil {
			vc.Close()
		}
	}()
	if i > 0 {
		vc.Set(gocv.VideoCapturePosFrames, float64(i))
		if int(vc.Get(gocv.VideoCapturePosFrames)) != i {
			vc.Close()
			if vc, err = OpenVideo(path); err != nil {
				return err
			}
			for k := 0; k < i; k++ {
				if !vc.Read(frame) {
					return fmt.Errorf("clips: frame %d did not decode", k)
				}
				if k%64 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
	}
	if !vc.Read(frame) || frame.Empty() {
		return fmt.Errorf("clips: frame %d did not decode", i)
	}
	return nil
}

// Frame returns frame i of the named clip as a PNG.
func (l *Library) Frame(ctx context.Context, name string, i int) ([]byte, error) {
	return l.Picture(ctx, name, "frame", i, EncodePNG)
}

// Poster returns the clip's first frame, at most PosterWidth wide, as a PNG.
func (l *Library) Poster(ctx context.Context, name string) ([]byte, error) {
	return l.Picture(ctx, name, "poster", 0, renderPoster)
}

// EncodePNG encodes an image as PNG, in Go memory.
func EncodePNG(img gocv.Mat) ([]byte, error) {
	buf, err := gocv.IMEncode(gocv.PNGFileExt, img)
	if err != nil {
		return nil, fmt.Errorf("clips: encode png: %w", err)
	}
	defer buf.Close()
	png := bytes.Clone(buf.GetBytes())
	if len(png) == 0 {
		return nil, errors.New("clips: encode png: OpenCV returned nothing")
	}
	return png, nil
}
