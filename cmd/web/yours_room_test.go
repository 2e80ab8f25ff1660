//go:build !race

package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Three learners' own counters: right with a mutex, wrong (it skips half
// the work), and right with one goroutine doing every increment.
const (
	skipHalf = `package yours

// Count does only the first goroutine's share.
func Count(c Counter, goroutines, increments int) {
	for range increments {
		c.Increment()
	}
}
`
	oneGoroutine = `package yours

// Count increments from one goroutine: nothing to lose, nothing in parallel.
func Count(c Counter, goroutines, increments int) {
	for range goroutines * increments {
		c.Increment()
	}
}
`
)

// A room with the editor open: the instructor pushes race, locked, with
// editing on; three learners check different files and run them as
// yours; the board shows each one's yours right in k of n trials and its
// median time beside the lab's best; the spotlight carries the learner's
// code to every screen. A round without the editor refuses yours, and a
// locked round lets a learner change only their code.
func TestRoomYours(t *testing.T) {
	base, _, stop := startEditServer(t)
	defer stop()
	c := createSession(t, base)
	api := base + "/api/sessions/" + c.Code

	if status, out := call(t, "POST", api+"/push", c.Key, `{"experiment": "waits", "params": {}, "edit": true}`); status != http.StatusBadRequest || !strings.Contains(out["error"].(string), "no variant of the learners' own") {
		t.Errorf("edit on an experiment with no variant of yours: got %d %v, want 400", status, out)
	}

	type learner struct {
		name, src, id, token, code string
		sock                       *socket
	}
	ls := []*learner{{name: "Ann", src: mutexCount}, {name: "Ben", src: skipHalf}, {name: "Cat", src: oneGoroutine}}
	for _, l := range ls {
		l.sock = dialSession(t, base, c.Code, "name="+url.QueryEscape(l.name))
		defer l.sock.close()
		w, _, _ := l.sock.waitFor(t, 0, "welcome", func(e map[string]any) bool { return e["type"] == "welcome" })
		l.id, l.token = w["learner"].(map[string]any)["id"].(string), w["token"].(string)
		l.code = mustCheck(t, base, "race", l.src)
	}
	own := func(l *learner, params string) (int, map[string]any) {
		return call(t, "POST", api+"/runs", "", `{"learner": "`+l.id+`", "token": "`+l.token+`", "params": `+params+`}`)
	}
	yoursParams := func(l *learner) string { return `{"code": "` + l.code + `", "variants": "sequential,yours"}` }

	// A round without the editor: yours is refused.
	push := `{"experiment": "race", "params": {"goroutines": 2, "increments": 20000, "repeat": 3, "variants": "sequential"}, "lock": true`
	if status, out := call(t, "POST", api+"/push", c.Key, push+`}`); status != http.StatusOK {
		t.Fatalf("push: got %d %v", status, out)
	}
	if status, out := own(ls[0], yoursParams(ls[0])); status != http.StatusBadRequest || !strings.Contains(out["error"].(string), "not opened this round to your own code") {
		t.Errorf("yours in a round without the editor: got %d %v, want 400", status, out)
	}

	// The editor open, the values locked: only the code may change.
	status, p := call(t, "POST", api+"/push", c.Key, push+`, "edit": true}`)
	if status != http.StatusOK || p["edit"] != true {
		t.Fatalf("push with the editor: got %d %v", status, p)
	}
	for _, l := range ls {
		l.sock.waitFor(t, 0, "the push with the editor", func(e map[string]any) bool {
			p, _ := e["push"].(map[string]any)
			return e["type"] == "push" && p != nil && p["edit"] == true
		})
	}
	if status, out := own(ls[0], `{"code": "`+ls[0].code+`", "variants": "sequential,yours", "increments": 7}`); status != http.StatusConflict {
		t.Errorf("a locked value changed beside the code: got %d %v, want 409", status, out)
	}
	runs := map[string]*learner{}
	for _, l := range ls {
		status, out := own(l, yoursParams(l))
		if status != http.StatusCreated {
			t.Fatalf("%s's run: got %d %v", l.name, status, out)
		}
		runs[out["id"].(string)] = l
	}

	// The board: each learner's yours, right in k of n, beside the lab's best.
	want := map[string]int{"Ann": 3, "Ben": 0, "Cat": 3}
	var board []any
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		_, v := call(t, "GET", api, "", "")
		board = asList(v["board"])
		done := 0
		for _, e := range board {
			if e.(map[string]any)["status"] == "done" {
				done++
			}
		}
		if done == len(ls) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the board after 3 minutes: %v", board)
		}
	}
	for _, e := range board {
		e := e.(map[string]any)
		l := runs[e["run"].(string)]
		f := e["figures"].(map[string]any)
		y, _ := f["yours"].(map[string]any)
		if l == nil || y == nil {
			t.Fatalf("board entry %v: want a learner's run with yours", e)
		}
		if y["right"] != float64(want[l.name]) || y["trials"] != float64(3) || y["best"] != "sequential" ||
			y["median_ms"].(float64) <= 0 || y["best_ms"].(float64) <= 0 {
			t.Errorf("%s's yours on the board: got %v, want right in %d of 3 beside sequential", l.name, y, want[l.name])
		}
		if s := f["summary"].(string); !strings.HasPrefix(s, "yours: right in "+map[int]string{0: "0", 3: "3"}[want[l.name]]+" of 3 trials, median ") || !strings.Contains(s, "the lab's best, sequential: ") {
			t.Errorf("%s's line on the board: %q", l.name, s)
		}
	}

	// The spotlight carries Ben's code to every screen.
	var ben string
	for id, l := range runs {
		if l.name == "Ben" {
			ben = id
		}
	}
	if status, out := call(t, "POST", api+"/spotlight", c.Key, `{"run": "`+ben+`"}`); status != http.StatusOK {
		t.Fatalf("spotlight: got %d %v", status, out)
	}
	for _, l := range ls {
		e, _, _ := l.sock.waitFor(t, 0, "the spotlight", func(e map[string]any) bool { return e["type"] == "spotlight" && e["spotlight"] != nil })
		if sp := e["spotlight"].(map[string]any); sp["code"] != ls[1].code || sp["label"] != "Ben" {
			t.Errorf("%s's spotlight: got %v, want Ben's code %s", l.name, sp, ls[1].code)
		}
	}
	_, src := call(t, "GET", base+"/api/code/"+ls[1].code, "", "")
	if src["code"] != skipHalf {
		b, _ := json.Marshal(src)
		t.Errorf("the spotlit code: got %s", b)
	}

	// In a browser: the console shows Ben's code under the spotlight, and
	// the board each learner's line.
	ctx := newBrowser(t, 1280, 900)
	if err := chromedp.Do(ctx, chromedp.Navigate(c.InstructorURL)); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const d = document.getElementById('spot-code');
		return d && !d.hidden && d.open ? d.innerText : '';
	})()`, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !strings.Contains(shown, "Ben's code, run as yours") || !strings.Contains(shown, "only the first goroutine's share") {
		t.Errorf("the console's spotlight: got %q (%v), want Ben's code", shown, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById('spot-code').scrollIntoView(), true)`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "room-spotlight-code.png")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/sessions/"+c.Code+"/board")); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const t = document.body.innerText;
		return (t.match(/yours: right in/g) || []).length === 3 ? t : '';
	})()`, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !strings.Contains(rows, "yours: right in 0 of 3 trials") || !strings.Contains(rows, "2 of 3 learners’ own variants were right in every trial") {
		t.Errorf("the board page: got %q (%v), want the three learners' lines", rows, err)
	}
	screenshot(t, ctx, "room-board-yours.png")
}
