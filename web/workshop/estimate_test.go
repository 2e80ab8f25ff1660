package workshop

import (
	"net/http"
	"testing"
	"time"
)

// TestSessionEstimate checks GET /api/sessions/{code}/estimate: nothing to
// go on before the experiment has run; after a room run, one run's time;
// while learners' runs wait, how many are left and how long they take.
func TestSessionEstimate(t *testing.T) {
	ts, _ := newSessionServer(t)
	code, key := ts.newSession(t)
	api := "/api/sessions/" + code
	if status, out := ts.do(t, "GET", "/api/sessions/NOPE23/estimate", "", ""); status != http.StatusNotFound {
		t.Errorf("unknown session: got %d %v, want 404", status, out)
	}
	_, out := ts.do(t, "GET", api+"/estimate", "", "")
	if out["experiment"] != "" || out["each_s"] != nil || out["all_s"] != nil {
		t.Errorf("before a push: got %v, want no experiment and no figures", out)
	}
	ts.do(t, "POST", api+"/push", key, `{"experiment": "fake", "params": {"n": 3, "wait": "150ms", "repeat": 1}}`)
	_, out = ts.do(t, "GET", api+"/estimate", "", "")
	if out["experiment"] != "fake" || out["round"] != float64(1) || out["each_s"] != nil || out["all_s"] != nil || out["left"] != float64(0) {
		t.Errorf("before any run: got %v, want fake, round 1, no figures", out)
	}
	status, run := ts.do(t, "POST", api+"/run", key, "")
	if status != http.StatusCreated {
		t.Fatalf("room run: got %d %v", status, run)
	}
	waitStatus(t, ts, run["id"].(string), "done")
	_, out = ts.do(t, "GET", api+"/estimate", "", "")
	each, _ := out["each_s"].(float64)
	if each < 0.1 || out["all_s"] != float64(0) || out["learners"] != float64(0) || out["slots"] != float64(1) {
		t.Errorf("after a room run: got %v, want each_s about 0.3, all_s 0 for no learners, 1 slot", out)
	}
	for _, name := range []string{"Ada", "Grace"} {
		_, j := ts.do(t, "POST", api+"/join", "", `{"name": "`+name+`"}`)
		l := j["learner"].(map[string]any)
		if status, out := ts.do(t, "POST", api+"/runs", "", `{"learner": "`+l["id"].(string)+`", "token": "`+j["token"].(string)+`"}`); status != http.StatusCreated {
			t.Fatalf("%s's run: got %d %v", name, status, out)
		}
	}
	_, out = ts.do(t, "GET", api+"/estimate", "", "")
	left, _ := out["left_s"].(float64)
	if out["left"] != float64(2) || left < each {
		t.Errorf("two runs in line: got %v, want left 2 and left_s at least one run's %v", out, each)
	}
	waitBoard(t, ts, api, 2)
	_, out = ts.do(t, "GET", api+"/estimate", "", "")
	if out["left"] != float64(0) || out["left_s"] != nil {
		t.Errorf("all done: got %v, want nothing left", out)
	}
}

// waitStatus waits until the run has the status.
func waitStatus(t *testing.T, ts *testServer, id, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, r := ts.do(t, "GET", "/api/runs/"+id, "", "")
		if r["status"] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s: status %v after 10s, want %s", id, r["status"], want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
