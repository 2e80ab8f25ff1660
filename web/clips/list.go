package clips

import (
	"net/http"
	"net/url"

	library "concurrencylab/experiments/pixels/clips"
	"concurrencylab/web/internal/serve"
)

// clipJSON is a clip as GET /api/clips lists it.
type clipJSON struct {
	Name      string  `json:"name"`
	Frames    int     `json:"frames"`
	Size      int64   `json:"size"`
	DurationS float64 `json:"duration_s"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	FPS       float64 `json:"fps"`
	Poster    string  `json:"poster"`
	Frame     string  `json:"frame"`
	Mask      string  `json:"mask"`
}

func toClipJSON(c library.Info) clipJSON {
	base := "/api/clips/" + url.PathEscape(c.Name)
	return clipJSON{
		Name: c.Name, Frames: c.Frames, Size: c.Size, DurationS: c.Duration.Seconds(),
		Width: c.Width, Height: c.Height, FPS: c.FPS,
		Poster: base + "/poster.png", Frame: base + "/frame.png", Mask: base + "/mask.png",
	}
}

// listClips answers GET /api/clips: every clip, with links to its pictures,
// and the upload limit.
func (s *Server) listClips(w http.ResponseWriter, r *http.Request) {
	infos, err := s.lib.List(r.Context())
	if err != nil {
		s.clipError(w, "list", err, "2")
		return
	}
	out := make([]clipJSON, len(infos))
	for i, c := range infos {
		out[i] = toClipJSON(c)
	}
	serve.JSON(w, http.StatusOK, map[string]any{"clips": out, "max_upload_bytes": MaxClipBytes})
}
