package workshop

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzSessionActions sends bodies to every session action through the
// real handler: none may answer 5xx, and every 4xx is a JSON error with a
// message.
func FuzzSessionActions(f *testing.F) {
	f.Add(uint8(0), []byte(`{"experiment":"fake","params":{"n":5},"lock":true}`))
	f.Add(uint8(2), []byte(`{"question":"how many?","prompt":"guess"}`))
	f.Add(uint8(6), []byte(`{"name":"Ada"}`))
	f.Add(uint8(8), []byte(`{"learner":"x","token":"y","value":1e400}`))
	ts, _, srv := newSessionServerWith(f, func(*Server) {})
	code, key := ts.newSession(f)
	h := handler(srv)
	actions := []string{"push", "run", "ask", "predict", "reveal", "spotlight", "join", "runs", "guess"}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		action := actions[int(which)%len(actions)]
		req := httptest.NewRequest("POST", "/api/sessions/"+code+"/"+action, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: got %d %s", action, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var msg struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &msg) != nil || msg.Error == "" {
				t.Fatalf("%s %q: got %d with body %q, want a JSON error", action, body, rec.Code, rec.Body)
			}
		}
	})
}
