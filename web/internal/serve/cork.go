package serve

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// corkMax is the most bytes a corked connection gathers before it writes
// them anyway: a socket blocked on a client that never reads holds this
// much beside the kernel's buffer.
const corkMax = 16 << 10

// corkBufs are the buffers of corked connections between batches.
var corkBufs = sync.Pool{New: func() any { b := make([]byte, 0, corkMax+4<<10); return &b }}

// A Cork holds back the writes of one websocket connection between Hold
// and Flush, so a batch of small messages leaves in a few writes rather
// than a system call each: a replay of thousands of events to a socket
// cost as many writes, and a flood of sockets spent the server's CPU on
// them. Control frames written meanwhile (a pong, a close) go in the same
// order.
type Cork struct {
	net.Conn
	mu       sync.Mutex // guards the fields below; the socket's writer and gorilla's control frames both write
	held     bool
	buf      *[]byte   // from corkBufs while held
	deadline time.Time // the write deadline asked for while held, set on the connection when it writes
	broken   error     // the first failed write: every later one fails too
}

// UpgradeCorked upgrades like Upgrader.Upgrade and returns the
// connection's Cork beside it.
func UpgradeCorked(w http.ResponseWriter, r *http.Request) (*websocket.Conn, *Cork, error) {
	cw := &corkWriter{ResponseWriter: w}
	conn, err := Upgrader.Upgrade(cw, r, nil)
	if err != nil {
		return nil, nil, err
	}
	return conn, cw.cork, nil
}

// Hold starts gathering writes.
func (c *Cork) Hold() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = true
	if c.buf == nil {
		c.buf = corkBufs.Get().(*[]byte)
	}
}

// Flush writes what was gathered and stops gathering; the buffer goes back
// to the pool, so an idle socket holds none.
func (c *Cork) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = false
	err := c.flushLocked()
	if c.buf != nil {
		*c.buf = (*c.buf)[:0]
		corkBufs.Put(c.buf)
		c.buf = nil
	}
	return err
}

// SetWriteDeadline sets the deadline of the connection's writes; while
// held, that of the next write the cork makes (a deadline per message
// would reset the runtime's timer thousands of times a replay).
func (c *Cork) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held {
		c.deadline = t
		return nil
	}
	return c.Conn.SetWriteDeadline(t)
}

// Write is the connection's write, gathered while held.
func (c *Cork) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return 0, c.broken
	}
	if !c.held {
		return c.Conn.Write(p)
	}
	*c.buf = append(*c.buf, p...)
	if len(*c.buf) >= corkMax {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (c *Cork) flushLocked() error {
	if c.broken != nil {
		return c.broken
	}
	if c.buf == nil || len(*c.buf) == 0 {
		return nil
	}
	if !c.deadline.IsZero() {
		c.Conn.SetWriteDeadline(c.deadline)
		c.deadline = time.Time{}
	}
	_, err := c.Conn.Write(*c.buf)
	*c.buf = (*c.buf)[:0]
	if err != nil {
		c.broken = err
	}
	return err
}

// WriteFrames writes text frames made by AppendTextFrame (shared by many
// connections, never changed) in pieces of about corkMax, cut between
// frames, each given wait: gorilla's control frames (a pong, a close) may
// go between pieces, never inside a frame. Only the connection's one
// writer calls it, between messages.
func (c *Cork) WriteFrames(frames []byte, wait time.Duration) error {
	for len(frames) > 0 {
		n := 0
		for n < len(frames) && n < corkMax {
			n += frameLen(frames[n:])
		}
		n = min(n, len(frames))
		if err := c.writeRaw(frames[:n], wait); err != nil {
			return err
		}
		frames = frames[n:]
	}
	return nil
}

func (c *Cork) writeRaw(p []byte, wait time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flushLocked(); err != nil { // nothing is held here; this keeps the order if it were
		return err
	}
	c.Conn.SetWriteDeadline(time.Now().Add(wait))
	if _, err := c.Conn.Write(p); err != nil {
		c.broken = err
		return err
	}
	return nil
}

// AppendTextFrame appends data as one final, unmasked text frame, as a
// server sends it (RFC 6455 section 5.2).
func AppendTextFrame(b, data []byte) []byte {
	n := len(data)
	switch {
	case n < 126:
		b = append(b, 0x81, byte(n))
	case n <= 0xffff:
		b = append(b, 0x81, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x81, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, data...)
}

// frameLen is the length of the frame AppendTextFrame made at the start of b.
func frameLen(b []byte) int {
	switch n := int(b[1] & 0x7f); n {
	case 126:
		return 4 + int(binary.BigEndian.Uint16(b[2:]))
	case 127:
		return 10 + int(binary.BigEndian.Uint64(b[2:]))
	default:
		return 2 + n
	}
}

// SetWriteBuffer sets the kernel's send buffer of a TCP connection.
func (c *Cork) SetWriteBuffer(n int) error {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		return tc.SetWriteBuffer(n)
	}
	return nil
}

// corkWriter hands the upgrader the hijacked connection wrapped in a Cork.
type corkWriter struct {
	http.ResponseWriter
	cork *Cork
}

func (w *corkWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if w.cork != nil {
		return nil, nil, errors.New("serve: hijacked twice")
	}
	w.cork = &Cork{Conn: conn}
	return w.cork, brw, nil
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *corkWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
