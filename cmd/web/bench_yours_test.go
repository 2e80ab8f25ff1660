//go:build !race

package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// BenchmarkYoursFirstTrial measures a learner's Run: from the POST of a
// run of checked code to the first trial of yours reported on the run's
// socket (the goal: at most 1.5 s here), against the same for the lab's
// own sequential variant in the same server: the ratio is what starting
// the learner's program in its sandbox costs.
func BenchmarkYoursFirstTrial(b *testing.B) {
	base, _, stop := startEditServer(b)
	defer stop()
	id := mustCheck(b, base, "race", mutexCount)
	small := map[string]any{"goroutines": 2, "increments": 1000, "repeat": 1}
	firstTrial := func(variant string) time.Duration {
		params := map[string]any{"variants": variant, "code": id}
		for k, v := range small {
			params[k] = v
		}
		t0 := time.Now()
		_, out := postJSON(b, base+"/api/runs", `{"experiment": "race", "params": `+mustJSON(params)+`}`)
		conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/runs/"+out["id"].(string)+"/events", nil)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		for {
			var e map[string]any
			if err := conn.ReadJSON(&e); err != nil {
				b.Fatalf("the run's socket ended before %s's first trial: %v", variant, err)
			}
			if text, _ := e["text"].(string); e["type"] == "log" && strings.HasPrefix(text, variant+": trial 1 of") {
				return time.Since(t0)
			}
		}
	}
	firstTrial("yours") // the server's first run starts its slot's machinery
	var yours, lab time.Duration
	for b.Loop() {
		yours += firstTrial("yours")
		lab += firstTrial("sequential")
	}
	b.ReportMetric(float64(yours.Milliseconds())/float64(b.N), "yours-ms")
	b.ReportMetric(float64(lab.Milliseconds())/float64(b.N), "lab-ms")
	b.ReportMetric(float64(yours)/float64(lab), "yours/lab")
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
