//go:build !race

package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"concurrencylab/lab"
)

// BenchmarkClusterRoomOf60 measures a 60-learner room's "everyone runs"
// across two web servers that only serve (30 learners on each), from the
// first press until the console's board shows all 60 runs done: with one
// runner, then with two, each pinned to a CPU of its own. It reports both
// and their ratio, measured in the same run.
//
//	go test -run '^$' -bench ClusterRoomOf60 -benchtime 2x ./cmd/web
func BenchmarkClusterRoomOf60(b *testing.B) {
	c := startCluster(b, 2, 0)
	cpus := usableCPUs(b, 1)
	var one, two []float64
	for b.Loop() {
		r := c.startRunner(b, cpus[0])
		one = append(one, boardFull(b, c, 60))
		r2 := c.startRunner(b, cpus[1%len(cpus)])
		two = append(two, boardFull(b, c, 60))
		r.stop(b)
		r2.stop(b)
	}
	b.ReportMetric(lab.Median(one), "s-full-1-runner")
	b.ReportMetric(lab.Median(two), "s-full-2-runners")
	b.ReportMetric(lab.Median(one)/lab.Median(two), "ratio-1:2")
}

// boardFull holds a room of n learners, half on each web server, has
// each run the pushed race once and returns the seconds from the first
// press until the console's board shows every run done.
func boardFull(b *testing.B, c *cluster, n int) float64 {
	s := createSession(b, c.web[0])
	room := make([]*socket, n)
	ids, tokens := make([]string, n), make([]string, n)
	for i := range room {
		room[i] = dialSession(b, c.web[i%2], s.Code, "name="+url.QueryEscape(fmt.Sprintf("learner %02d", i)))
		w, _, _ := room[i].waitFor(b, 0, "welcome", func(e map[string]any) bool { return e["type"] == "welcome" })
		ids[i], tokens[i] = w["learner"].(map[string]any)["id"].(string), w["token"].(string)
	}
	console := dialSession(b, c.web[0], s.Code, "")
	push := `{"experiment": "race", "params": {"goroutines": 5, "increments": 100000, "repeat": 10}, "lock": true}`
	if status, out := call(b, "POST", c.web[0]+"/api/sessions/"+s.Code+"/push", s.Key, push); status != http.StatusOK {
		b.Fatalf("push: got %d %v", status, out)
	}
	for _, s := range room {
		s.waitFor(b, 0, "the push", round(1))
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := `{"learner": "` + ids[i] + `", "token": "` + tokens[i] + `"}`
			if status, out := call(b, "POST", c.web[i%2]+"/api/sessions/"+s.Code+"/runs", "", body); status != http.StatusCreated {
				b.Errorf("learner %d's run: got %d %v", i, status, out)
			}
		})
	}
	wg.Wait()
	done := map[string]bool{}
	console.waitFor(b, 0, "a board of every run done", func(e map[string]any) bool {
		if e["type"] != "board" {
			return false
		}
		for _, x := range asList(e["entries"]) {
			if x := x.(map[string]any); x["status"] == "done" {
				done[fmt.Sprint(x["run"])] = true
			}
		}
		return len(done) >= n
	})
	full := time.Since(t0).Seconds()
	for _, s := range append(room, console) {
		s.close()
	}
	return full
}

// BenchmarkClusterPush measures a push's fan-out: three sessions of 1,000
// learner sockets each, half on each of two web servers, dialled from
// eight loopback addresses (127.0.0.2-9, as learners behind several
// routers); each push is made on the first server, and every receipt on
// both servers counts, in ms after the POST.
//
//	go test -run '^$' -bench ClusterPush -benchtime 3x ./cmd/web
func BenchmarkClusterPush(b *testing.B) {
	const sessions, learners, addrs = 3, 1000, 8
	c := startCluster(b, 2, 0)
	type room struct {
		code, key string
		sockets   []*socket
		from      []int
	}
	rooms := make([]room, sessions)
	for k := range rooms {
		s := createSession(b, c.web[0])
		rooms[k] = room{code: s.Code, key: s.Key, sockets: make([]*socket, learners), from: make([]int, learners)}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 32)
		for i := range learners {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				src := net.IPv4(127, 0, 0, byte(2+i%addrs))
				sk, err := dialFrom(c.web[i%2], s.Code, "name="+url.QueryEscape(fmt.Sprintf("learner %04d", i)), src)
				if err != nil {
					b.Errorf("learner %d of session %d: %v", i, k, err)
					return
				}
				rooms[k].sockets[i] = sk
			})
		}
		wg.Wait()
		if b.Failed() {
			b.FailNow()
		}
		b.Cleanup(func() {
			for _, sk := range rooms[k].sockets {
				sk.close()
			}
		})
	}
	var ms []float64
	round := 0
	for b.Loop() {
		round++
		for _, r := range rooms {
			t0 := time.Now()
			push := `{"experiment": "race", "params": ` + sessionRun + `}`
			if status, out := call(b, "POST", c.web[0]+"/api/sessions/"+r.code+"/push", r.key, push); status != http.StatusOK {
				b.Fatalf("push: got %d %v", status, out)
			}
			n := round
			ms = append(ms, since(t0, deliver(b, r.sockets, r.from, "the push", typed("push", func(p map[string]any) bool { return p["round"] == float64(n) })))...)
		}
	}
	b.ReportMetric(percentile(ms, 50), "push-p50-ms")
	b.ReportMetric(percentile(ms, 99), "push-p99-ms")
	b.ReportMetric(slices.Max(ms), "push-max-ms")
}

// dialFrom opens a learner's session socket from the source address src.
func dialFrom(base, code, query string, src net.IP) (*socket, error) {
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 30 * time.Second}
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nd.DialContext(ctx, network, addr)
		}}
	conn, _, err := d.Dial(wsURL(base, "/sessions/"+code+"/events?"+query), nil)
	if err != nil {
		return nil, err
	}
	s := &socket{conn: conn, change: make(chan struct{}), done: make(chan struct{})}
	go s.read()
	return s, nil
}
