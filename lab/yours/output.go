package yours

import (
	"bytes"
	"sync"
)

// An Output keeps the first MaxOutput bytes the programs of a run print
// and counts all.
type Output struct {
	mu  sync.Mutex // guards buf and n
	buf []byte
	n   int64
}

func (c *Output) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += int64(len(b))
	if room := MaxOutput - len(c.buf); room > 0 {
		c.buf = append(c.buf, b[:min(room, len(b))]...)
	}
	return len(b), nil
}

// NewOutput returns an empty Output.
func NewOutput() *Output { return &Output{} }

// Get returns what was kept and how many bytes were printed in all.
func (c *Output) Get() (string, int64) { return c.get() }

func (c *Output) get() (string, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf), c.n
}

// tail returns up to n bytes of the end of what was kept.
func (c *Output) tail(n int) string {
	s, _ := c.get()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return string(bytes.ToValidUTF8([]byte(s), []byte("?")))
}
