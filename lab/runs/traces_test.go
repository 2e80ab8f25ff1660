package runs

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Keep drops the oldest runs' traces first until the rest fit, never a
// directory a run is still writing into; Done removes an empty one.
func TestTracesKeep(t *testing.T) {
	tr, err := NewTraces(t.TempDir(), 250)
	if err != nil {
		t.Fatal(err)
	}
	write := func(run, variant string, size int, age time.Duration) {
		dir, err := tr.Dir(run)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, variant+".trace")
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(-age)
		os.Chtimes(p, when, when)
	}
	write("busy", "a", 100, 4*time.Hour) // a run under way: the oldest, yet kept
	write("old", "a", 100, 3*time.Hour)
	write("mid", "a", 100, 2*time.Hour)
	write("new", "a", 100, time.Hour)
	for _, run := range []string{"old", "mid", "new"} {
		tr.Done(run)
	}
	if _, err := tr.Dir("running"); err != nil { // a run under way, nothing written yet
		t.Fatal(err)
	}
	if err := tr.Keep(); err != nil {
		t.Fatal(err)
	}
	for run, kept := range map[string]bool{"busy": true, "old": false, "mid": true, "new": true} {
		if _, err := tr.File(run, "a"); (err == nil) != kept {
			t.Errorf("%s: got kept %v, want %v", run, err == nil, kept)
		}
	}
	if _, err := os.Stat(filepath.Join(tr.dir, "running")); err != nil {
		t.Errorf("Keep removed the directory of a run under way: %v", err)
	}
	tr.Done("running")
	tr.Done("new")
	if _, err := os.Stat(filepath.Join(tr.dir, "running")); !os.IsNotExist(err) {
		t.Errorf("Done left an empty run directory (%v)", err)
	}
	if _, err := tr.File("new", "a"); err != nil {
		t.Errorf("Done removed a run's traces: %v", err)
	}
	if _, err := tr.File("../new", "a"); err == nil {
		t.Error("a run id with a path in it found a file")
	}
	// A link planted where a trace goes is no trace.
	dir, _ := tr.Dir("linked")
	os.Symlink("/etc/passwd", filepath.Join(dir, "a.trace"))
	if _, err := tr.File("linked", "a"); err == nil {
		t.Error("a link served as a trace")
	}
}
