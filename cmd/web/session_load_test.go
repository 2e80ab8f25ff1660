package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"
)

// roomSize is the room the load test and benchmark hold: one server, 300
// learners, all on loopback.
const roomSize = 300

// joinRoom connects n learner sockets to the session and waits until
// each has its welcome.
func joinRoom(t testing.TB, base, code string, n int) []*socket {
	t.Helper()
	room := make([]*socket, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 32) // dial in waves, as a room does
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			s, err := tryDial(base, code, "name="+url.QueryEscape(fmt.Sprintf("learner %03d", i)), nil)
			if err != nil {
				errs <- err
				return
			}
			room[i] = s
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a learner could not join: %v", err)
	}
	t.Cleanup(func() {
		for _, s := range room {
			s.close()
		}
	})
	for _, s := range room {
		s.waitFor(t, 0, "welcome", func(e map[string]any) bool { return e["type"] == "welcome" })
	}
	return room
}

// deliver waits until every socket has an event matching match (after
// its index from[i]) and returns when each arrived, advancing from.
func deliver(t testing.TB, room []*socket, from []int, what string, match func(map[string]any) bool) []time.Time {
	t.Helper()
	at := make([]time.Time, len(room))
	var wg sync.WaitGroup
	for i, s := range room {
		wg.Go(func() {
			_, j, when := s.waitFor(t, from[i], what, match)
			from[i], at[i] = j+1, when
		})
	}
	wg.Wait()
	return at
}

// TestSessionRoomOf300 holds a session of 300 learners on one server: a
// push and a room run reach every one of them, and every one can follow
// the room run to its result. It asserts delivery; how fast is
// BenchmarkSessionDelivery's business.
func TestSessionRoomOf300(t *testing.T) {
	if testing.Short() {
		t.Skip("300 sockets")
	}
	base, stop := startServer(t, t.TempDir())
	defer stop()
	c := createSession(t, base)
	api := base + "/api/sessions/" + c.Code
	room := joinRoom(t, base, c.Code, roomSize)
	from := make([]int, roomSize)

	if status, out := call(t, "POST", api+"/push", c.Key, `{"experiment": "race", "params": `+sessionRun+`, "lock": true}`); status != http.StatusOK {
		t.Fatalf("push: got %d %v", status, out)
	}
	deliver(t, room, from, "the push", round(1))

	status, run := call(t, "POST", api+"/run", c.Key, "")
	if status != http.StatusCreated {
		t.Fatalf("room run: got %d %v", status, run)
	}
	id := run["id"].(string)
	deliver(t, room, from, "the room run", typed("run", func(r map[string]any) bool { return r["id"] == id }))

	// Every learner's page follows the room run to its result.
	var wg sync.WaitGroup
	results := make([]bool, roomSize)
	for i := range roomSize {
		wg.Go(func() {
			for _, e := range readRun(t, base, "/runs/"+id+"/events") {
				if e["type"] == "result" {
					results[i] = true
				}
			}
		})
	}
	wg.Wait()
	if n := len(slices.DeleteFunc(results, func(ok bool) bool { return ok })); n > 0 {
		t.Errorf("%d of %d learners did not see the room run's result", n, roomSize)
	}

	// The roster counts them all, connected.
	room[0].waitFor(t, 0, "a roster of 300 connected", func(e map[string]any) bool {
		return e["type"] == "roster" && e["connected"] == float64(roomSize)
	})
}

// BenchmarkSessionDelivery measures how long a push, and a room run's
// event, take to reach a room of 300 learner sockets on loopback: from
// just before the POST to each socket's receipt. It reports the median
// learner's wait (p50) and the last one's (max), for each.
//
//	go test -run '^$' -bench Session -benchtime 3x ./cmd/web
func BenchmarkSessionDelivery(b *testing.B) {
	base, stop := startServer(b, b.TempDir())
	defer stop()
	c := createSession(b, base)
	api := base + "/api/sessions/" + c.Code
	room := joinRoom(b, base, c.Code, roomSize)
	from := make([]int, roomSize)
	var push, run []float64 // ms after the POST, every receipt of every iteration
	var pushMax, runMax []float64
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		if status, out := call(b, "POST", api+"/push", c.Key, `{"experiment": "race", "params": `+sessionRun+`, "lock": true}`); status != http.StatusOK {
			b.Fatalf("push: got %d %v", status, out)
		}
		ms := since(t0, deliver(b, room, from, "the push", round(i+1)))
		push = append(push, ms...)
		pushMax = append(pushMax, slices.Max(ms))

		t0 = time.Now()
		status, out := call(b, "POST", api+"/run", c.Key, "")
		if status != http.StatusCreated {
			b.Fatalf("room run: got %d %v", status, out)
		}
		id := out["id"].(string)
		ms = since(t0, deliver(b, room, from, "the room run", typed("run", func(r map[string]any) bool { return r["id"] == id })))
		run = append(run, ms...)
		runMax = append(runMax, slices.Max(ms))
	}
	b.StopTimer()
	b.ReportMetric(percentile(push, 50), "push-p50-ms")
	b.ReportMetric(slices.Max(pushMax), "push-max-ms")
	b.ReportMetric(percentile(run, 50), "run-p50-ms")
	b.ReportMetric(slices.Max(runMax), "run-max-ms")
}

func since(t0 time.Time, at []time.Time) []float64 {
	ms := make([]float64, len(at))
	for i, t := range at {
		ms[i] = float64(t.Sub(t0).Microseconds()) / 1000
	}
	return ms
}

func percentile(xs []float64, p int) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}
