package clips

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"gocv.io/x/gocv"

	"concurrencylab/lab/errs"
)

// Limits on the pictures the library serves (posters, frames, masks):
// decoding one costs a decoder's threads and up to a few hundred
// megabytes of OpenCV's memory, so at most PictureDecoders decode at once,
// library-wide; another request waits up to PictureWait for a decoder,
// then is refused as busy (HTTP's 503). Every picture decoded is kept on
// disk, under the library's directory, by the clip's content hash, so it
// is decoded once: at most PictureCacheBytes of them, the oldest dropped.
const (
	PictureDecoders   = 2
	PictureWait       = 2 * time.Second
	PictureCacheBytes = 512 << 20
)

// cacheDir is the picture cache's folder in the library's directory: its
// leading dot keeps it from ever being taken for a clip.
const cacheDir = ".pictures"

// Picture returns the picture of kind ("frame", "poster", "mask") of
// frame i of the named clip: from the cache, else decoded (waiting for a
// decoder) with render and cached.
func (l *Library) Picture(ctx context.Context, name, kind string, i int, render Render) ([]byte, error) {
	path, err := l.Path(name)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("clips: %w", err)
	}
	sum, err := l.contentHash(path, stamp{fi.Size(), fi.ModTime()})
	if err != nil {
		return nil, err
	}
	file := filepath.Join(l.dir, cacheDir, sum, kind+"-"+strconv.Itoa(i)+".png")
	if b, err := os.ReadFile(file); err == nil {
		return b, nil
	}
	// Probing a clip the first time decodes all of it: it waits for a
	// decoder too.
	if err := l.acquireDecoder(ctx); err != nil {
		return nil, err
	}
	defer func() { <-l.decoders }()
	if b, err := os.ReadFile(file); err == nil {
		return b, nil // decoded by the request we waited for
	}
	out, err := l.draw(ctx, name, kind, i, render)
	if err != nil {
		return nil, err
	}
	l.cachePicture(file, out)
	return out, nil
}

// draw decodes frame i and draws it with render, or, where l decodes in
// a child, has the child draw the picture of kind.
func (l *Library) draw(ctx context.Context, name, kind string, i int, render Render) (out []byte, err error) {
	if l.decoder == nil {
		err = l.ReadFrame(ctx, name, i, func(frame gocv.Mat) (err error) {
			out, err = render(frame)
			return err
		})
		return out, err
	}
	p, err := l.Probe(ctx, name)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= p.Frames {
		return nil, notFound("clip %s has frames 0 to %d, not %d", name, p.Frames-1, i)
	}
	a, err := l.decoder.ask(ctx, decodeRequest{Op: "picture", Path: p.Path, Kind: kind, Index: i})
	if err != nil {
		return nil, err
	}
	return a.PNG, nil
}

// acquireDecoder takes one of the decoders, waiting at most the
// library's picture wait.
func (l *Library) acquireDecoder(ctx context.Context) error {
	timer := time.NewTimer(l.pictureWait)
	defer timer.Stop()
	select {
	case l.decoders <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return &Problem{Msg: fmt.Sprintf("the server is busy drawing other pictures (%d at a time); try again in a moment", cap(l.decoders)), Kind: errs.Unavailable}
	}
}

// contentHash returns the SHA-256 of the bytes of the clip file at path,
// computed once per version of the file (one file at a time, so many
// requests for a new clip read it once).
func (l *Library) contentHash(path string, st stamp) (string, error) {
	l.mu.Lock()
	h, ok := l.hashes[path]
	l.mu.Unlock()
	if ok && h.stamp == st {
		return h.sum, nil
	}
	l.hashing.Lock()
	defer l.hashing.Unlock()
	l.mu.Lock()
	h, ok = l.hashes[path]
	l.mu.Unlock()
	if ok && h.stamp == st {
		return h.sum, nil // hashed while we waited
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("clips: hash %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	sh := sha256.New()
	if _, err := io.Copy(sh, f); err != nil {
		return "", fmt.Errorf("clips: hash %s: %w", filepath.Base(path), err)
	}
	sum := hex.EncodeToString(sh.Sum(nil))
	l.mu.Lock()
	l.hashes[path] = hashed{st, sum}
	l.mu.Unlock()
	return sum, nil
}

// hashed is a clip file's content hash as of a version of the file.
type hashed struct {
	stamp stamp
	sum   string
}

// cachePicture stores a picture in the cache (written whole, then renamed
// into place), and trims the cache when it has grown past its bound. A
// picture that cannot be cached is only served.
func (l *Library) cachePicture(file string, b []byte) {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
		return
	}
	l.mu.Lock()
	if l.cacheBytes < 0 {
		l.cacheBytes = cacheSize(filepath.Join(l.dir, cacheDir))
	} else {
		l.cacheBytes += int64(len(b))
	}
	over := l.cacheBytes > l.maxCacheBytes
	l.mu.Unlock()
	if over {
		l.trimCache()
	}
}

// trimCache drops the oldest cached pictures until the cache holds at
// most three quarters of its bound.
func (l *Library) trimCache() {
	type entry struct {
		path string
		size int64
		mod  time.Time
	}
	var all []entry
	var total int64
	root := filepath.Join(l.dir, cacheDir)
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			all = append(all, entry{path, fi.Size(), fi.ModTime()})
			total += fi.Size()
		}
		return nil
	})
	slices.SortFunc(all, func(a, b entry) int { return a.mod.Compare(b.mod) })
	for _, e := range all {
		if total <= l.maxCacheBytes*3/4 {
			break
		}
		if os.Remove(e.path) == nil {
			total -= e.size
		}
	}
	l.mu.Lock()
	l.cacheBytes = total
	l.mu.Unlock()
}

// cacheSize adds up the sizes of the files under root.
func cacheSize(root string) int64 {
	var n int64
	filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
