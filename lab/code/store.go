package code

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"concurrencylab/lab"
)

// A FileStore keeps learners' files as JSON files in a folder, one per id.
type FileStore struct{ dir string }

var _ Store = (*FileStore)(nil)

// NewFileStore returns a store in dir, made if missing.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("code: %w", err)
	}
	return &FileStore{dir: dir}, nil
}

// SaveCode implements Store; a file kept before stays as it is.
func (s *FileStore) SaveCode(_ context.Context, src Source) error {
	if !lab.IsCodeID(src.ID) {
		return fmt.Errorf("code: bad id %q", src.ID)
	}
	path := filepath.Join(s.dir, src.ID+".json")
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	data, err := json.Marshal(src)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// LoadCode implements Store.
func (s *FileStore) LoadCode(_ context.Context, id string) (Source, error) {
	if !lab.IsCodeID(id) {
		return Source{}, fmt.Errorf("code %q: %w", id, lab.ErrNotFound)
	}
	data, err := os.ReadFile(filepath.Join(s.dir, id+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return Source{}, fmt.Errorf("no code %s: %w", id, lab.ErrNotFound)
	}
	if err != nil {
		return Source{}, fmt.Errorf("code: %w", err)
	}
	var src Source
	if err := json.Unmarshal(data, &src); err != nil {
		return Source{}, fmt.Errorf("code %s: %w", id, err)
	}
	return src, nil
}
