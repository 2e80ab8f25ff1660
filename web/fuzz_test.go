package web

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
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
		if err := decodeStrict(body, &req); err != nil {
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

// FuzzSessionActions sends bodies to every session action through the
// real handler: none may answer 5xx, and every 4xx is a JSON error with a
// message.
func FuzzSessionActions(f *testing.F) {
	f.Add(uint8(0), []byte(`{"experiment":"fake","params":{"n":5},"lock":true}`))
	f.Add(uint8(2), []byte(`{"question":"how many?","prompt":"guess"}`))
	f.Add(uint8(6), []byte(`{"name":"Ada"}`))
	f.Add(uint8(8), []byte(`{"learner":"x","token":"y","value":1e400}`))
	ts, _, srv := newSessionServerWith(f, func(*Server) {})
	code, key := ts.newSession(f)
	h := srv.Handler()
	actions := []string{"push", "run", "ask", "predict", "reveal", "spotlight", "join", "runs", "guess"}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		action := actions[int(which)%len(actions)]
		req := httptest.NewRequest("POST", "/api/sessions/"+code+"/"+action, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: got %d %s", action, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var msg struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &msg) != nil || msg.Error == "" {
				t.Fatalf("%s %q: got %d with body %q, want a JSON error", action, body, rec.Code, rec.Body)
			}
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
	ts, srv := newTestServerWith(f, lab.Config{MaxQueue: 1000, PerClient: 1000})
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
