package clips

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concurrencylab/lab/errs"
)

// inProcess is a Decoder whose "child" is ServeDecode in this process, or
// a Call that fails as a crashed child does.
func inProcess(fail error) *Decoder {
	return &Decoder{Call: func(ctx context.Context, req []byte) ([]byte, error) {
		if fail != nil {
			return nil, fail
		}
		var out bytes.Buffer
		err := ServeDecode(ctx, bytes.NewReader(req), &out, Renders())
		return out.Bytes(), err
	}}
}

func TestDecodeThroughTheProtocol(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(SampleDir, "tree.avi"), filepath.Join(dir, "tree.avi")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "junk.avi"), []byte("no video here"), 0o644)
	lib, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	lib.SetDecoder(inProcess(nil))
	ctx := context.Background()
	p, err := lib.Probe(ctx, "tree.avi")
	if err != nil || p.Frames != 68 || p.Width == 0 {
		t.Fatalf("got probe %+v, %v, want 68 frames with a size", p.Info, err)
	}
	png, err := lib.Frame(ctx, "tree.avi", 3)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("got frame %.8q, %v, want a PNG", png, err)
	}
	if _, err := lib.Frame(ctx, "tree.avi", 68); !errors.Is(err, errs.NotFound) {
		t.Errorf("got frame 68's error %v, want not found", err)
	}
	if _, err := lib.Probe(ctx, "junk.avi"); errs.KindOf(err) != errs.Unprocessable || !strings.Contains(err.Error(), ErrNotVideo) {
		t.Errorf("got junk's probe error %v (%v), want %q, unprocessable", err, errs.KindOf(err), ErrNotVideo)
	}
	lib.SetDecoder(inProcess(errors.New("signal: aborted")))
	_, err = lib.Poster(ctx, "junk.avi")
	if errs.KindOf(err) != errs.Unprocessable || !strings.Contains(err.Error(), "decoder stopped (signal: aborted)") {
		t.Errorf("got a crashed decoder's error %v (%v), want it told as unprocessable", err, errs.KindOf(err))
	}
}
