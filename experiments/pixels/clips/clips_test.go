package clips

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"concurrencylab/experiments/internal/testclip"
	"concurrencylab/lab"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// checkMats fails the test if gocv Mats were left open since start.
func checkMats(t *testing.T, start int) {
	t.Helper()
	if start < 0 {
		return
	}
	if got := matCount(); got != start {
		t.Errorf("got %d open Mats, want %d", got, start)
	}
}

// newLibrary returns a library in a fresh directory holding a generated
// clip, test.avi, and its blue counts.
func newLibrary(t *testing.T, frames int) (*Library, []int) {
	t.Helper()
	dir := t.TempDir()
	counts := testclip.Write(t, dir, "test.avi", frames)
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l, counts
}

// entries lists dir, dot files included.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if strings.HasPrefix(e.Name(), titlePrefix) {
			continue // an upload's label, checked with Title
		}
		names = append(names, e.Name())
	}
	return names
}

func TestPathRefusesAnythingButAListedName(t *testing.T) {
	l, _ := newLibrary(t, 3)
	// A file with a valid name next to the library must stay out of reach.
	outside := filepath.Join(filepath.Dir(l.Dir()), "secret.avi")
	os.WriteFile(outside, []byte("secret"), 0o644)
	t.Cleanup(func() { os.Remove(outside) })
	os.WriteFile(filepath.Join(l.Dir(), ".hidden.avi"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(l.Dir(), "sub.avi"), 0o755)

	for _, name := range []string{
		"../secret.avi", "..", ".", "", "/etc/passwd", "a/b.avi", `..\secret.avi`,
		"test.avi/", "test.avi\x00", " test.avi", "%2e%2e%2fsecret.avi", ".hidden.avi",
		"sub.avi", "missing.avi", strings.Repeat("a", 101), "../" + filepath.Base(l.Dir()) + "/test.avi",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := l.Path(name)
			if !errors.Is(err, lab.ErrNotFound) {
				t.Errorf("Path(%q): got error %v, want one matching lab.ErrNotFound", name, err)
			}
			for _, call := range []func() error{
				func() error { _, err := l.Probe(context.Background(), name); return err },
				func() error { _, err := l.Frame(context.Background(), name, 0); return err },
				func() error { _, err := l.Poster(context.Background(), name); return err },
			} {
				if err := call(); !errors.Is(err, lab.ErrNotFound) {
					t.Errorf("got error %v, want one matching lab.ErrNotFound", err)
				}
			}
		})
	}
	p, err := l.Path("test.avi")
	if err != nil || p != filepath.Join(l.Dir(), "test.avi") {
		t.Errorf("Path(test.avi) = %q, %v; want the file in the library", p, err)
	}
	names, _ := l.Names()
	if want := []string{"test.avi"}; !slices.Equal(names, want) {
		t.Errorf("got names %v, want %v", names, want)
	}
}

func TestSeedLinksWithoutCopying(t *testing.T) {
	src := t.TempDir()
	testclip.Write(t, src, "a.avi", 2)
	os.WriteFile(filepath.Join(src, "b.avi"), []byte("b"), 0o644)
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(l.Dir(), "b.avi"), []byte("mine"), 0o644) // already there: kept

	n, err := l.Seed(src, "a.avi", "b.avi", "missing.avi")
	if err != nil || n != 1 {
		t.Fatalf("first Seed: got %d, %v; want 1, nil", n, err)
	}
	fi, err := os.Lstat(filepath.Join(l.Dir(), "a.avi"))
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("a.avi: got mode %v, %v; want a symbolic link", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(filepath.Join(l.Dir(), "b.avi")); string(b) != "mine" {
		t.Errorf("b.avi: got %q, want the library's own file kept", b)
	}
	n, err = l.Seed(src, "a.avi", "b.avi")
	if err != nil || n != 0 {
		t.Errorf("second Seed: got %d, %v; want 0, nil", n, err)
	}
	if _, err := l.Seed(src, "../x.avi"); err == nil {
		t.Error("Seed(../x.avi): got no error, want one")
	}
	if p, err := l.Probe(context.Background(), "a.avi"); err != nil || p.Frames != 2 {
		t.Errorf("probe through the link: got %d frames, %v; want 2", p.Frames, err)
	}
}

func TestProbe(t *testing.T) {
	start := matCount()
	l, _ := newLibrary(t, 30)
	p, err := l.Probe(context.Background(), "test.avi")
	if err != nil {
		t.Fatal(err)
	}
	if p.Frames != 30 || p.Width != testclip.Width || p.Height != testclip.Height {
		t.Errorf("got %d frames of %dx%d, want 30 of %dx%d", p.Frames, p.Width, p.Height, testclip.Width, testclip.Height)
	}
	if p.FPS != 25 || p.Duration.Milliseconds() != 1200 {
		t.Errorf("got %g fps, %v, want 25 fps, 1.2s", p.FPS, p.Duration)
	}
	// OpenCV's writer starts a group of pictures every 12 frames.
	if want := []int{0, 12, 24}; !slices.Equal(p.Keyframes, want) {
		t.Errorf("got keyframes %v, want %v", p.Keyframes, want)
	}
	fi, _ := os.Stat(p.Path)
	if p.Size != fi.Size() {
		t.Errorf("got size %d, want %d", p.Size, fi.Size())
	}
	infos, err := l.List(context.Background())
	if err != nil || len(infos) != 1 || infos[0] != p.Info {
		t.Errorf("List: got %+v, %v; want [%+v]", infos, err, p.Info)
	}
	checkMats(t, start)
}

// The samples' containers claim frame counts some of them do not hold.
func TestProbeSamples(t *testing.T) {
	if _, err := os.Stat(filepath.Join(SampleDir, "tree.avi")); err != nil {
		t.Fatal("opencv-doc's samples are not installed: make setup installs them")
	}
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Seed(SampleDir, Samples()...); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		frames int
		keys   []int
	}{
		{"tree.avi", 68, []int{0, 25, 50}},
		{"vtest.avi", 795, []int{0, 250, 500, 750}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := l.Probe(context.Background(), tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if p.Frames != tt.frames || !slices.Equal(p.Keyframes, tt.keys) {
				t.Errorf("got %d frames, keyframes %v; want %d, %v", p.Frames, p.Keyframes, tt.frames, tt.keys)
			}
		})
	}
}

func TestFrameAndPosterArePNGsOfTheRightPixels(t *testing.T) {
	start := matCount()
	l, _ := newLibrary(t, 9)
	for _, i := range []int{0, 1, 8} {
		b, err := l.Frame(context.Background(), "test.avi", i)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := testclip.Frame(i)
		if got := bgrOf(img); !bytes.Equal(got, want) {
			t.Errorf("frame %d: the PNG's pixels differ from the frame written", i)
		}
	}
	for _, i := range []int{-1, 9, 1000} {
		if _, err := l.Frame(context.Background(), "test.avi", i); !errors.Is(err, lab.ErrNotFound) {
			t.Errorf("Frame(%d): got error %v, want not found", i, err)
		}
	}
	b, err := l.Poster(context.Background(), "test.avi")
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != testclip.Width {
		t.Errorf("poster: got %+v, %v; want a %d-wide PNG", cfg, err, testclip.Width)
	}
	checkMats(t, start)
}

// bgrOf returns an image's pixels as BGR bytes.
func bgrOf(img image.Image) []byte {
	r := img.Bounds()
	var out []byte
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			R, G, B, _ := img.At(x, y).RGBA()
			out = append(out, byte(B>>8), byte(G>>8), byte(R>>8))
		}
	}
	return out
}

// failingReader yields data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestAdd(t *testing.T) {
	start := matCount()
	src := t.TempDir()
	testclip.Write(t, src, "good.avi", 5)
	good, _ := os.ReadFile(filepath.Join(src, "good.avi"))
	sum := sha256.Sum256(good)
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	info, created, err := l.Add(ctx, bytes.NewReader(good), "My Clip (1).AVI")
	if err != nil || !created {
		t.Fatalf("Add: got created %v, %v; want a new clip", created, err)
	}
	wantName := hex.EncodeToString(sum[:]) + ".avi"
	if info.Name != wantName || info.Frames != 5 || info.Size != int64(len(good)) {
		t.Errorf("got %+v, want %s with 5 frames and %d bytes", info, wantName, len(good))
	}
	if _, created, err = l.Add(ctx, bytes.NewReader(good), "again.avi"); err != nil || created {
		t.Errorf("the same clip again: got created %v, %v; want the stored one", created, err)
	}
	if got, want := entries(t, l.Dir()), []string{wantName}; !slices.Equal(got, want) {
		t.Errorf("got directory %v, want %v", got, want)
	}
	if got := l.Title(wantName); got != "My Clip (1).AVI" {
		t.Errorf("got title %q, want the name it was first uploaded with", got)
	}
	if got := l.Title("vtest.avi"); got != "vtest.avi" {
		t.Errorf("got title %q for a clip never uploaded, want its own name", got)
	}

	tests := []struct {
		name     string
		r        io.Reader
		filename string
		wantErr  string // in the message
		wantIs   error
	}{
		{"not a video", strings.NewReader("hello, I am text"), "notes.avi", "not a video: OpenCV could not decode a frame", nil},
		{"empty", strings.NewReader(""), "empty.mp4", "not a video", nil},
		{"truncated video", bytes.NewReader(good[:200]), "cut.avi", "not a video", nil},
		{"wrong extension", bytes.NewReader(good), "clip.txt", "not a video: the file name must end in one of", nil},
		{"no extension", bytes.NewReader(good), "clip", "not a video", nil},
		{"path-like name", bytes.NewReader(good), "../../etc/evil.avi", "the file name must be a plain name", nil},
		{"backslash path", bytes.NewReader(good), `..\evil.avi`, "the file name must be a plain name", nil},
		{"dot-dot name", bytes.NewReader(good), "...avi", "the file name must be a plain name", nil},
		{"reader fails midway", &failingReader{good[:1000], io.ErrUnexpectedEOF}, "cut.avi", "", io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := l.Add(ctx, tt.r, tt.filename)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("got error %v, want one matching %v", err, tt.wantIs)
			}
			if tt.wantErr != "" {
				var p *Problem
				if !errors.As(err, &p) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got error %v, want a Problem saying %q", err, tt.wantErr)
				}
			}
			if got, want := entries(t, l.Dir()), []string{wantName}; !slices.Equal(got, want) {
				t.Errorf("got directory %v, want %v: a failed upload must leave nothing behind", got, want)
			}
		})
	}
	checkMats(t, start)
}

func TestOpenRemovesUnfinishedUploads(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, uploadPrefix+"123.avi"), []byte("half"), 0o644)
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("got directory %v, want it empty", got)
	}
}

func writeFile(path string) error { return os.WriteFile(path, []byte("x"), 0o644) }
