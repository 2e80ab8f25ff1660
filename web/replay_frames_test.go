package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"net/http/httptest"

	"github.com/gorilla/websocket"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runs"
)

// TestReplayFrames has sockets replay a finished run whose events need
// each of a frame's three length forms: every socket gets every event
// byte for byte, in order.
func TestReplayFrames(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := runs.NewMemStore()
	id := runs.NewID(10)
	ctx := context.Background()
	if err := store.SaveRun(ctx, runs.Run{ID: id, Experiment: "fake", Status: runs.StatusDone, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var events []runs.Event
	for i, n := range []int{10, 125, 126, 300, 65535, 65536, 70000, 20} {
		events = append(events, runs.Event{Seq: int64(i), Type: event.TypeLog,
			Data: fmt.Appendf(nil, `{"seq":%d,"type":"log","text":"%s"}`, i, strings.Repeat("x", max(0, n-40)))})
	}
	events = append(events, runs.Event{Seq: int64(len(events)), Type: event.TypeStatus, Data: fmt.Appendf(nil, `{"seq":%d,"type":"status","state":"done"}`, len(events))})
	if err := store.SaveEvents(ctx, id, events); err != nil {
		t.Fatal(err)
	}
	m, err := runs.NewManager(ctx, log, store, runs.Config{}, []lab.Experiment{fake{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(log, m, fstest.MapFS{})
	ts := httptest.NewServer(srv.Handler())
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
		srv.CloseSockets(ctx)
		ts.Close()
	}()
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/runs/" + id + "/events"
	for socket := range 3 {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadLimit(1 << 20)
		for i, want := range events {
			_, got, err := c.ReadMessage()
			if err != nil {
				t.Fatalf("socket %d, event %d: %v", socket, i, err)
			}
			if !bytes.Equal(got, want.Data) {
				t.Fatalf("socket %d, event %d: got %d bytes %.40q, want %d bytes %.40q", socket, i, len(got), got, len(want.Data), want.Data)
			}
		}
		if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
			t.Errorf("socket %d after the last event: got %v, want a normal close", socket, err)
		}
		c.Close()
	}
}

// TestFramedReplayShared: sockets replaying the same events share one
// framing; a longer replay frames again only after refreshReplay, and
// meanwhile gets the frames there are, the rest left to it.
func TestFramedReplayShared(t *testing.T) {
	ev := func(n int) []runs.Event {
		var out []runs.Event
		for i := range n {
			out = append(out, runs.Event{Seq: int64(i), Data: []byte(fmt.Sprintf(`{"seq":%d}`, i))})
		}
		return out
	}
	var f framedReplay
	now := time.Now()
	a, upA := f.frames(ev(5), now)
	b, upB := f.frames(ev(5), now)
	if upA != 4 || upB != 4 || &a[0] != &b[0] {
		t.Fatalf("two replays of 5 events: got up to %d and %d, shared %v; want 4 and 4, one framing", upA, upB, &a[0] == &b[0])
	}
	c, upC := f.frames(ev(8), now.Add(refreshReplay/2))
	if upC != 4 || &c[0] != &a[0] {
		t.Errorf("a longer replay soon after: got frames up to %d, want the 5 there are (up to 4)", upC)
	}
	d, upD := f.frames(ev(8), now.Add(refreshReplay))
	if upD != 7 || !bytes.Equal(d, appendFrames(nil, ev(8))) {
		t.Errorf("a longer replay later: got frames up to %d, want all 8 framed afresh", upD)
	}
	if _, up := f.frames(ev(8)[3:], now); up != -1 {
		t.Errorf("a batch that does not start the run: got frames up to %d, want none", up)
	}
}
