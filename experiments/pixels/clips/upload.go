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
)

// uploadPrefix starts the names of uploads in progress: never clip names.
const uploadPrefix = ".upload-"

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
func (l *Library) Add(ctx context.Context, r io.Reader, filename string) (info Info, created bool, err error) {
	if l == nil {
		return Info{}, false, errNoLibrary
	}
	ext, err := uploadExt(filename)
	if err != nil {
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
	_, err = io.Copy(io.MultiWriter(f, h), r)
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
	p, err := probeFile(ctx, tmp)
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
	l.mu.Lock()
	l.probes[name] = p
	l.mu.Unlock()
	return p.Info, true, nil
}

// uploadExt returns the extension of an upload's file name, refusing names
// that look like paths and extensions that are not a video's.
func uploadExt(filename string) (string, error) {
	if filename == "" || strings.ContainsAny(filename, "/\\\x00") || strings.HasPrefix(filename, "..") || len(filename) > 255 {
		return "", invalid("the file name must be a plain name like clip.avi, got %q", clip(filename))
	}
	ext := strings.ToLower(filepath.Ext(filename))
	if !slices.Contains(VideoExtensions(), ext) {
		return "", invalid("not a video: the file name must end in one of %s, got %q",
			strings.Join(VideoExtensions(), " "), clip(filename))
	}
	return ext, nil
}
