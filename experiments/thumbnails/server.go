package thumbnails

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// chunk is how much the server writes at a time, pacing its bandwidth.
const chunk = 32 << 10

// A server is the trial's own photo server on loopback: GET /photo/{i}
// answers photo i after the latency, at the bandwidth (MiB/s a
// connection), as a remote server would.
type server struct {
	srv  *http.Server
	URL  string
	done chan struct{}
}

func startServer(set *photoSet, latency time.Duration, mibPerS float64) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /photo/{i}", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(r.PathValue("i"))
		if err != nil || i < 0 || i >= set.n {
			http.NotFound(w, r)
			return
		}
		if !sleep(r.Context(), latency) {
			return
		}
		body := set.jpegs[i]
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		rate := mibPerS * (1 << 20) / float64(time.Second) // bytes a nanosecond
		t0 := time.Now()
		for sent := 0; sent < len(body); {
			n := min(chunk, len(body)-sent)
			if _, err := w.Write(body[sent : sent+n]); err != nil {
				return
			}
			sent += n
			w.(http.Flusher).Flush()
			due := t0.Add(time.Duration(float64(sent) / rate))
			if !sleep(r.Context(), time.Until(due)) {
				return
			}
		}
	})
	s := &server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, URL: "http://" + ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			ln.Close()
		}
	}()
	return s, nil
}

// close stops the server, its connections with it.
func (s *server) close() {
	s.srv.Close()
	<-s.done
}

// sleep waits d, or less if ctx ends first (then it returns false).
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
