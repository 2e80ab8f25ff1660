package workshop

import (
	"net/http"

	"concurrencylab/web/internal/serve"
)

// removeLearner answers POST /api/sessions/{code}/remove (key) with
// {"learner": id}: the learner leaves the roster, their page is closed
// with a reason, their token opens nothing more; their runs stay on the
// board. 200 {"removed": id}.
func (s *Server) removeLearner(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Learner string `json:"learner"`
	}
	if !s.instructorRequest(w, r, &req) {
		return
	}
	if req.Learner == "" {
		serve.Error(w, http.StatusBadRequest, `learner is missing: send {"learner": "<id from the roster>"}`)
		return
	}
	if err := s.sessions.Remove(r.Context(), r.PathValue("code"), serve.Bearer(r), req.Learner); err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	serve.JSON(w, http.StatusOK, map[string]any{"removed": req.Learner})
}

// endSession answers POST /api/sessions/{code}/end (key): the session
// ends; every page is told ({"type": "ended", "ended": time}), nothing
// more can change, and the board and the runs stay readable. 200
// {"ended": time}; 409 if it had already ended.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if !s.instructorRequest(w, r, &req) {
		return
	}
	at, err := s.sessions.End(r.Context(), r.PathValue("code"), serve.Bearer(r))
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	serve.JSON(w, http.StatusOK, map[string]any{"ended": at})
}
