package clips

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"concurrencylab/experiments/internal/testclip"
	"concurrencylab/lab/errs"
)

// testClips returns n different small clips.
func testClips(t *testing.T, n int) [][]byte {
	t.Helper()
	src := t.TempDir()
	var out [][]byte
	for i := range n {
		name := "c" + string(rune('a'+i)) + ".avi"
		testclip.Write(t, src, name, 2+i)
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func isFull(err error) bool {
	var p *Problem
	return errors.As(err, &p) && p.Kind == errs.NoSpace
}

func TestAddRefusesPastTheClipLimit(t *testing.T) {
	start := matCount()
	cs := testClips(t, 3)
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// A seeded sample is a link and counts towards no limit.
	src := t.TempDir()
	testclip.Write(t, src, "sample.avi", 2)
	if n, err := l.Seed(src, "sample.avi"); n != 1 || err != nil {
		t.Fatalf("Seed: %d, %v", n, err)
	}
	l.maxUploads = 2
	ctx := context.Background()
	for _, c := range cs[:2] {
		if _, created, err := l.Add(ctx, bytes.NewReader(c), "a.avi"); err != nil || !created {
			t.Fatalf("Add: got created %v, %v; want a new clip", created, err)
		}
	}
	before := entries(t, l.Dir())
	_, _, err = l.Add(ctx, bytes.NewReader(cs[2]), "c.avi")
	if !isFull(err) || !strings.Contains(err.Error(), "at most 2 uploaded clips and 2 GiB of uploads in all, and holds 2 clips") {
		t.Errorf("got error %v, want the library full naming its limits", err)
	}
	if got := entries(t, l.Dir()); !slices.Equal(got, before) {
		t.Errorf("got directory %v, want %v: a refused upload must leave nothing behind", got, before)
	}
	checkMats(t, start)
}

func TestAddRefusesPastTheByteLimit(t *testing.T) {
	start := matCount()
	cs := testClips(t, 2)
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l.maxUploadBytes = int64(len(cs[0]) + len(cs[1]) - 1)
	ctx := context.Background()
	if _, _, err := l.Add(ctx, bytes.NewReader(cs[0]), "a.avi"); err != nil {
		t.Fatal(err)
	}
	before := entries(t, l.Dir())
	// The library has room left, but not for this clip: it is read, then
	// refused.
	if _, _, err := l.Add(ctx, bytes.NewReader(cs[1]), "b.avi"); !isFull(err) || !strings.Contains(err.Error(), "the clip library is full") {
		t.Errorf("got error %v, want the library full", err)
	}
	if got := entries(t, l.Dir()); !slices.Equal(got, before) {
		t.Errorf("got directory %v, want %v: a refused upload must leave nothing behind", got, before)
	}
	// At the limit, an upload is refused before it is read.
	l.maxUploadBytes = int64(len(cs[0]))
	r := &failingReader{err: errors.New("read")}
	if _, _, err := l.Add(ctx, r, "b.avi"); !isFull(err) {
		t.Errorf("got error %v, want the library full before the upload is read", err)
	}
	checkMats(t, start)
}

func TestAddChecksOneUploadAtATime(t *testing.T) {
	start := matCount()
	cs := testClips(t, 1)
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l.probeWait = 50 * time.Millisecond
	l.checking <- struct{}{} // another upload is being checked
	began := time.Now()
	_, _, err = l.Add(context.Background(), bytes.NewReader(cs[0]), "a.avi")
	var p *Problem
	if !errors.As(err, &p) || p.Kind != errs.Unavailable || err.Error() != "another upload is being checked; try again" {
		t.Errorf("got error %v, want busy", err)
	}
	if waited := time.Since(began); waited < l.probeWait {
		t.Errorf("gave up after %v, want it to wait %v", waited, l.probeWait)
	}
	if got := entries(t, l.Dir()); len(got) != 0 {
		t.Errorf("got directory %v, want it empty: a refused upload must leave nothing behind", got)
	}
	// Once the other check ends, the upload goes through.
	go func() { time.Sleep(20 * time.Millisecond); <-l.checking }()
	l.probeWait = 5 * time.Second
	if _, created, err := l.Add(context.Background(), bytes.NewReader(cs[0]), "a.avi"); err != nil || !created {
		t.Errorf("after the other check: got created %v, %v; want a new clip", created, err)
	}
	// A client that goes away stops waiting.
	l.checking <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := l.Add(ctx, bytes.NewReader(testClips(t, 2)[1]), "b.avi"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got error %v, want the context's", err)
	}
	<-l.checking
	if got := entries(t, l.Dir()); len(got) != 1 {
		t.Errorf("got directory %v, want just the first clip", got)
	}
	checkMats(t, start)
}
