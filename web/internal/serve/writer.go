package serve

import (
	"bufio"
	"errors"
	"net"
	"net/http"
)

// A StatusWriter remembers the status code written, for the request log
// and for wrappers that act on a handler's answer.
type StatusWriter struct {
	http.ResponseWriter
	Status int
}

func (w *StatusWriter) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to the websocket upgrader.
func (w *StatusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("web: the connection cannot be taken over")
	}
	w.Status = http.StatusSwitchingProtocols
	return h.Hijack()
}
