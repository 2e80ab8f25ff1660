//go:build !race

package main

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
)

// TestRaceFiguresMatchTheirTrials runs a race of 2 goroutines × 1,000
// increments × 20 trials as a learner: the result's wrong_trials and
// worst_got must be what its trials say, and the learner's board entry
// must say the same, not the medians.
func TestRaceFiguresMatchTheirTrials(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	c := createSession(t, base)
	api := base + "/api/sessions/" + c.Code
	params := `{"goroutines": 2, "increments": 1000, "repeat": 20, "record": true, "variants": "sequential,unsynchronized"}`
	if status, out := call(t, "POST", api+"/push", c.Key, `{"experiment": "race", "params": `+params+`}`); status != http.StatusOK {
		t.Fatalf("push: got %d %v", status, out)
	}
	ann := dialSession(t, base, c.Code, "name=Ann")
	welcome, _, _ := ann.waitFor(t, 0, "welcome", func(e map[string]any) bool { return e["type"] == "welcome" })
	id, token := welcome["learner"].(map[string]any)["id"].(string), welcome["token"].(string)
	status, own := call(t, "POST", api+"/runs", "", `{"learner": "`+id+`", "token": "`+token+`"}`)
	if status != http.StatusCreated {
		t.Fatalf("own run: got %d %v", status, own)
	}
	runID := own["id"].(string)
	ev, _, _ := ann.waitFor(t, 0, "the run done on the board", doneOnBoard(runID))

	run := getRun(t, base+"/api/runs/"+runID)
	res := run["result"].(map[string]any)
	var result, board map[string]any
	for _, v := range asList(res["variants"]) {
		if v := v.(map[string]any); v["name"] == "unsynchronized" {
			result = v
		}
	}
	for _, x := range asList(ev["entries"]) {
		if x := x.(map[string]any); x["run"] == runID {
			for _, v := range asList(x["figures"].(map[string]any)["variants"]) {
				if v := v.(map[string]any); v["name"] == "unsynchronized" {
					board = v
				}
			}
		}
	}
	if result == nil || board == nil {
		t.Fatalf("got result %v and board %v, want unsynchronized in both", result, board)
	}
	trials := asList(result["trials"])
	if len(trials) != 20 {
		t.Fatalf("got %d trials, want 20", len(trials))
	}
	expected := result["expected"].(float64)
	wrong, worst := 0, math.NaN()
	for _, tr := range trials {
		got := tr.(map[string]any)["got"].(float64)
		if got != expected {
			wrong++
			if math.IsNaN(worst) || math.Abs(got-expected) > math.Abs(worst-expected) {
				worst = got
			}
		}
	}
	t.Logf("lost in %d of 20 trials, worst got %v of %v; median got %v", wrong, worst, expected, result["got"])
	if result["wrong_trials"] != float64(wrong) {
		t.Errorf("got wrong_trials %v, want %d from the trials", result["wrong_trials"], wrong)
	}
	wantWorst := any(nil)
	if wrong > 0 {
		wantWorst = worst
	}
	if result["worst_got"] != wantWorst {
		t.Errorf("got worst_got %v, want %v from the trials", result["worst_got"], wantWorst)
	}
	for _, k := range []string{"wrong_trials", "worst_got", "expected"} {
		if fmt.Sprint(board[k]) != fmt.Sprint(result[k]) {
			t.Errorf("board says %s %v, the run says %v", k, board[k], result[k])
		}
	}
	if board["trials"] != float64(20) {
		t.Errorf("board says %v trials, want 20", board["trials"])
	}
	if wrong > 0 && board["worst_lost"] != expected-worst {
		t.Errorf("board says worst_lost %v, want %v", board["worst_lost"], expected-worst)
	}
	// A variant that lost updates got a wrong answer: no speedup, and why.
	if wrong > 0 {
		if result["speedup"] != nil || result["speedup_ci"] != nil || !strings.Contains(fmt.Sprint(result["speedup_withheld"]), "wrong in") {
			t.Errorf("got speedup %v, interval %v, withheld %q for a variant wrong in %d trials, want null, null and why",
				result["speedup"], result["speedup_ci"], result["speedup_withheld"], wrong)
		}
	} else if ci, ok := result["speedup_ci"].([]any); !ok || len(ci) != 2 {
		t.Errorf("got speedup_ci %v with 20 rounds, want an interval", result["speedup_ci"])
	}
}
