package postgres

// Notifications between servers: one connection per Store listens
// (LISTEN, through pgxlisten) on the lab's channels and wakes whoever
// watches the run, the queue or the session a notification names. A
// notification only says "look again": watchers read what changed from
// the tables, so one lost while the connection was down costs nothing
// but a wait (every watcher is woken when listening resumes).

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// notifier fans notifications out to watchers.
type notifier struct {
	start func() // starts listening, once

	mu       sync.Mutex                             // guards watchers
	watchers map[string]map[*chan struct{}]struct{} // channel + "\x00" + payload -> wake-ups
}

// startListening begins listening on the lab's channels until Close.
func (s *Store) startListening() {
	ctx, cancel := context.WithCancel(context.Background())
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			return pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
		},
		LogError: func(_ context.Context, err error) {
			if ctx.Err() == nil {
				s.log.Warn("listen for other servers' changes", "err", err)
			}
		},
		ReconnectDelay: time.Second,
	}
	for _, ch := range []string{chanEvents, chanQueue, chanSessions} {
		l.Handle(ch, wakeHandler{s.notes})
	}
	done := make(chan struct{})
	go func() { defer close(done); l.Listen(ctx) }()
	s.stopListening = func() { cancel(); <-done }
}

// wakeHandler wakes the watchers of a notification; after a reconnect
// (the backlog), every watcher, since notifications may have been lost.
type wakeHandler struct{ n *notifier }

func (h wakeHandler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	h.n.wake(n.Channel + "\x00" + n.Payload)
	return nil
}

func (h wakeHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.n.wakeAll()
	return nil
}

func (n *notifier) watch(key string) (<-chan struct{}, func()) {
	n.start()
	c := make(chan struct{}, 1)
	n.mu.Lock()
	if n.watchers == nil {
		n.watchers = make(map[string]map[*chan struct{}]struct{})
	}
	if n.watchers[key] == nil {
		n.watchers[key] = make(map[*chan struct{}]struct{})
	}
	n.watchers[key][&c] = struct{}{}
	n.mu.Unlock()
	return c, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		delete(n.watchers[key], &c)
		if len(n.watchers[key]) == 0 {
			delete(n.watchers, key)
		}
	}
}

func (n *notifier) wake(key string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for c := range n.watchers[key] {
		select {
		case *c <- struct{}{}:
		default: // already due to look
		}
	}
}

func (n *notifier) wakeAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, ws := range n.watchers {
		for c := range ws {
			select {
			case *c <- struct{}{}:
			default:
			}
		}
	}
}

// Watch implements runs.SharedQueue: id "" watches the queue.
func (s *Store) Watch(id string) (<-chan struct{}, func()) {
	if id == "" {
		return s.notes.watch(chanQueue + "\x00")
	}
	return s.notes.watch(chanEvents + "\x00" + id)
}

// WatchSession returns a channel that receives a value whenever session
// code may have changed on another server; stop ends it.
func (s *Store) WatchSession(code string) (<-chan struct{}, func()) {
	return s.notes.watch(chanSessions + "\x00" + code)
}
