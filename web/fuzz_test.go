package web

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
	"concurrencylab/web/internal/serve"
)

// FuzzRunJSON feeds POST /api/runs bodies to its decoder and the
// parameter parser: neither may panic, a body they accept names only
// "experiment" and "params" (exactly), and a refusal names what was wrong.
func FuzzRunJSON(f *testing.F) {
	f.Add([]byte(`{"experiment":"fake","params":{"n":8,"wait":"5ms","note":"hi"}}`))
	f.Add([]byte(`{"experiment":"fake","params":{"n":"0x1p3"}}`))
	f.Add([]byte(`{"Experiment":"fake"}`))
	info := fake{}.Info()
	f.Fuzz(func(t *testing.T, body []byte) {
		var req createRunRequest
		if err := serve.DecodeStrict(body, &req); err != nil {
			if err.Error() == "" {
				t.Fatal("a refusal without a message")
			}
			return
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(body, &members) == nil {
			for k := range members {
				if k != "experiment" && k != "params" {
					t.Fatalf("accepted member %q", k)
				}
			}
		}
		p, err := lab.ParseJSON(info, req.Params)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("a parameter error without a message")
			}
			return
		}
		if n := p.Int("n"); n < 1 || n > 100 {
			t.Fatalf("accepted n = %d, outside 1..100", n)
		}
	})
}

// FuzzWebsocketReader writes arbitrary bytes to a run's socket after the
// handshake: the server must neither panic nor hold the connection past
// its pong wait, and must keep serving.
func FuzzWebsocketReader(f *testing.F) {
	f.Add([]byte("\x81\x85\x00\x00\x00\x00hello"))                            // a masked text frame
	f.Add([]byte("\x8a\x80\x00\x00\x00\x00"))                                 // a pong
	f.Add([]byte("\x88\x82\x00\x00\x00\x00\x03\xe8"))                         // a close
	f.Add([]byte("\x82\xff\x7f\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00")) // a huge length
	ts, srv := newTestServerWith(f, runs.Config{MaxQueue: 1000, PerClient: 1000})
	srv.pongWait = 300 * time.Millisecond
	id := ts.startRun(f, `{"wait":"10s"}`)
	addr := strings.TrimPrefix(ts.URL, "http://")
	f.Fuzz(func(t *testing.T, data []byte) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		conn.Write([]byte("GET /runs/" + id + "/events HTTP/1.1\r\nHost: " + addr +
			"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"))
		br := bufio.NewReader(conn)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("handshake: %v", err)
		}
		if res.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("handshake: got %d", res.StatusCode)
		}
		conn.Write(data)
		// The server ends the connection: on a message, a bad frame, a
		// close, or when no pong came within its pong wait.
		buf := make([]byte, 4096)
		for {
			if _, err := br.Read(buf); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatalf("after %q the server still held the socket after 10s", data)
				}
				break
			}
		}
		if status, _ := ts.get(t, "/healthz"); status != http.StatusOK {
			t.Fatalf("healthz after %q: got %d", data, status)
		}
	})
}
