package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"

	"concurrencylab/web/internal/serve"
)

// MaxClipBytes is the largest clip POST /api/clips accepts: 50 MiB of
// video. Larger uploads get 413 and leave nothing behind.
const MaxClipBytes = 50 << 20

// maxClipForm is the most a clip upload's request may carry: the clip and
// the multipart headers around it.
const maxClipForm = MaxClipBytes + 64<<10

// clipName is what a clip name looks like; the library also looks names up
// only by listing its directory. Anything else is refused before it
// reaches the library.
var clipName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$`)

// ClipInfo describes a clip. It is an alias of an unnamed struct type, so
// that the clip library (in the pixels experiment, which must not import
// web) returns this very type without naming it: keep the two identical.
type ClipInfo = struct {
	Name     string
	Frames   int // frames that really decode, not the container's claim
	Size     int64
	Duration time.Duration
	Width    int
	Height   int
	FPS      float64
}

// A ClipLibrary is the video clips the pixels experiment counts in. An
// error of a kind (lab/errs) is answered with the kind's status and its
// message; errors from the reader given to Add come back wrapped.
type ClipLibrary interface {
	// List describes every clip.
	List(ctx context.Context) ([]ClipInfo, error)
	// Add stores a clip read from r, uploaded as filename; created is false
	// if the library held the same clip already.
	Add(ctx context.Context, r io.Reader, filename string) (info ClipInfo, created bool, err error)
	// Poster returns a small PNG of the clip's first frame.
	Poster(ctx context.Context, name string) ([]byte, error)
	// Frame returns frame i as a PNG.
	Frame(ctx context.Context, name string, i int) ([]byte, error)
	// Mask returns frame i's blue mask as a PNG: white where a pixel is blue.
	Mask(ctx context.Context, name string, i int) ([]byte, error)
}

// Limits on clip uploads (POST /api/clips), besides MaxClipBytes a clip.
// The library (experiments/pixels/clips) keeps at most 200 uploaded clips
// and 2 GiB of them in all (seeded samples do not count), answered 507,
// and decodes one upload at a time, library-wide: another waits up to 30 s,
// then gets 503. Here, each client (clientOf: an IP address, an IPv6 /64)
// may upload at most 10 clips at once, then 1 a minute (10 per 10
// minutes), answered 429.
const (
	uploadsPerMinute = 1
	uploadBurst      = 10
)

// limitedClips is a ClipLibrary with its upload rate limit.
type limitedClips struct {
	ClipLibrary
	uploads *serve.RateLimit
}

// SetClips serves lib's clips under /api/clips. Without it those endpoints
// answer 404. Call it before Handler.
func (s *Server) SetClips(lib ClipLibrary) {
	if lib == nil {
		s.clips = nil
		return
	}
	s.clips = &limitedClips{ClipLibrary: lib, uploads: serve.NewRateLimit("clip uploads", uploadsPerMinute, uploadBurst)}
}

// errClipTooLarge is what the upload's reader returns past MaxClipBytes.
var errClipTooLarge = fmt.Errorf("over the %d MiB limit", MaxClipBytes>>20)

// clipError answers an error from the clip library; a busy library
// (503) asks the client to come back after retry.
func (s *Server) clipError(w http.ResponseWriter, op string, err error, retry string) {
	status := statusOf(err)
	switch {
	case status == http.StatusInternalServerError && errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
	case status == http.StatusInternalServerError:
		s.log.Error("clip library", "op", op, "err", err)
		apiError(w, status, "the clip library failed; try again")
	default:
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", retry)
		}
		apiError(w, status, err.Error())
	}
}

// noClips answers when the server has no clip library.
func noClips(w http.ResponseWriter) {
	apiError(w, http.StatusNotFound, "this server has no clip library")
}
