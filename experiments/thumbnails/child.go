package thumbnails

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"concurrencylab/experiments/internal/helper"
)

// maxJPEG bounds a photo a resizer child accepts.
const maxJPEG = 64 << 20

// A resizer is a child process that resizes photos: this program again,
// in helper mode "thumbnails/resize". It reads a photo's JPEG from its
// stdin, a 4-byte length first, and writes its thumbnails to its stdout,
// each as its width, its height and its RGBA pixels.
type resizer struct {
	t      *Work
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	errs   strings.Builder
	closed bool
}

// startResizer starts a resizer child and waits until it runs: the
// time that takes is its start.
func (t *Work) startResizer(ctx context.Context) (*resizer, error) {
	cmd, err := helper.Command(ctx, "thumbnails", "resize")
	if err != nil {
		return nil, err
	}
	r := &resizer{t: t, cmd: cmd}
	cmd.Stderr = &r.errs
	if r.in, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	r.out = bufio.NewReaderSize(out, 256<<10)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("thumbnails: start a resizer: %w", err)
	}
	if b, err := r.out.ReadByte(); err != nil || b != 'R' {
		r.stop()
		return nil, fmt.Errorf("thumbnails: the resizer did not start: %s", strings.TrimSpace(r.errs.String()))
	}
	t.mu.Lock()
	t.starts = append(t.starts, time.Since(t0))
	t.mu.Unlock()
	return r, nil
}

// resize copies jpg to the child and its thumbnails back, timing the
// copies apart from the child's work.
func (r *resizer) resize(jpg []byte) ([]*image.RGBA, error) {
	defer r.t.track.begin(resizing)()
	t0 := time.Now()
	if err := binary.Write(r.in, binary.BigEndian, uint32(len(jpg))); err != nil {
		return nil, r.failed(err)
	}
	if _, err := r.in.Write(jpg); err != nil {
		return nil, r.failed(err)
	}
	sent := time.Now()
	if _, err := r.out.Peek(1); err != nil { // the child's work: decode and scale
		return nil, r.failed(err)
	}
	first := time.Now()
	thumbs, n, err := readThumbs(r.out)
	if err != nil {
		return nil, r.failed(err)
	}
	r.t.mu.Lock()
	r.t.copyTime += sent.Sub(t0) + time.Since(first)
	r.t.copied += int64(4+len(jpg)) + n
	r.t.mu.Unlock()
	return thumbs, nil
}

// failed is the error of a resize the child did not finish.
func (r *resizer) failed(err error) error {
	r.stop()
	if msg := strings.TrimSpace(r.errs.String()); msg != "" {
		return fmt.Errorf("thumbnails: the resizer failed: %s", msg)
	}
	return fmt.Errorf("thumbnails: the resizer failed: %w", err)
}

// stop closes the child's stdin, which ends it, and waits for it.
func (r *resizer) stop() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.in.Close()
	return r.cmd.Wait()
}

// readThumbs reads thumbnails as a resizer writes them, and how many
// bytes they took.
func readThumbs(r io.Reader) ([]*image.RGBA, int64, error) {
	thumbs := make([]*image.RGBA, len(Sizes))
	var n int64
	for k := range thumbs {
		var wh [2]uint32
		if err := binary.Read(r, binary.BigEndian, &wh); err != nil {
			return nil, n, err
		}
		if wh[0] == 0 || wh[1] == 0 || wh[0] > 4096 || wh[1] > 4096 {
			return nil, n, fmt.Errorf("a thumbnail of %d × %d", wh[0], wh[1])
		}
		m := image.NewRGBA(image.Rect(0, 0, int(wh[0]), int(wh[1])))
		if _, err := io.ReadFull(r, m.Pix); err != nil {
			return nil, n, err
		}
		thumbs[k] = m
		n += 8 + int64(len(m.Pix))
	}
	return thumbs, n, nil
}

// Helper is main in a child process a trial started (package helper):
// mode "resize" resizes the photos on stdin until its end. It returns the
// exit status.
func Helper(mode string) int {
	if mode != "resize" {
		fmt.Fprintf(os.Stderr, "thumbnails: no helper mode %q\n", mode)
		return 2
	}
	if err := resizeLoop(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "thumbnails:", err)
		return 1
	}
	return 0
}

// resizeLoop is the resizer child: ready, then one photo after another.
func resizeLoop(in io.Reader, stdout io.Writer) error {
	out := bufio.NewWriterSize(stdout, 256<<10)
	out.WriteByte('R')
	if err := out.Flush(); err != nil {
		return err
	}
	for {
		var n uint32
		if err := binary.Read(in, binary.BigEndian, &n); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if n > maxJPEG {
			return fmt.Errorf("a photo of %d bytes, over %d", n, maxJPEG)
		}
		jpg := make([]byte, n)
		if _, err := io.ReadFull(in, jpg); err != nil {
			return err
		}
		thumbs, err := resize(jpg)
		if err != nil {
			return err
		}
		for _, m := range thumbs {
			binary.Write(out, binary.BigEndian, [2]uint32{uint32(m.Rect.Dx()), uint32(m.Rect.Dy())})
			out.Write(m.Pix)
		}
		if err := out.Flush(); err != nil {
			return err
		}
	}
}
