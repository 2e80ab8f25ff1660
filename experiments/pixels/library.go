package pixels

import (
	"context"

	"gocv.io/x/gocv"

	"concurrencylab/experiments/pixels/clips"
)

// Library is the clip library as web/clips serves it: the clips
// package's library, plus each frame's blue mask drawn with the very rule
// the variants count with.
type Library struct {
	*clips.Library
}

// NewLibrary returns lib with masks.
func NewLibrary(lib *clips.Library) Library { return Library{lib} }

// Mask returns frame i's blue mask as a PNG: white where a pixel is blue.
func (l Library) Mask(ctx context.Context, name string, i int) ([]byte, error) {
	return l.Picture(ctx, name, "mask", i, RenderMask)
}

// RenderMask draws a frame's blue mask as a PNG, for the library and for
// its decode child (clips.ServeDecode's "mask").
func RenderMask(frame gocv.Mat) ([]byte, error) {
	mask := gocv.NewMat()
	defer mask.Close()
	blueMask(frame, &mask)
	return clips.EncodePNG(mask)
}
