package code

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// trim keeps the builds' files within their bounds: the compiler's cache
// starts afresh past maxCache, and only the maxPrograms most recently
// used programs are kept (a run whose program went is built again).
func (b *Builder) trim() {
	cache := filepath.Join(b.dir, "gocache")
	var size int64
	filepath.WalkDir(cache, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	if size > maxCache {
		b.log.Info("the learners' build cache starts afresh", "bytes", size)
		os.RemoveAll(cache)
		os.Mkdir(cache, 0o755)
		b.own(cache)
	}
	entries, _ := os.ReadDir(filepath.Join(b.dir, "bin"))
	type prog struct {
		name string
		used time.Time
	}
	var progs []prog
	for _, e := range entries {
		if strings.Contains(e.Name(), ".") {
			continue
		}
		if info, err := e.Info(); err == nil {
			progs = append(progs, prog{e.Name(), info.ModTime()})
		}
	}
	if len(progs) <= maxPrograms {
		return
	}
	slices.SortFunc(progs, func(a, b prog) int { return b.used.Compare(a.used) })
	for _, p := range progs[maxPrograms:] {
		full := filepath.Join(b.dir, "bin", p.name)
		os.Remove(full + ".vet.json")
		os.Remove(full)
	}
}
