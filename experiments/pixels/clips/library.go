// Package clips is the video clip library of the blue-pixels experiment: a
// directory of clips, each named by a plain file name, probed with OpenCV
// (frames that really decode, size, duration, keyframes), grown by uploads
// and seeded with the sample videos Debian's opencv-doc ships.
//
// Names are never paths: a name must match NamePattern and is looked up by
// listing the directory, so nothing outside it can be read through a name.
// (Seeded samples are symbolic links the library made itself.)
package clips

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
)

// NamePattern is what a clip name looks like. Names starting with a dot are
// never clips (uploads in progress use them).
var NamePattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

// Limits on what the library accepts, so one clip cannot take the server's
// memory or a run's whole time limit.
const (
	// MaxFrames bounds the frames of a clip.
	MaxFrames = 20_000
	// MaxFramePixels bounds a frame's width × height (1920 × 1200).
	MaxFramePixels = 1920 * 1200
)

// Info describes a clip.
type Info struct {
	Name     string
	Frames   int // frames that really decode, not the container's claim
	Size     int64
	Duration time.Duration
	Width    int
	Height   int
	FPS      float64
}

// A Library is a directory of clips. Its methods are safe for concurrent use.
type Library struct {
	dir string

	// Upload limits: MaxUploads, MaxUploadBytes and ProbeWait unless a
	// test changes them.
	maxUploads     int
	maxUploadBytes int64
	probeWait      time.Duration
	checking       chan struct{} // holds a token while an upload is decoded and stored

	// Pictures (picture_cache.go): decoders holds a token per decoding
	// picture; PictureWait and PictureCacheBytes unless a test changes them.
	decoders chan struct{}
	// decoder, if set, decodes in a child process (decode.go).
	decoder       *Decoder
	pictureWait   time.Duration
	maxCacheBytes int64
	hashing       sync.Mutex // held while a clip's content hash is computed

	mu         sync.Mutex        // guards probes, hashes and cacheBytes
	probes     map[string]Probe  // by name; an entry is valid while its file's stamp holds
	hashes     map[string]hashed // content hashes by path, valid while the stamp holds
	cacheBytes int64             // the picture cache's size; -1 until counted
}

// Open returns the library in dir, making the directory if needed and
// removing uploads a previous process left unfinished.
func Open(dir string) (*Library, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("clips: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("clips: %w", err)
	}
	stale, _ := filepath.Glob(filepath.Join(abs, uploadPrefix+"*"))
	for _, f := range stale {
		os.Remove(f)
	}
	return libraryAt(abs), nil
}

// OpenReadOnly returns the library in dir as a run's process sees it: the
// directory must exist, and nothing in it is made, seeded or cleaned up
// (the server that owns it may be receiving an upload meanwhile).
func OpenReadOnly(dir string) (*Library, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("clips: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("clips: no clip directory %s", abs)
	}
	return libraryAt(abs), nil
}

func libraryAt(abs string) *Library {
	return &Library{dir: abs, probes: make(map[string]Probe), hashes: make(map[string]hashed),
		maxUploads: MaxUploads, maxUploadBytes: MaxUploadBytes, probeWait: ProbeWait,
		checking: make(chan struct{}, 1),
		decoders: make(chan struct{}, PictureDecoders), pictureWait: PictureWait,
		maxCacheBytes: PictureCacheBytes, cacheBytes: -1}
}

// Dir returns the library's directory.
func (l *Library) Dir() string { return l.dir }

// A Problem is a request the library refuses, with a message the user can
// act on, and its kind: errs.NotFound (no such clip; it matches
// lab.ErrNotFound too), errs.Unprocessable (the request's fault: not a
// video, a bad frame number), errs.NoSpace (the library holds all the
// uploads it may) or errs.Unavailable (another upload is being checked,
// or every decoder was busy for too long: try again).
type Problem struct {
	Msg  string
	Kind errs.Kind
}

func (p *Problem) Error() string { return p.Msg }

// Unwrap gives the Problem its kind.
func (p *Problem) Unwrap() error { return p.Kind }

// Is makes a not-found Problem match lab.ErrNotFound.
func (p *Problem) Is(target error) bool { return p.Kind == errs.NotFound && target == lab.ErrNotFound }

func notFound(format string, args ...any) error {
	return &Problem{Msg: fmt.Sprintf(format, args...), Kind: errs.NotFound}
}

func invalid(format string, args ...any) error {
	return &Problem{Msg: fmt.Sprintf(format, args...), Kind: errs.Unprocessable}
}

// Names returns the clips' names, sorted. Entries that are not regular
// files (after following a link) or whose names are not clip names are
// left out.
func (l *Library) Names() ([]string, error) {
	if l == nil {
		return nil, errNoLibrary
	}
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return nil, fmt.Errorf("clips: %w", err)
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if !validName(name) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(l.dir, name)); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names, nil
}

func validName(name string) bool {
	return NamePattern.MatchString(name) && !strings.HasPrefix(name, ".")
}

// Path returns the file of the named clip. The name is checked against
// NamePattern and then looked up in the directory's listing, never joined
// to a path first.
func (l *Library) Path(name string) (string, error) {
	if !validName(name) {
		return "", notFound("no clip %q: a clip name is a plain file name like vtest.avi", errs.Truncate(name, maxQuoted))
	}
	names, err := l.Names()
	if err != nil {
		return "", err
	}
	i := slices.Index(names, name)
	if i < 0 {
		return "", notFound("no clip %q in the library", errs.Truncate(name, maxQuoted))
	}
	return filepath.Join(l.dir, names[i]), nil
}

// List describes every clip, probing those not probed yet (each is decoded
// once, to count the frames that really decode). Clips that fail to probe
// are left out.
func (l *Library) List(ctx context.Context) ([]Info, error) {
	names, err := l.Names()
	if err != nil {
		return nil, err
	}
	infos := make([]Info, 0, len(names))
	for _, name := range names {
		p, err := l.Probe(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		infos = append(infos, p.Info)
	}
	return infos, nil
}

// errNoLibrary is the error of a nil Library's methods.
var errNoLibrary = &Problem{Msg: "this server has no clip library", Kind: errs.NotFound}

// errStale is returned when a clip changed while it was probed.
var errStale = errors.New("clips: the clip changed while it was read")

// maxQuoted is the most bytes of a clip's name quoted in a message.
const maxQuoted = 60
