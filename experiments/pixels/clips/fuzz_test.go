package clips

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzPath: whatever the name, Path either refuses it or returns a file
// directly inside the library's directory.
func FuzzPath(f *testing.F) {
	for _, s := range []string{"test.avi", "../x.avi", "..", ".", "a/b", "/etc/passwd", `..\x`, "x\x00.avi", ".hidden", strings.Repeat("a", 100)} {
		f.Add(s)
	}
	l, err := Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	if err := writeFile(filepath.Join(l.Dir(), "test.avi")); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string) {
		p, err := l.Path(name)
		if err != nil {
			return
		}
		if filepath.Dir(p) != l.Dir() || filepath.Base(p) != name {
			t.Errorf("Path(%q) = %q, outside %s", name, p, l.Dir())
		}
	})
}

// FuzzUploadExt: an accepted upload name yields a known extension and is
// never a path.
func FuzzUploadExt(f *testing.F) {
	for _, s := range []string{"a.avi", "../a.avi", "A.MP4", "a", "a.avi/", "..avi", `a\b.mkv`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		ext, err := uploadExt(name)
		if err != nil {
			return
		}
		if strings.ContainsAny(name, `/\`) || !strings.HasSuffix(strings.ToLower(name), ext) || !NamePattern.MatchString("x"+ext) {
			t.Errorf("uploadExt(%q) = %q, want it refused", name, ext)
		}
	})
}
