// Package migration reads a store's schema changes: embedded SQL files
// named NNNN_name.sql, numbered from 1 without gaps. Each store (lab/sqlite,
// lab/postgres) applies them itself, in a transaction per file together
// with its row in schema_version, because how a transaction keeps a second
// process out differs between the two databases.
package migration

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// A Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string // the file's name, such as 0001_init.sql
	SQL     string
}

// Load reads migrations/*.sql from fsys in version order. A file whose name
// does not start with a version, a gap or a repeated version is an error:
// shipped files are never renumbered, so any of these is a mistake.
func Load(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("migration: list: %w", err)
	}
	var ms []Migration
	for _, name := range names {
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must start with a version number, like 0001_init.sql", base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", base, err)
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d (versions run from 1 without gaps or repeats)", m.Name, m.Version, i+1)
		}
	}
	return ms, nil
}
