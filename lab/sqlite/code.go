package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/code"
)

var _ code.Store = (*Store)(nil)

// SaveCode keeps a learner's checked file; one kept before stays as it is.
func (s *Store) SaveCode(ctx context.Context, src code.Source) error {
	vet, err := json.Marshal(src.Vet)
	if err != nil {
		return fmt.Errorf("sqlite: save code %s: %w", src.ID, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO code (id, experiment, source, vet, created) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		src.ID, src.Experiment, src.Code, string(vet), src.Created.UTC().Format(createdLayout))
	if err != nil {
		return fmt.Errorf("sqlite: save code %s: %w", src.ID, err)
	}
	return nil
}

// LoadCode returns a learner's kept file, or an error wrapping
// lab.ErrNotFound.
func (s *Store) LoadCode(ctx context.Context, id string) (code.Source, error) {
	src := code.Source{ID: id}
	var vet, created string
	err := s.read.QueryRowContext(ctx, `SELECT experiment, source, vet, created FROM code WHERE id = ?`, id).
		Scan(&src.Experiment, &src.Code, &vet, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return code.Source{}, fmt.Errorf("no code %s: %w", id, lab.ErrNotFound)
	}
	if err == nil {
		src.Created, err = time.Parse(createdLayout, created)
	}
	if err == nil {
		err = json.Unmarshal([]byte(vet), &src.Vet)
	}
	if err != nil {
		return code.Source{}, fmt.Errorf("sqlite: load code %s: %w", id, err)
	}
	return src, nil
}
