// Package clips serves the pixels experiment's video clip library over
// HTTP under /api/clips: the list, uploads (checked, limited per client)
// and each clip's pictures (poster, a frame, its blue mask). Main mounts
// it with web.With. It imports the library, and so gocv; web does not.
package clips

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"

	library "concurrencylab/experiments/pixels/clips"
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

// A Library is the video clips the pixels experiment counts in
// (pixels.Library: the clip library with the experiment's blue masks). An
// error of a kind (lab/errs) is answered with the kind's status and its
// message; errors from the reader given to Add come back wrapped.
type Library interface {
	// List describes every clip.
	List(ctx context.Context) ([]library.Info, error)
	// Add stores a clip read from r, uploaded as filename; created is false
	// if the library held the same clip already.
	Add(ctx context.Context, r io.Reader, filename string) (info library.Info, created bool, err error)
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

// Server serves a clip library. Make one with New and mount it with
// web.With.
type Server struct {
	log     *slog.Logger
	lib     Library // nil: every route answers 404, no clip library
	uploads *serve.RateLimit
	trusted []netip.Prefix // reverse proxies whose X-Forwarded-For is believed
}

// Options set up a Server; the zero value serves with the defaults.
type Options struct {
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed for the upload limit (as web.TrustedProxies).
	TrustedProxies []netip.Prefix
}

// New returns a Server for lib's clips. With a nil lib every route
// answers 404: this server has no clip library.
func New(log *slog.Logger, lib Library, o Options) *Server {
	return &Server{log: log, lib: lib, trusted: o.TrustedProxies,
		uploads: serve.NewRateLimit("clip uploads", uploadsPerMinute, uploadBurst)}
}

// Routes is every route of the clip library, in one table.
func (s *Server) Routes() []serve.Route {
	rs := []struct {
		pattern string
		handler http.HandlerFunc
	}{
		{"GET /api/clips", s.listClips},
		{"POST /api/clips", s.uploadClip},
		{"GET /api/clips/{name}/poster.png", s.clipPoster},
		{"GET /api/clips/{name}/frame.png", s.clipFrame},
		{"GET /api/clips/{name}/mask.png", s.clipMask},
	}
	out := make([]serve.Route, len(rs))
	for i, r := range rs {
		h := r.handler
		if s.lib == nil {
			h = noClips
		}
		out[i] = serve.Route{Pattern: r.pattern, Handler: h}
	}
	return out
}

// client is the client the upload limit counts r against.
func (s *Server) client(r *http.Request) string { return serve.ClientOf(r, s.trusted) }

// errClipTooLarge is what the upload's reader returns past MaxClipBytes.
var errClipTooLarge = fmt.Errorf("over the %d MiB limit", MaxClipBytes>>20)

// clipError answers an error from the clip library; a busy library
// (503) asks the client to come back after retry.
func (s *Server) clipError(w http.ResponseWriter, op string, err error, retry string) {
	status := serve.StatusOf(err)
	switch {
	case status == http.StatusInternalServerError && errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
	case status == http.StatusInternalServerError:
		s.log.Error("clip library", "op", op, "err", err)
		serve.Error(w, status, "the clip library failed; try again")
	default:
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", retry)
		}
		serve.Error(w, status, err.Error())
	}
}

// noClips answers when the server has no clip library.
func noClips(w http.ResponseWriter, _ *http.Request) {
	serve.Error(w, http.StatusNotFound, "this server has no clip library")
}
