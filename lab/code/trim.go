package code

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// trim keeps the builds' files within their bounds: only the most
// recently used programs, maxPrograms of them and maxProgramBytes in all,
// are kept (a run whose program went is built again), and with cache set
// the compiler's cache starts afresh past maxCache, once no build uses it.
func (b *Builder) trim(cache bool) {
	if cache {
		b.trimCache()
	}
	b.trimPrograms()
}

func (b *Builder) trimCache() {
	b.cache.Lock()
	defer b.cache.Unlock()
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
}

func (b *Builder) trimPrograms() {
	entries, _ := os.ReadDir(filepath.Join(b.dir, "bin"))
	type prog struct {
		name string
		used time.Time
		size int64
	}
	var progs []prog
	for _, e := range entries {
		if strings.Contains(e.Name(), ".") {
			continue
		}
		if info, err := e.Info(); err == nil {
			progs = append(progs, prog{e.Name(), info.ModTime(), info.Size()})
		}
	}
	slices.SortFunc(progs, func(a, b prog) int { return b.used.Compare(a.used) })
	var total int64
	for i, p := range progs {
		total += p.size
		if i >= maxPrograms || total > maxProgramBytes {
			full := filepath.Join(b.dir, "bin", p.name)
			os.Remove(full + ".vet.json")
			os.Remove(full)
		}
	}
}
