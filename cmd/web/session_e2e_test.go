package main

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"concurrencylab/lab/session"
)

// TestSessionEndToEnd drives a workshop over HTTP and websockets against
// the real server: create, join, wrong keys, push, lock, the learner's own
// run and its limit, a room run, the board, a reconnect and a restart.
func TestSessionEndToEnd(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServer(t, dir)
	defer func() { stop() }()

	// Create.
	c := createSession(t, base)
	if len(c.Code) != session.CodeLen || strings.ContainsAny(c.Code, "01OIL") {
		t.Errorf("code %q: want %d characters from %s", c.Code, session.CodeLen, session.CodeAlphabet)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(c.Key) {
		t.Errorf("key %q: want 32 bytes of base64url", c.Key)
	}
	if c.JoinURL != base+"/sessions/"+c.Code || c.InstructorURL != base+"/sessions/"+c.Code+"/console#key="+c.Key {
		t.Errorf("links: got %q and %q", c.JoinURL, c.InstructorURL)
	}
	api := base + "/api/sessions/" + c.Code

	// Join: a learner's socket, then the console's (a watcher).
	ann := dialSession(t, base, c.Code, "name="+url.QueryEscape("Ann"))
	welcome, _, _ := ann.waitFor(t, 0, "welcome", func(e map[string]any) bool { return e["type"] == "welcome" })
	learner := welcome["learner"].(map[string]any)
	id, token := learner["id"].(string), welcome["token"].(string)
	if welcome["role"] != "learner" || learner["label"] != "Ann" || token == "" {
		t.Fatalf("welcome: got %v", welcome)
	}
	ann.waitFor(t, 0, "the board snapshot", func(e map[string]any) bool { return e["type"] == "board" && e["full"] == true })
	watcher := dialSession(t, base, c.Code, "")
	watcher.waitFor(t, 0, "a roster with Ann connected", func(e map[string]any) bool {
		ls, _ := e["learners"].([]any)
		return e["type"] == "roster" && len(ls) == 1 && ls[0].(map[string]any)["connected"] == true
	})

	// Origins are checked: a page on another site cannot open the socket.
	_, err := tryDial(base, c.Code, "name=Eve", http.Header{"Origin": {"http://evil.example"}})
	var de *dialError
	if !errors.As(err, &de) || de.status != http.StatusForbidden {
		t.Errorf("socket from a foreign origin: got %v, want 403", err)
	}

	// A plain GET (an <img src> on another site sends one, with no
	// Origin) opens no socket, so it admits nobody.
	if res, err := http.Get(base + "/sessions/" + c.Code + "/events?name=Mallory"); err != nil || res.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("plain GET of the socket with a name: got %v %v, want 426", res, err)
	} else {
		res.Body.Close()
	}

	// Wrong or missing keys: 403 and nothing changes. A learner's token is
	// no key either.
	before, _ := call(t, "GET", api, "", "")
	push := `{"experiment": "race", "params": ` + sessionRun + `, "lock": true}`
	for _, key := range []string{"", "wrong", token, c.Key[:42]} {
		for _, action := range []string{"push", "run", "ask", "predict", "reveal", "spotlight"} {
			if status, out := call(t, "POST", api+"/"+action, key, push); status != http.StatusForbidden {
				t.Errorf("%s with key %q: got %d %v, want 403", action, key, status, out)
			}
		}
	}
	if _, v := call(t, "GET", api, "", ""); len(asList(v["learners"])) != 1 {
		t.Errorf("after a refused socket and a plain GET: got learners %v, want only Ann", v["learners"])
	}
	if status, _ := call(t, "GET", api, "wrong", ""); status != http.StatusForbidden {
		t.Errorf("GET with a wrong key: got %d, want 403", status)
	}
	after, body := call(t, "GET", api, "", "")
	if after != before || body["push"] != nil || body["run"] != nil || body["instructor"] != false {
		t.Errorf("after wrong keys: got %d %v, want the session unchanged", after, body)
	}
	if status, body := call(t, "GET", api, c.Key, ""); status != 200 || body["instructor"] != true {
		t.Errorf("GET with the key: got %d instructor=%v, want 200 true", status, body["instructor"])
	}

	// Push, locked: the learner's page gets it.
	if status, out := call(t, "POST", api+"/push", c.Key, push); status != http.StatusOK || out["round"] != float64(1) {
		t.Fatalf("push: got %d %v", status, out)
	}
	e, _, _ := ann.waitFor(t, 0, "the push", round(1))
	if p := e["push"].(map[string]any); p["lock"] != true || p["experiment"] != "race" || p["params"].(map[string]any)["increments"] != "1000" {
		t.Errorf("push event: got %v", p)
	}

	// The learner's own runs: locked values only, one at a time.
	runs := api + "/runs"
	mine := `{"learner": "` + id + `", "token": "` + token + `"}`
	if status, out := call(t, "POST", runs, "", `{"learner": "`+id+`", "token": "`+token+`", "params": {"increments": 7}}`); status != http.StatusConflict {
		t.Errorf("own run with other values while locked: got %d %v, want 409", status, out)
	}
	if status, out := call(t, "POST", runs, "", `{"learner": "`+id+`", "token": "nope"}`); status != http.StatusForbidden {
		t.Errorf("own run with a wrong token: got %d %v, want 403", status, out)
	}
	status, own := call(t, "POST", runs, "", mine)
	if status != http.StatusCreated || own["events"] != "/runs/"+own["id"].(string)+"/events" {
		t.Fatalf("own run: got %d %v, want 201", status, own)
	}
	if _, ok := own["position"].(float64); !ok {
		t.Errorf("own run: got %v, want its queue position", own)
	}
	ann.waitFor(t, 0, "the first run done on the board", doneOnBoard(own["id"].(string)))
	// Held in the queue behind a long run, a learner's run waits, and a
	// second one is refused.
	_, long := call(t, "POST", base+"/api/runs", "", `{"experiment": "race", "params": {"goroutines": 1, "increments": 10000000, "repeat": 30, "variants": "sequential"}}`)
	status, own2 := call(t, "POST", runs, "", mine)
	if status != http.StatusCreated || own2["position"] != float64(1) {
		t.Errorf("a run behind a long one: got %d %v, want 201 at position 1", status, own2)
	}
	if status, out := call(t, "POST", runs, "", mine); status != http.StatusTooManyRequests || !strings.Contains(out["error"].(string), "one at a time") {
		t.Errorf("a run while one waits: got %d %v, want 429 naming the limit", status, out)
	}
	call(t, "POST", base+"/api/runs/"+long["id"].(string)+"/cancel", "", "")

	// A room run: everyone's page is told to watch it, and can.
	status, room := call(t, "POST", api+"/run", c.Key, "")
	if status != http.StatusCreated {
		t.Fatalf("room run: got %d %v", status, room)
	}
	roomID := room["id"].(string)
	for name, s := range map[string]*socket{"learner": ann, "watcher": watcher} {
		e, _, _ := s.waitFor(t, 0, "the room run", typed("run", nil))
		if r := e["run"].(map[string]any); r["id"] != roomID || r["events"] != "/runs/"+roomID+"/events" {
			t.Errorf("%s's run event: got %v, want run %s", name, r, roomID)
		}
	}
	if events := readRun(t, base, "/runs/"+roomID+"/events"); len(events) == 0 || events[len(events)-1]["state"] != "done" {
		t.Errorf("room run stream: got %d events ending %v, want it done", len(events), events[len(events)-1])
	}
	// A learner cannot cancel the room run.
	if status, _ := call(t, "POST", base+"/api/runs/"+roomID+"/cancel", token, ""); status != http.StatusForbidden {
		t.Errorf("a learner cancels the room run: got %d, want 403", status)
	}

	// The board fills in: the learner's runs, done, with figures.
	ownIDs := map[string]bool{own["id"].(string): true}
	if id2, ok := own2["id"].(string); ok {
		ownIDs[id2] = true
	}
	for run := range ownIDs {
		ann.waitFor(t, 0, "run "+run+" done on the board", doneOnBoard(run))
	}
	_, view := call(t, "GET", api, "", "")
	if board := asList(view["board"]); len(board) != len(ownIDs) {
		t.Errorf("board: got %d entries, want %d", len(board), len(ownIDs))
	}

	// Spotlight: Ann's run on every screen.
	ownID := own["id"].(string)
	if status, out := call(t, "POST", api+"/spotlight", c.Key, `{"run": "`+ownID+`"}`); status != http.StatusOK {
		t.Errorf("spotlight: got %d %v", status, out)
	}
	ann.waitFor(t, 0, "the spotlight", typed("spotlight", func(s map[string]any) bool { return s["run"] == ownID && s["label"] == "Ann" }))

	// Reconnect as the same learner: where the room is, same identity.
	ann.close()
	back := dialSession(t, base, c.Code, "learner="+id+"&token="+url.QueryEscape(token))
	w, _, _ := back.waitFor(t, 0, "welcome back", func(e map[string]any) bool { return e["type"] == "welcome" })
	if w["learner"].(map[string]any)["id"] != id || w["token"] != nil {
		t.Errorf("welcome back: got %v, want learner %s and no new token", w, id)
	}
	back.waitFor(t, 0, "the push on reconnect", round(1))
	back.waitFor(t, 0, "the room run on reconnect", typed("run", func(r map[string]any) bool { return r["id"] == roomID }))
	if _, err := tryDial(base, c.Code, "learner="+id+"&token=stolen", nil); !errors.As(err, &de) || de.status != http.StatusForbidden {
		t.Errorf("rejoin with a wrong token: got %v, want 403", err)
	}
	back.close()
	watcher.close()

	// A restart keeps the session and its board; the key still drives it.
	stop()
	base, stop = startServer(t, dir)
	api = base + "/api/sessions/" + c.Code
	status, again := call(t, "GET", api, "", "")
	if status != http.StatusOK || len(asList(again["board"])) != len(ownIDs) || again["run"].(map[string]any)["id"] != roomID {
		t.Errorf("after a restart: got %d %v, want the same board and room run", status, again)
	}
	res, err := http.Get(base + "/sessions/" + c.Code + "/board")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("board page after a restart: %v %v", res.Status, err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), ">Ann<") {
		t.Errorf("board page: Ann's row missing")
	}
	if status, out := call(t, "POST", api+"/ask", c.Key, `{"open": true}`); status != http.StatusOK || out["ask"] == nil {
		t.Errorf("ask after a restart: got %d %v", status, out)
	}
	back = dialSession(t, base, c.Code, "learner="+id+"&token="+url.QueryEscape(token))
	back.waitFor(t, 0, "the ask, after a restart", typed("ask", nil))
}

// doneOnBoard matches a board event showing run done, with its figures.
func doneOnBoard(run string) func(map[string]any) bool {
	return func(e map[string]any) bool {
		for _, x := range asList(e["entries"]) {
			x := x.(map[string]any)
			if e["type"] == "board" && x["run"] == run && x["status"] == "done" && x["figures"] != nil {
				return true
			}
		}
		return false
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
