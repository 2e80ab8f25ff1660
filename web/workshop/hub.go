package workshop

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"concurrencylab/lab/session"
	"concurrencylab/web/internal/serve"
)

const (
	// sessionSendBuffer is how many messages a session socket may have
	// waiting; a client further behind is dropped (and reconnects to a
	// fresh snapshot) so it never holds up the room.
	sessionSendBuffer = 64
	// coalesceEvery is how often the roster, the board and the guess count
	// go out while they change: 300 learners joining at once send each
	// page a handful of rosters, not 300.
	coalesceEvery = 100 * time.Millisecond
)

// errClosing refuses a session socket once the server is shutting down.
var errClosing = errors.New("the server is restarting: reconnect in a moment")

// sessionHubs holds one hub per session with open sockets, and the limits
// on sessions' clients.
type sessionHubs struct {
	mu      sync.Mutex      // guards m, closing and every hub's refs
	m       map[string]*hub // by room code
	closing bool            // the server is shutting down: no new socket or hub
	wg      sync.WaitGroup  // the sockets and the hubs' goroutines; Add only under mu, while !closing

	creates, joins  *serve.RateLimit // per client (session_limits.go)
	lookups         *serve.RateLimit // unknown room codes, per client (session_codes.go)
	watchersPerAddr int              // watchers without the key per address per session; tests lower it
	joinedFrom      map[string]int   // learners joined per room code and address (places.go)
}

// A hub fans one session's events out to its open sockets, in the shape of
// gorilla's chat example: one goroutine owns the clients; each client has
// a buffered send channel and its own writer. Every message is prepared
// once (websocket.PreparedMessage) and handed to every client.
type hub struct {
	s    *Server
	code string
	refs int // sockets holding the hub; guarded by sessionHubs.mu
	// Watchers' places (places.go); guarded by sessionHubs.mu.
	keyed      int            // watchers with the key
	open       map[string]int // watchers without it, per address
	openTotal  int
	register   chan *client
	unregister chan *client
	stop       chan struct{} // closed when the last socket leaves

	// Owned by the run goroutine.
	sub     *session.Subscription
	view    session.View
	clients map[*client]struct{}
	snap    []out // the prepared snapshot (state and board), shared by new clients until the room changes
}

// out is one message on its way to a client, and its size for the
// client's send budget.
type out struct {
	pm *websocket.PreparedMessage
	n  int64
}

// A client is one open session socket.
type client struct {
	send      chan out
	queued    atomic.Int64 // bytes in send, against sessionSendBudget
	welcome   []byte       // the first message, for this client only
	learner   bool         // a learner's page: its roster carries counts, not names
	learnerID string       // the learner, for a learner's page

	// Set by the hub before it closes send: the close frame the writer
	// sends. Zero: the page fell behind.
	closeCode   int
	closeReason string
}

// enqueue hands c a message unless that would put c past its send budget
// or its buffer is full; it reports whether it did.
func (c *client) enqueue(m out) bool {
	if c.queued.Add(m.n) > sessionSendBudget {
		c.queued.Add(-m.n)
		return false
	}
	select {
	case c.send <- m:
		return true
	default:
		c.queued.Add(-m.n)
		return false
	}
}

// joinHub counts one more socket in the session's hub, in place p,
// starting the hub for the first, and returns it; refused names the cap
// p would pass (nothing is counted then). Each joinHub that returns no
// error and no refusal must be matched by a leaveHub. Once the server is
// shutting down it is errClosing.
func (s *Server) joinHub(ctx context.Context, code string, p place) (h *hub, refused string, err error) {
	s.hubs.mu.Lock()
	defer s.hubs.mu.Unlock()
	if s.hubs.closing {
		return nil, "", errClosing
	}
	h = s.hubs.m[code]
	if h != nil {
		if refused := s.takePlaceLocked(h, p); refused != "" {
			return nil, refused, nil
		}
	} else {
		sub, view, err := s.sessions.Subscribe(ctx, code)
		if err != nil {
			return nil, "", err
		}
		h = &hub{
			s: s, code: code, sub: sub, view: view,
			register: make(chan *client), unregister: make(chan *client), stop: make(chan struct{}),
			clients: make(map[*client]struct{}), open: make(map[string]int),
		}
		s.takePlaceLocked(h, p) // the first socket always has a place
		s.hubs.m[code] = h
		s.hubs.wg.Add(1) // the hub's goroutine
		go h.run()
	}
	h.refs++
	s.hubs.wg.Add(1) // this socket, until leaveHub
	return h, "", nil
}

// leaveHub lets go of h and of place p; the last socket to leave stops it.
func (s *Server) leaveHub(h *hub, p place) {
	defer s.hubs.wg.Done()
	s.hubs.mu.Lock()
	defer s.hubs.mu.Unlock()
	h.releasePlaceLocked(p)
	h.refs--
	if h.refs == 0 {
		delete(s.hubs.m, h.code)
		close(h.stop)
	}
}

func (h *hub) run() {
	defer h.s.hubs.wg.Done()
	defer func() { h.sub.Close() }() // h.sub may be replaced on the way
	events := h.sub.C()
	var flush <-chan time.Time
	rosterDirty, predictionDirty := false, false
	entriesDirty := map[string]bool{}
	for {
		select {
		case c := <-h.register:
			if c.learnerID != "" {
				h.dropLearner(c.learnerID, nil, websocket.ClosePolicyViolation, "this learner opened the session on another page: that page holds the place now")
			}
			h.clients[c] = struct{}{}
			h.snapshot(c)
		case c := <-h.unregister:
			h.drop(c)
		case e, ok := <-events:
			if !ok {
				events = h.resubscribe()
				continue
			}
			h.view.Apply(e)
			h.snap = nil
			switch e.Type {
			case session.EventLearner:
				rosterDirty = true
				if e.Learner != nil && e.Learner.Removed {
					h.dropLearner(e.Learner.ID, removedMessage, websocket.ClosePolicyViolation, removedReason)
				}
			case session.EventEntry:
				entriesDirty[e.Entry.Run] = true
			case session.EventPrediction:
				predictionDirty = true
			default:
				h.broadcast(h.stateMessage(e.Type))
			}
			if flush == nil && (rosterDirty || predictionDirty || len(entriesDirty) > 0) {
				flush = time.After(coalesceEvery)
			}
		case <-flush:
			flush = nil
			if rosterDirty {
				h.broadcastRoster()
			}
			if predictionDirty {
				h.broadcast(h.stateMessage(session.EventPrediction))
			}
			if len(entriesDirty) > 0 {
				h.broadcast(h.boardMessage(entriesDirty))
			}
			rosterDirty, predictionDirty = false, false
			entriesDirty = map[string]bool{}
		case <-h.stop:
			for c := range h.clients {
				h.drop(c)
			}
			return
		}
	}
}

// resubscribe replaces a subscription the service dropped (it fell behind)
// and brings every client up to date; it returns the new event channel, or
// nil (which blocks) if the service is closing.
func (h *hub) resubscribe() <-chan session.Event {
	if h.sub.Err() == nil {
		return nil // the service closed: nothing more will happen
	}
	sub, view, err := h.s.sessions.Subscribe(h.s.sockets, h.code)
	if err != nil {
		h.s.log.Error("resubscribe to a session", "session", h.code, "err", err)
		return nil
	}
	h.sub.Close()
	h.sub, h.view, h.snap = sub, view, nil
	for _, m := range h.snapshotMessages() {
		h.broadcast(m)
	}
	h.broadcastRoster()
	return sub.C()
}

// drop closes a client's send channel; its writer then says goodbye.
func (h *hub) drop(c *client) {
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c.send)
	}
}

// dropLearner closes the pages of learner id with a close code and a
// reason, after last (if not nil), a message that tells the page why.
func (h *hub) dropLearner(id string, last []byte, code int, reason string) {
	for c := range h.clients {
		if c.learnerID == id {
			if last != nil {
				c.enqueue(prepare(last)) // past its budget the close frame still says why
			}
			c.closeCode, c.closeReason = code, reason
			h.drop(c)
		}
	}
}

// broadcast hands one prepared message to every client, dropping the ones
// whose buffer is full rather than waiting for them.
func (h *hub) broadcast(data []byte) { h.broadcastTo(data, func(*client) bool { return true }) }

// broadcastRoster sends watchers (the console, the board, the join screen)
// every learner, and learners' pages only the counts: a room of 300
// joining at once would otherwise send each page 300 names 300 times.
func (h *hub) broadcastRoster() {
	h.broadcastTo(h.rosterMessage(), func(c *client) bool { return !c.learner })
	h.broadcastTo(h.rosterCounts(), func(c *client) bool { return c.learner })
}

func (h *hub) broadcastTo(data []byte, to func(*client) bool) {
	if len(h.clients) == 0 {
		return
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		h.s.log.Error("prepare session message", "session", h.code, "err", err)
		return
	}
	m := out{pm, int64(len(data))}
	for c := range h.clients {
		if !to(c) {
			continue
		}
		if !c.enqueue(m) {
			h.s.log.Info("session socket dropped: too far behind", "session", h.code)
			h.drop(c)
		}
	}
}
