package waits

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// A server is the run's own loopback server for kind "net": it answers
// each connection's byte after the latency, then closes (the server
// closing first keeps the TIME_WAIT sockets on its side, off the
// client's ephemeral ports).
type server struct {
	ln      net.Listener
	latency time.Duration
	wg      sync.WaitGroup // the accept loop and every connection's goroutine
}

func startServer(ctx context.Context, latency time.Duration) (*server, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{ln: ln, latency: latency}
	s.wg.Add(1)
	go s.serve(ctx)
	return s, nil
}

func (s *server) serve(ctx context.Context) {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue // a full backlog or descriptor table: the client sees its error
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			b := []byte{0}
			if _, err := conn.Read(b); err != nil {
				return
			}
			t := time.NewTimer(s.latency)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
			conn.Write(b)
		}()
	}
}

// close stops the server and waits for its goroutines.
func (s *server) close() {
	s.ln.Close()
	s.wg.Wait()
}
