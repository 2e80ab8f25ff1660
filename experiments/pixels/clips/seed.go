package clips

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SampleDir is where Debian's opencv-doc package puts its sample videos.
const SampleDir = "/usr/share/doc/opencv-doc/examples/data"

// Samples returns the names of the sample videos in SampleDir.
func Samples() []string {
	return []string{"vtest.avi", "Megamind.avi", "Megamind_bugy.avi", "tree.avi"}
}

// Seed links each named file of dir into the library, without copying it,
// unless the library already has an entry of that name or the file is
// missing. It returns how many links it made; calling it again makes none.
func (l *Library) Seed(dir string, names ...string) (int, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0, fmt.Errorf("clips: seed: %w", err)
	}
	made := 0
	var errs []error
	for _, name := range names {
		if !validName(name) {
			errs = append(errs, fmt.Errorf("clips: seed: %q is not a clip name", name))
			continue
		}
		src := filepath.Join(abs, name)
		if fi, err := os.Stat(src); err != nil || !fi.Mode().IsRegular() {
			continue // not installed here
		}
		dst := filepath.Join(l.dir, name)
		if _, err := os.Lstat(dst); err == nil {
			continue // already there, as a link or a file
		}
		if err := os.Symlink(src, dst); err != nil {
			if !errors.Is(err, fs.ErrExist) {
				errs = append(errs, fmt.Errorf("clips: seed: %w", err))
			}
			continue
		}
		made++
	}
	return made, errors.Join(errs...)
}
