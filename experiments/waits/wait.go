package waits

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// Waits is one trial's work: N waits of Latency each, of a Kind.
type Waits struct {
	N, K    int           // waits, and the pool's size
	Latency time.Duration // how long each wait lasts
	Kind    string        // "timer" or "net"
	Addr    string        // the loopback server's address, for "net"

	ctx    context.Context
	done   atomic.Int64 // waits that finished
	now    atomic.Int64 // waits in progress
	atOnce atomic.Int64 // the most waits in progress at once
}

// Wait is one wait: a timer that fires after Latency, or a request to
// the run's loopback server, which answers after Latency. Either way the
// goroutine is parked and needs no core until its answer comes.
func (w *Waits) Wait(i int) {
	n := w.now.Add(1)
	for m := w.atOnce.Load(); n > m && !w.atOnce.CompareAndSwap(m, n); m = w.atOnce.Load() {
	}
	defer w.now.Add(-1)
	var err error
	if w.Kind == "net" {
		err = w.request()
	} else {
		err = w.sleep()
	}
	if err == nil {
		w.done.Add(1)
	}
}

// sleep waits Latency, or less if the run is cancelled.
func (w *Waits) sleep() error {
	t := time.NewTimer(w.Latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
}

// request sends one byte to the loopback server and reads its answer.
func (w *Waits) request() error {
	var d net.Dialer
	conn, err := d.DialContext(w.ctx, "tcp", w.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(w.ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	b := []byte{1}
	if _, err := conn.Write(b); err != nil {
		return err
	}
	_, err = conn.Read(b)
	return err
}
