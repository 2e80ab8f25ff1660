package web

import (
	"sync"
	"time"

	"concurrencylab/lab/runs"
	"concurrencylab/web/internal/serve"
)

// refreshReplay is how old the framed replay of a live run may grow
// before a socket that needs more builds it again.
const refreshReplay = time.Second

// A framedReplay is the start of a run's events as websocket frames, built
// once and written as they are to every socket that replays the run: under
// a flood of sockets on a finished run each one cost framing thousands of
// messages, the bulk of the server's CPU; now it costs a few writes of
// shared bytes. Sockets hold the bytes only while they write them.
type framedReplay struct {
	mu    sync.Mutex // guards the fields below
	data  []byte     // frames of events 0..upTo; nil until a socket replays
	upTo  int64
	built time.Time
}

// frames returns frames of a prefix of batch, a replay from the first
// event, and the seq of the last event they hold (-1 if none): the
// events after it are the caller's to send. A replay longer than the
// frames built refreshes them, at most once per refreshReplay, so the
// live run of a flood is framed once a second, not once a socket.
func (f *framedReplay) frames(batch []runs.Event, now time.Time) ([]byte, int64) {
	if len(batch) == 0 || batch[0].Seq != 0 {
		return nil, -1
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	last := batch[len(batch)-1].Seq
	if f.data == nil || (last > f.upTo && now.Sub(f.built) >= refreshReplay) {
		f.data, f.upTo, f.built = appendFrames(nil, batch), last, now
	}
	if f.upTo > last { // a replay shorter than the frames: not expected of a log that only grows
		return nil, -1
	}
	return f.data, f.upTo
}

// appendFrames appends each event as a text frame.
func appendFrames(b []byte, events []runs.Event) []byte {
	for _, e := range events {
		b = serve.AppendTextFrame(b, e.Data)
	}
	return b
}
