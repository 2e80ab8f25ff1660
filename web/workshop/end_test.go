package workshop

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// readUntil reads conn until a message of type typ whose typ member is not
// null (the snapshot's ended is null while the session runs), and returns
// it.
func readUntil(t *testing.T, conn *websocket.Conn, typ string) map[string]any {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m map[string]any
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for %q: %v", typ, err)
		}
		if m["type"] == typ && m[typ] != nil {
			return m
		}
	}
}

// TestRemoveLearnerAndEndSession: the console removes a learner (their page
// is closed with a reason, the roster drops them, their token opens
// nothing) and ends the session (every page is told, joins are refused,
// the board stays readable).
func TestRemoveLearnerAndEndSession(t *testing.T) {
	ts, _ := newSessionServer(t)
	code, key := ts.newSession(t)
	events := "/sessions/" + code + "/events"
	ann := ts.dial(t, events+"?name=Ann")
	w := welcome(t, ann)
	annID, annToken := w["learner"].(map[string]any)["id"].(string), w["token"].(string)
	bo := ts.dial(t, events+"?name=Bo")
	welcome(t, bo)
	board := ts.dial(t, events)
	welcome(t, board)

	for _, tc := range []struct {
		name, key, body string
		want            int
	}{
		{"no key", "", `{"learner":"` + annID + `"}`, http.StatusForbidden},
		{"no learner", key, `{}`, http.StatusBadRequest},
		{"unknown learner", key, `{"learner":"nobody"}`, http.StatusConflict},
	} {
		if status, out := ts.do(t, "POST", "/api/sessions/"+code+"/remove", tc.key, tc.body); status != tc.want || out["error"] == "" {
			t.Errorf("remove, %s: got %d %v, want %d with a message", tc.name, status, out, tc.want)
		}
	}
	if status, out := ts.do(t, "POST", "/api/sessions/"+code+"/remove", key, `{"learner":"`+annID+`"}`); status != http.StatusOK {
		t.Fatalf("remove Ann: got %d %v, want 200", status, out)
	}
	if last := readRemoved(t, ann); last != "removed" {
		t.Errorf("Ann's page after the remove: last message %q before the close, want a removed event", last)
	}
	if n := ts.learnerCount(t, code); n != 1 {
		t.Errorf("roster after the remove: got %d learners, want Bo only", n)
	}
	// Her page reopened with her token is told again, and holds no place.
	again, status, err := ts.wsDial(events+"?learner="+annID+"&token="+url.QueryEscape(annToken), nil)
	if err != nil {
		t.Fatalf("Ann's token after the remove: got %d %v, want a socket that says she was removed", status, err)
	}
	if last := readRemoved(t, again); last != "removed" {
		t.Errorf("Ann's page reopened: last message %q before the close, want a removed event", last)
	}
	if _, status, err := ts.wsDial(events+"?learner="+annID+"&token=wrong", nil); err == nil || status != http.StatusForbidden {
		t.Errorf("Ann's id with a wrong token: got %d %v, want 403", status, err)
	}

	if status, out := ts.do(t, "POST", "/api/sessions/"+code+"/end", "", `{}`); status != http.StatusForbidden {
		t.Errorf("end without the key: got %d %v, want 403", status, out)
	}
	if status, out := ts.do(t, "POST", "/api/sessions/"+code+"/end", key, `{}`); status != http.StatusOK || out["ended"] == nil {
		t.Fatalf("end: got %d %v, want 200 with when", status, out)
	}
	for name, conn := range map[string]*websocket.Conn{"Bo": bo, "the board": board} {
		if m := readUntil(t, conn, "ended"); m["ended"] == nil {
			t.Errorf("%s's page: got %v, want the end's time", name, m)
		}
	}
	if status, out := ts.do(t, "POST", "/api/sessions/"+code+"/end", key, `{}`); status != http.StatusConflict {
		t.Errorf("end twice: got %d %v, want 409", status, out)
	}
	if status, out := ts.do(t, "POST", "/api/sessions/"+code+"/join", "", `{"name":"Cy"}`); status != http.StatusConflict || !strings.Contains(out["error"].(string), "ended") {
		t.Errorf("join after the end: got %d %v, want 409 saying it ended", status, out)
	}
	status, v := ts.do(t, "GET", "/api/sessions/"+code, "", "")
	if status != http.StatusOK || v["ended"] == nil {
		t.Errorf("the session after the end: got %d %v, want it readable with ended", status, v)
	}
	if status, _ := ts.do(t, "GET", "/sessions/"+code+"/board", "", ""); status != http.StatusOK {
		t.Errorf("the board page after the end: got %d, want 200", status)
	}
	// A late page still opens, and learns the session has ended.
	late := ts.dial(t, events)
	if m := readUntil(t, late, "ended"); m["ended"] == nil {
		t.Errorf("a page opened after the end: got %v, want ended", m)
	}
}

// readRemoved reads conn to its close, which must be 1008 saying the
// learner was removed, and returns the type of the last message before it.
func readRemoved(t *testing.T, conn *websocket.Conn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	last := ""
	for {
		_, data, err := conn.ReadMessage()
		if err == nil {
			var m struct{ Type string }
			json.Unmarshal(data, &m)
			last = m.Type
			continue
		}
		var ce *websocket.CloseError
		if !asCloseError(err, &ce) || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "removed you") {
			t.Errorf("after the remove: got %v, want close 1008 saying she was removed", err)
		}
		return last
	}
}
