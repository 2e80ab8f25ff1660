//go:build !race

package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	xtrace "golang.org/x/exp/trace"
)

// spansOf returns a run's span events that came from its execution trace.
func tracedSpans(t *testing.T, base, id string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range watch(t, base, "/runs/"+id+"/events") {
		if e["type"] == "span" && e["state"] != nil {
			out = append(out, e)
		}
	}
	return out
}

// A traced pipeline shows its stages blocked on channels and who woke
// them; its raw trace downloads as a file the trace reader opens.
func TestTracedPipeline(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	id := submit(t, base, "pipeline", `{"variants":"channels","items":200,"cost":"10µs","repeat":1,"trace":true}`)
	if run := waitStatus(t, base, id, time.Minute, "done", "failed"); run["status"] != "done" {
		t.Fatalf("got %v (%v), want done", run["status"], run["error"])
	}
	var chanWaits, woken int
	for _, sp := range tracedSpans(t, base, id) {
		if r, _ := sp["reason"].(string); sp["state"] == "blocked" && strings.Contains(r, "chan") {
			chanWaits++
			if sp["unblocked_by"] != nil {
				woken++
			}
		}
	}
	if chanWaits < 10 || woken == 0 {
		t.Errorf("got %d spans blocked on a channel, %d naming their waker, want at least 10 and some", chanWaits, woken)
	}

	res, err := http.Get(base + "/runs/" + id + "/trace/channels")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), id+"-channels.trace") {
		t.Fatalf("GET the raw trace: got %d %q, want 200 and a file named for the run", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	r, err := xtrace.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the raw trace does not open: %v", err)
	}
	n := 0
	for ; ; n++ {
		if _, err := r.ReadEvent(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("the raw trace breaks after %d events: %v", n, err)
		}
	}
	if n < 100 {
		t.Errorf("got %d events in the raw trace, want the whole trial's", n)
	}
	for _, path := range []string{"/runs/" + id + "/trace/polling", "/runs/nosuchrun/trace/channels"} {
		if status, out := call(t, "GET", base+path, "", ""); status != http.StatusNotFound || !strings.Contains(out["error"].(string), "no raw trace") {
			t.Errorf("GET %s: got %d %v, want 404 saying there is no raw trace", path, status, out)
		}
	}
}

// Two racing goroutines on two cores run on both processors.
func TestTracedRaceUsesTwoProcessors(t *testing.T) {
	usableCPUs(t, 2)
	base, stop := startServer(t, t.TempDir())
	defer stop()
	id := submit(t, base, "race", `{"variants":"unsynchronized","goroutines":2,"increments":2000000,"repeat":1,"trace":true}`)
	if run := waitStatus(t, base, id, time.Minute, "done", "failed"); run["status"] != "done" {
		t.Fatalf("got %v (%v), want done", run["status"], run["error"])
	}
	procs := map[float64]bool{}
	for _, sp := range tracedSpans(t, base, id) {
		if p, ok := sp["p"].(float64); ok && sp["state"] == "running" {
			procs[p] = true
		}
	}
	if len(procs) < 2 {
		t.Errorf("got running spans on processors %v, want two", procs)
	}
}
