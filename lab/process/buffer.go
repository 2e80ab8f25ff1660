package process

import (
	"bytes"
	"sync"
)

// A BoundedBuffer keeps the first max bytes written to it, from any
// goroutine (a command's stdout and stderr are copied apart).
type BoundedBuffer struct {
	max int

	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

// NewBoundedBuffer returns a buffer that keeps max bytes.
func NewBoundedBuffer(max int) *BoundedBuffer { return &BoundedBuffer{max: max} }

// Write keeps what fits and reports all of p written.
func (b *BoundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// Bytes returns a copy of what the buffer kept.
func (b *BoundedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// String returns what the buffer kept.
func (b *BoundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
