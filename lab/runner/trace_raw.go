package runner

// A traced trial's raw trace: captured in memory up to its bound, then
// kept in the run's trace directory for `go tool trace`.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
)

// capped keeps the first max bytes written to it and notes the rest was
// lost. The tracer's own goroutine writes; bytes reads after it stopped.
type capped struct {
	max int

	mu  sync.Mutex // guards buf and cut
	buf bytes.Buffer
	cut bool
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.max - c.buf.Len(); len(p) > room {
		c.buf.Write(p[:max(room, 0)])
		c.cut = true
	} else {
		c.buf.Write(p)
	}
	return len(p), nil
}

func (c *capped) bytes() ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Bytes(), c.cut
}

// TraceFile is the file name of a variant's raw trace in a run's trace
// directory: the name with anything but letters, digits and dashes made
// an underscore (a sweep's variants have slashes).
func TraceFile(variant string) string {
	b := []byte(variant)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b) + ".trace"
}

type traceDirKey struct{}

// WithTraceDir returns ctx carrying the directory a run's raw traces are
// written to (Job.TraceDir).
func WithTraceDir(ctx context.Context, dir string) context.Context {
	return context.WithValue(ctx, traceDirKey{}, dir)
}

// writeTrace keeps a variant's raw trace in the run's trace directory, if
// it has one, and reports whether it did.
func writeTrace(ctx context.Context, variant string, raw []byte) (bool, error) {
	dir, _ := ctx.Value(traceDirKey{}).(string)
	if dir == "" || raw == nil {
		return false, nil
	}
	// Written aside and renamed, so that a download never gets half a file.
	f, err := os.CreateTemp(dir, ".trace-*")
	if err != nil {
		return false, errors.New("the raw trace could not be kept")
	}
	_, err = f.Write(raw)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, TraceFile(variant)))
	}
	if err != nil {
		os.Remove(f.Name())
		return false, errors.New("the raw trace could not be kept")
	}
	return true, nil
}
