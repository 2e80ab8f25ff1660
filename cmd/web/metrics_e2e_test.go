//go:build !race

package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// scrapeMetrics returns GET /metrics from the main listener.
func scrapeMetrics(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: got %d %s, want 200", res.StatusCode, b)
	}
	return string(b)
}

// sample returns the value of series in a scrape, or "".
func sample(text, series string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// /metrics scraped during a run shows it running (a slot busy, its
// socket open), then done.
func TestMetricsDuringRun(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	id := postRun(t, base, longRun)
	conn, _, err := websocket.DefaultDialer.Dial(wsURL(base, "/runs/"+id+"/events"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() { // read to the end, as a page does
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	var during string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		during = scrapeMetrics(t, base)
		if sample(during, `lab_runs{status="running"}`) == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no scrape within 20s showed the run running; the last:\n%s", during)
		}
	}
	for _, c := range []struct{ series, want string }{
		{`lab_runner_slots_busy`, "1"},
		{`lab_sockets_open`, "1"},
		{`lab_runs_finished_total{status="done"}`, "0"},
		{`lab_run_queue_wait_seconds_count`, "1"},
	} {
		if got := sample(during, c.series); got != c.want {
			t.Errorf("during the run, %s: got %q, want %q", c.series, got, c.want)
		}
	}
	if s := waitEnd(t, base, id, 60*time.Second); s != "done" {
		t.Fatalf("run %s: got %s, want done", id, s)
	}
	after := scrapeMetrics(t, base)
	for _, c := range []struct{ series, want string }{
		{`lab_runs{status="running"}`, "0"},
		{`lab_runner_slots_busy`, "0"},
		{`lab_runs_finished_total{status="done"}`, "1"},
		{`lab_run_duration_seconds_count`, "1"},
	} {
		if got := sample(after, c.series); got != c.want {
			t.Errorf("after the run, %s: got %q, want %q", c.series, got, c.want)
		}
	}
	if res, err := http.Get(base + "/debug/pprof/"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /debug/pprof/ on the main listener: got %v, %v, want 404", res.Status, err)
	} else {
		res.Body.Close()
	}
}

// The profiler serves on loopback only, and nothing but the profiler.
func TestDebugAddr(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:6060", "[::1]:6060", "localhost:6060"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("checkLoopback(%s): %v, want nil", addr, err)
		}
	}
	for _, addr := range []string{":6060", "0.0.0.0:6060", "192.0.2.1:6060", "example.org:6060", "6060"} {
		if err := checkLoopback(addr); err == nil {
			t.Errorf("checkLoopback(%s): got nil, want an error", addr)
		}
	}
	err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-debug-addr", ":6060"},
		func(string) string { return "" }, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "must be on loopback") {
		t.Errorf("-debug-addr :6060: got %v, want a refusal naming loopback", err)
	}
	srv, addr, err := serveDebug("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for path, want := range map[string]int{"/debug/pprof/": 200, "/debug/pprof/goroutine?debug=1": 200, "/metrics": 404} {
		res, err := http.Get("http://" + addr.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s on the debug listener: got %d, want %d", path, res.StatusCode, want)
		}
	}
}
