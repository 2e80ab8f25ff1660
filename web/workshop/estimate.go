package workshop

import (
	"net/http"

	"concurrencylab/lab/runs"
	"concurrencylab/web/internal/serve"
)

// estimateJSON is GET /api/sessions/{code}/estimate: how long the room's
// runs of the pushed experiment take. Seconds are null where the server
// has nothing to go on (the experiment has not run since it started).
type estimateJSON struct {
	Experiment string   `json:"experiment"` // the pushed one; "" before a push
	Round      int      `json:"round"`
	Learners   int      `json:"learners"` // connected now
	Slots      int      `json:"slots"`    // runs executing at once
	EachS      *float64 `json:"each_s"`   // one run's typical duration
	// AllS is how long until a run by every connected learner, asked now,
	// would be done, behind the runs already waiting.
	AllS *float64 `json:"all_s"`
	// Left counts the round's learners' runs queued or running; LeftS is
	// how long until the last of them is expected to be done.
	Left  int      `json:"left"`
	LeftS *float64 `json:"left_s"`
}

// sessionEstimate answers GET /api/sessions/{code}/estimate, for the
// console: what asking everyone to run would take, and, once asked, how
// long the rest of the round has to go. Public, like the board it
// describes.
func (s *Server) sessionEstimate(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	v, err := s.sessions.View(r.Context(), code)
	if err != nil {
		s.sessionError(w, code, err)
		return
	}
	out := estimateJSON{Learners: v.Connected, Slots: s.runs.Config().Parallel}
	if v.Push == nil {
		serve.JSON(w, http.StatusOK, out)
		return
	}
	out.Experiment, out.Round = v.Push.Experiment, v.Push.Round
	if f, ok := s.runs.Forecast(v.Push.Experiment, v.Connected); ok {
		out.EachS, out.AllS, out.Slots = &f.Each, &f.Total, f.Slots
	}
	left, known := 0.0, true
	for _, e := range v.Board {
		if e.Round != v.Push.Round || (e.Status != runs.StatusQueued && e.Status != runs.StatusRunning) {
			continue
		}
		out.Left++
		eta, ok := s.runs.ETA(e.Run)
		known = known && ok
		left = max(left, eta)
	}
	if out.Left > 0 && known {
		out.LeftS = &left
	}
	serve.JSON(w, http.StatusOK, out)
}
