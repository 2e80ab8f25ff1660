package runs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"concurrencylab/lab/errs"
	"concurrencylab/lab/runner"
)

// Traces keeps the raw execution traces of runs made with trace=true, one
// directory per run holding a file per variant, for `go tool trace`. The
// newest are kept under a total size; the oldest runs' traces go first (a
// run whose raw trace went keeps its timeline, which is in its events).
type Traces struct {
	dir string
	max int64

	mu   sync.Mutex      // guards live and serialises Keep's sweeps
	live map[string]bool // runs under way, whose directories Keep leaves alone
}

// ErrTraceGone is the error for a raw trace that was dropped, or never
// recorded.
var ErrTraceGone = errs.New(errs.NotFound, "no raw trace of this run and variant is kept: the newest runs' traces are kept, and this one was dropped or never recorded (run again with trace on); its timeline is on the run's page")

// NewTraces keeps raw traces in dir, at most max bytes in all.
func NewTraces(dir string, max int64) (*Traces, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("runs: traces directory: %w", err)
	}
	return &Traces{dir: dir, max: max, live: make(map[string]bool)}, nil
}

// Dir returns the directory a run's process writes its traces into; the
// run is under way until Done.
func (t *Traces) Dir(run string) (string, error) {
	t.mu.Lock()
	t.live[run] = true
	t.mu.Unlock()
	d := filepath.Join(t.dir, run)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", fmt.Errorf("runs: trace directory: %w", err)
	}
	return d, nil
}

// File returns the path of run's raw trace of variant, if it is kept.
func (t *Traces) File(run, variant string) (string, error) {
	if !ValidID(run) {
		return "", ErrTraceGone
	}
	p := filepath.Join(t.dir, run, runner.TraceFile(variant))
	// Lstat: a link, which a run's process could have made, is no trace.
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
		return "", ErrTraceGone
	}
	return p, nil
}

// Keep removes the oldest finished runs' traces until all of them fit the
// bound; runs under way are left alone.
func (t *Traces) Keep() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	entries, err := os.ReadDir(t.dir)
	if err != nil {
		return fmt.Errorf("runs: read traces: %w", err)
	}
	type runDir struct {
		path  string
		size  int64
		mtime int64
	}
	var dirs []runDir
	var total int64
	for _, e := range entries {
		if !e.IsDir() || t.live[e.Name()] {
			continue
		}
		d := runDir{path: filepath.Join(t.dir, e.Name())}
		filepath.WalkDir(d.path, func(p string, de fs.DirEntry, err error) error {
			if err == nil && de.Type().IsRegular() {
				if fi, err := de.Info(); err == nil {
					d.size += fi.Size()
					d.mtime = max(d.mtime, fi.ModTime().UnixNano())
				}
			}
			return nil
		})
		if d.size == 0 {
			continue
		}
		dirs = append(dirs, d)
		total += d.size
	}
	slices.SortFunc(dirs, func(a, b runDir) int { return int(a.mtime - b.mtime) })
	var errsSeen []error
	for _, d := range dirs {
		if total <= t.max {
			break
		}
		if err := os.RemoveAll(d.path); err != nil {
			errsSeen = append(errsSeen, err)
			continue
		}
		total -= d.size
	}
	return errors.Join(errsSeen...)
}

// Done ends run: Keep may drop its traces from now on, and its directory
// goes if the run wrote no trace into it.
func (t *Traces) Done(run string) {
	t.mu.Lock()
	delete(t.live, run)
	t.mu.Unlock()
	os.Remove(filepath.Join(t.dir, run)) // fails, as it should, where it holds files
}
