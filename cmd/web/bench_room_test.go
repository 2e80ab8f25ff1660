//go:build !race

package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"concurrencylab/lab"
)

// BenchmarkTinyRun measures a run from the learner's press to its end: a
// race run of one goroutine, one increment, one trial, from just before
// the POST to the websocket's close after the done status. Nearly all of
// it is the lab's machinery: the queue, the run's process, the store.
//
//	go test -run '^$' -bench TinyRun -benchtime 10x ./cmd/web
func BenchmarkTinyRun(b *testing.B) {
	forEachProgram(b, func(b *testing.B, program string) {
		base, stop := startServer(b, b.TempDir(), "-runner-program", program)
		defer stop()
		var ms []float64
		for b.Loop() {
			t0 := time.Now()
			if _, err := runThroughLab(b, base, "race", "goroutines=1&increments=1&repeat=1"); err != nil {
				b.Fatal(err)
			}
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		}
		b.ReportMetric(lab.Median(ms), "ms/run")
	})
}

// forEachProgram runs bench with the runner program, then, as the
// baseline, with a cgo program of the lab as every run's process (this
// test binary, which links OpenCV as bin/web does).
func forEachProgram(b *testing.B, bench func(b *testing.B, program string)) {
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("runner", func(b *testing.B) { bench(b, runnerProgram) })
	b.Run("cgo-child", func(b *testing.B) { bench(b, self) })
}

// BenchmarkRoomOf60 measures a workshop's "everyone runs": 60 learners in
// a room, each running race with 5 goroutines × 100,000 increments and 10
// trials (the instructor's push, locked) on one runner slot, from the
// first learner's press until the console's board shows all 60 runs done.
//
//	go test -run '^$' -bench RoomOf60 -benchtime 3x ./cmd/web
func BenchmarkRoomOf60(b *testing.B) {
	forEachProgram(b, roomOf60)
}

func roomOf60(b *testing.B, program string) {
	const learners = 60
	base, stop := startServer(b, b.TempDir(), "-max-queue", "200", "-runner-program", program)
	defer stop()
	var full []float64
	for b.Loop() {
		c := createSession(b, base)
		api := base + "/api/sessions/" + c.Code
		room := make([]*socket, learners)
		ids, tokens := make([]string, learners), make([]string, learners)
		for i := range room {
			room[i] = dialSession(b, base, c.Code, "name="+url.QueryEscape(fmt.Sprintf("learner %02d", i)))
			w, _, _ := room[i].waitFor(b, 0, "welcome", func(e map[string]any) bool { return e["type"] == "welcome" })
			ids[i], tokens[i] = w["learner"].(map[string]any)["id"].(string), w["token"].(string)
		}
		console := dialSession(b, base, c.Code, "")
		push := `{"experiment": "race", "params": {"goroutines": 5, "increments": 100000, "repeat": 10}, "lock": true}`
		if status, out := call(b, "POST", api+"/push", c.Key, push); status != http.StatusOK {
			b.Fatalf("push: got %d %v", status, out)
		}
		for _, s := range room {
			s.waitFor(b, 0, "the push", round(1))
		}

		t0 := time.Now()
		var wg sync.WaitGroup
		for i := range learners {
			wg.Go(func() {
				body := `{"learner": "` + ids[i] + `", "token": "` + tokens[i] + `"}`
				if status, out := call(b, "POST", api+"/runs", "", body); status != http.StatusCreated {
					b.Errorf("learner %d's run: got %d %v", i, status, out)
				}
			})
		}
		wg.Wait()
		done := map[string]bool{}
		console.waitFor(b, 0, "a board of 60 runs done", func(e map[string]any) bool {
			if e["type"] != "board" {
				return false
			}
			for _, x := range asList(e["entries"]) {
				if x := x.(map[string]any); x["status"] == "done" {
					done[fmt.Sprint(x["run"])] = true
				}
			}
			return len(done) >= learners
		})
		full = append(full, float64(time.Since(t0).Milliseconds())/1000)
		for _, s := range append(room, console) {
			s.close()
		}
	}
	b.ReportMetric(lab.Median(full), "s-to-full-board")
}
