package clips

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"concurrencylab/lab/errs"
)

// Limits on uploads, so that a loop of uploads can neither fill the disk
// nor take every CPU decoding. Seeded samples are symbolic links and count
// towards none of them.
const (
	// MaxUploads is the most uploaded clips the library holds: 200.
	MaxUploads = 200
	// MaxUploadBytes is the most bytes the uploaded clips take in all: 2 GiB.
	MaxUploadBytes int64 = 2 << 30
	// ProbeWait is how long an upload waits for another upload's decode
	// check to finish: one upload is decoded at a time, library-wide.
	ProbeWait = 30 * time.Second
)

// uploadPrefix starts the names of uploads in progress: never clip names.
const uploadPrefix = ".upload-"

// titlePrefix starts the name of the file that keeps an upload's original
// file name beside it; names starting with a dot are never clips.
const titlePrefix = ".title-"

// Title returns the name the clip was uploaded with, or its own name for a
// clip that was not uploaded (the linked samples) or whose label is lost.
func (l *Library) Title(name string) string {
	if l == nil || !validName(name) {
		return name
	}
	b, err := os.ReadFile(filepath.Join(l.dir, titlePrefix+name))
	if err != nil || len(b) == 0 || len(b) > 255 || !utf8.Valid(b) || strings.ContainsFunc(string(b), unicode.IsControl) {
		return name
	}
	return string(b)
}

// VideoExtensions are the file name endings an upload may have.
func VideoExtensions() []string {
	return []string{".avi", ".mp4", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".ogv", ".wmv"}
}

// Add stores the clip read from r, whose file was called filename, under
// the SHA-256 of its content (with filename's extension): the same clip
// uploaded twice is stored once, and created is false the second time. It
// writes to a temporary file in the library's directory, checks that OpenCV
// decodes at least one frame (and probes the whole clip), then renames it.
// On any failure, including an error from r, nothing is left behind.
// The caller bounds r's size.
//
// Add refuses with a Problem whose Full method is true when the library
// holds MaxUploads uploads or MaxUploadBytes of them (checked before r is
// read, and again with the clip's size), and with one whose Busy method is
// true when another upload's decode check held the library for ProbeWait:
// one upload is checked at a time.
func (l *Library) Add(ctx context.Context, r io.Reader, filename string) (info Info, created bool, err error) {
	if l == nil {
		return Info{}, false, errNoLibrary
	}
	ext, err := uploadExt(filename)
	if err != nil {
		return Info{}, false, err
	}
	if err := l.room(0); err != nil {
		return Info{}, false, err
	}
	f, err := os.CreateTemp(l.dir, uploadPrefix+"*"+ext)
	if err != nil {
		return Info{}, false, fmt.Errorf("clips: upload: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Info{}, false, fmt.Errorf("clips: upload: %w", err)
	}
	name := hex.EncodeToString(h.Sum(nil)) + ext
	if _, err := l.Path(name); err == nil {
		p, err := l.Probe(ctx, name)
		return p.Info, false, err
	}
	// One upload is decoded, and counted against the limits and stored, at
	// a time: two cannot both take the last room.
	wait := time.NewTimer(l.probeWait)
	defer wait.Stop()
	select {
	case l.checking <- struct{}{}:
	case <-wait.C:
		return Info{}, false, &Problem{Msg: "another upload is being checked; try again", Kind: errs.Unavailable}
	case <-ctx.Done():
		return Info{}, false, ctx.Err()
	}
	defer func() { <-l.checking }()
	if _, err := l.Path(name); err == nil { // stored while this one waited
		p, err := l.Probe(ctx, name)
		return p.Info, false, err
	}
	if err := l.room(size); err != nil {
		return Info{}, false, err
	}
	p, err := l.probe(ctx, tmp)
	if err != nil {
		return Info{}, false, err
	}
	final := filepath.Join(l.dir, name)
	if err := os.Rename(tmp, final); err != nil {
		return Info{}, false, fmt.Errorf("clips: upload: %w", err)
	}
	tmp = ""
	fi, err := os.Stat(final)
	if err != nil {
		return Info{}, false, fmt.Errorf("clips: upload: %w", err)
	}
	p.Name, p.Path, p.Size, p.stamp = name, final, fi.Size(), stamp{fi.Size(), fi.ModTime()}
	// The name it was uploaded with, for the pages and verdicts: the
	// stored name is its content's hash. Losing it loses only a label.
	os.WriteFile(filepath.Join(l.dir, titlePrefix+name), []byte(filepath.Base(filename)), 0o644)
	l.mu.Lock()
	l.probes[name] = p
	l.mu.Unlock()
	return p.Info, true, nil
}

// uploadExt returns the extension of an upload's file name, refusing names
// that look like paths and extensions that are not a video's.
func uploadExt(filename string) (string, error) {
	if filename == "" || strings.ContainsAny(filename, "/\\\x00") || strings.HasPrefix(filename, "..") || len(filename) > 255 {
		return "", invalid("the file name must be a plain name like clip.avi, got %q", errs.Truncate(filename, maxQuoted))
	}
	ext := strings.ToLower(filepath.Ext(filename))
	if !slices.Contains(VideoExtensions(), ext) {
		return "", invalid("not a video: the file name must end in one of %s, got %q",
			strings.Join(VideoExtensions(), " "), errs.Truncate(filename, maxQuoted))
	}
	return ext, nil
}

// room refuses, with a full Problem, an upload of size bytes that would
// take the library past MaxUploads uploads or MaxUploadBytes (size 0: the
// library is at a limit already).
func (l *Library) room(size int64) error {
	n, used, err := l.uploaded()
	if err != nil {
		return err
	}
	if n+1 > l.maxUploads || used+max(size, 1) > l.maxUploadBytes {
		return &Problem{Kind: errs.NoSpace, Msg: fmt.Sprintf(
			"the clip library is full: it keeps at most %d uploaded clips and %s of uploads in all, and holds %d clips (%s); ask to have some removed",
			l.maxUploads, bytesText(l.maxUploadBytes), n, bytesText(used))}
	}
	return nil
}

// uploaded counts the library's uploads and their bytes: its regular files
// with clip names. Seeded samples are symbolic links and do not count;
// uploads in progress do not either.
func (l *Library) uploaded() (n int, bytes int64, err error) {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return 0, 0, fmt.Errorf("clips: %w", err)
	}
	for _, e := range entries {
		if !validName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed since it was listed
		}
		n++
		bytes += fi.Size()
	}
	return n, bytes, nil
}

// bytesText writes a size in GiB or MiB: "2 GiB", "1.5 MiB".
func bytesText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
