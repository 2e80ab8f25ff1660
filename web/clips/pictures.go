package clips

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/serve"
)

// maxFrameIndex bounds the frame a picture request may ask for.
const maxFrameIndex = 1_000_000

// clipPoster answers GET /api/clips/{name}/poster.png: the first frame,
// small.
func (s *Server) clipPoster(w http.ResponseWriter, r *http.Request) {
	s.clipPicture(w, r, "poster", false, func(ctx context.Context, name string, _ int) ([]byte, error) {
		return s.lib.Poster(ctx, name)
	})
}

// clipFrame answers GET /api/clips/{name}/frame.png?i=N: frame N (0 is
// the first, and the default).
func (s *Server) clipFrame(w http.ResponseWriter, r *http.Request) {
	s.clipPicture(w, r, "frame", true, func(ctx context.Context, name string, i int) ([]byte, error) {
		return s.lib.Frame(ctx, name, i)
	})
}

// clipMask answers GET /api/clips/{name}/mask.png?i=N: frame N's blue
// mask, white where a pixel is blue.
func (s *Server) clipMask(w http.ResponseWriter, r *http.Request) {
	s.clipPicture(w, r, "mask", true, func(ctx context.Context, name string, i int) ([]byte, error) {
		return s.lib.Mask(ctx, name, i)
	})
}

func (s *Server) clipPicture(w http.ResponseWriter, r *http.Request, op string, indexed bool,
	get func(ctx context.Context, name string, i int) ([]byte, error)) {
	name := r.PathValue("name")
	if !clipName.MatchString(name) {
		serve.Error(w, http.StatusNotFound, fmt.Sprintf("no clip %q: a clip name is a plain file name like vtest.avi", errs.Truncate(name, serve.MaxQuoted)))
		return
	}
	i := 0
	if q := r.URL.Query().Get("i"); indexed && q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 || n > maxFrameIndex {
			serve.Error(w, http.StatusBadRequest, fmt.Sprintf("i must be a frame number 0..%d, got %q", maxFrameIndex, errs.Truncate(q, serve.MaxQuoted)))
			return
		}
		i = n
	}
	png, err := get(r.Context(), name, i)
	if err != nil {
		s.clipError(w, op, err, "2")
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	w.Write(png)
}
