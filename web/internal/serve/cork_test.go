package serve

import (
	"bytes"
	"errors"
	"net"
	"testing"
)

// countingConn records each write it is given.
type countingConn struct {
	net.Conn
	writes [][]byte
	fail   error
}

func (c *countingConn) Write(p []byte) (int, error) {
	if c.fail != nil {
		return 0, c.fail
	}
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

func TestCork(t *testing.T) {
	under := &countingConn{}
	c := &Cork{Conn: under}
	c.Write([]byte("ping"))
	if len(under.writes) != 1 {
		t.Fatalf("a write before Hold: got %d writes, want it at once", len(under.writes))
	}
	c.Hold()
	var want []byte
	for i := range 100 {
		msg := []byte{byte('a' + i%26), ' '}
		want = append(want, msg...)
		if n, err := c.Write(msg); n != len(msg) || err != nil {
			t.Fatalf("corked write: got %d %v, want %d <nil>", n, err, len(msg))
		}
	}
	if len(under.writes) != 1 {
		t.Fatalf("while held: got %d writes, want none beyond the first", len(under.writes)-1)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if c.buf != nil {
		t.Error("after Flush the cork still holds its buffer")
	}
	if len(under.writes) != 2 || !bytes.Equal(under.writes[1], want) {
		t.Fatalf("after Flush: got %d writes, the last %q; want one write of the 100 messages in order", len(under.writes), under.writes[len(under.writes)-1])
	}

	// Past corkMax the gathered bytes leave before the batch ends.
	c.Hold()
	big := make([]byte, corkMax/2)
	c.Write(big)
	c.Write(big)
	if len(under.writes) != 3 || len(under.writes[2]) != len(big)*2 {
		t.Errorf("past corkMax: got %d writes, want the two halves sent together at once", len(under.writes)-2)
	}
	c.Flush()

	// A failed write fails every later one.
	under.fail = errors.New("gone")
	c.Hold()
	c.Write([]byte("x"))
	if err := c.Flush(); err == nil {
		t.Error("Flush to a dead connection: got nil, want its error")
	}
	under.fail = nil
	if _, err := c.Write([]byte("y")); err == nil {
		t.Error("a write after a failed one: got nil, want the failure again")
	}
}
