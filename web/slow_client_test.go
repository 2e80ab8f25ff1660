package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runs"
)

// countingStore counts the loads of a run's events.
type countingStore struct {
	*runs.MemStore
	loads atomic.Int32
}

func (c *countingStore) LoadEvents(ctx context.Context, id string) ([]runs.Event, error) {
	c.loads.Add(1)
	return c.MemStore.LoadEvents(ctx, id)
}

// finishedRun stores a done run of n log events of about 250 bytes each,
// then its final status, and returns its id.
func finishedRun(t *testing.T, store runs.Store, n int) string {
	t.Helper()
	id := runs.NewID(10)
	ctx := context.Background()
	if err := store.SaveRun(ctx, runs.Run{ID: id, Experiment: "fake", Status: runs.StatusDone, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	events := make([]runs.Event, 0, n+1)
	pad := strings.Repeat("x", 200)
	for i := range n {
		events = append(events, runs.Event{Seq: int64(i), Type: event.TypeLog,
			Data: fmt.Appendf(nil, `{"seq":%d,"t":1,"type":"log","text":"%d %s"}`, i, i, pad)})
	}
	events = append(events, runs.Event{Seq: int64(n), Type: event.TypeStatus, Data: fmt.Appendf(nil, `{"seq":%d,"t":2,"type":"status","state":"done"}`, n)})
	if err := store.SaveEvents(ctx, id, events); err != nil {
		t.Fatal(err)
	}
	return id
}

// openRunSockets is how many run sockets the server holds.
func (s *Server) openRunSockets() int {
	s.runSockets.mu.Lock()
	defer s.runSockets.mu.Unlock()
	return s.runSockets.total
}

// dialNonReader opens a run socket whose client has a 2 KB receive buffer
// and never reads.
func dialNonReader(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{
		ReadBufferSize: 1024,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetReadBuffer(2048)
			}
			return c, err
		},
	}
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return conn
}

// TestNonReadingClientsDropped opens sockets on a long finished run whose
// clients never read: each is dropped once it takes nothing for the write
// wait, the server goes on serving (a reading client gets the whole run),
// and once they are gone the server holds no run's log.
func TestNonReadingClientsDropped(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := &countingStore{MemStore: runs.NewMemStore()}
	const events = 20000 // about 5 MB, far past the kernel's buffers and sendBudget
	id := finishedRun(t, store, events)
	m, err := runs.NewManager(context.Background(), log, store, runs.Config{}, []lab.Experiment{fake{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(log, m, fstest.MapFS{})
	srv.writeWait = 200 * time.Millisecond
	ts := httptest.NewServer(srv.Handler())
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
		srv.CloseSockets(ctx)
		ts.Close()
	}()
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/runs/" + id + "/events"

	const stalled = 20
	var conns []*websocket.Conn
	for range stalled {
		conns = append(conns, dialNonReader(t, url))
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()

	// A client that reads gets every event and the end, meanwhile.
	reader, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for {
		if _, _, err := reader.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("reading client: %v after %d events, want a normal close", err, got)
			}
			break
		}
		got++
	}
	reader.Close()
	if got != events+1 {
		t.Errorf("reading client: got %d events, want %d", got, events+1)
	}

	// The non-readers are dropped: every socket closes server-side.
	deadline := time.Now().Add(20 * time.Second)
	for srv.openRunSockets() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := srv.openRunSockets(); n != 0 {
		t.Fatalf("sockets of clients that never read: %d still open, want all dropped", n)
	}
	if n := srv.logs.held(); n != 0 {
		t.Errorf("after the sockets went: %d run logs held, want none", n)
	}
	if n := store.loads.Load(); n > stalled+1 {
		t.Errorf("event loads: got %d for %d sockets, want at most one each", n, stalled+1)
	}
	res, err := http.Get(ts.URL + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("healthz after the flood: %v %v, want 200", res, err)
	}
	res.Body.Close()
}

// TestSharedLogs has 50 sockets of one run ask for its log at once: it is
// loaded once and every socket gets the same one; when the last lets go it
// is forgotten, and the next socket loads it afresh.
func TestSharedLogs(t *testing.T) {
	c := &sharedLogs{m: make(map[string]*sharedLog)}
	var loads atomic.Int32
	release := make(chan struct{})
	load := func(context.Context, string) (*runs.EventLog, error) {
		loads.Add(1)
		<-release
		return runs.NewEventLog(), nil
	}
	const sockets = 50
	logs := make(chan *runs.EventLog, sockets)
	var wg sync.WaitGroup
	for range sockets {
		wg.Go(func() {
			l, _, err := c.acquire(context.Background(), "run", load)
			if err != nil {
				t.Error(err)
			}
			logs <- l
		})
	}
	for c.refs("run") < sockets {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(logs)
	first := <-logs
	for l := range logs {
		if l != first {
			t.Fatalf("two sockets got different logs of one run")
		}
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("loads: got %d, want 1", n)
	}
	for range sockets {
		c.release("run")
	}
	if n := c.held(); n != 0 {
		t.Errorf("after every socket let go: %d logs held, want 0", n)
	}
	if _, _, err := c.acquire(context.Background(), "run", func(context.Context, string) (*runs.EventLog, error) {
		loads.Add(1)
		return runs.NewEventLog(), nil
	}); err != nil || loads.Load() != 2 {
		t.Errorf("after the last let go: %v, loads %d, want a fresh load", err, loads.Load())
	}
	c.release("run")
}

// refs is how many sockets hold run id's log, for tests.
func (c *sharedLogs) refs(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sl, ok := c.m[id]; ok {
		return sl.refs
	}
	return 0
}
