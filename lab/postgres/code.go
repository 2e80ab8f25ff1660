package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"concurrencylab/lab"
	"concurrencylab/lab/code"
)

var _ code.Store = (*Store)(nil)

// SaveCode keeps a learner's checked file; one kept before stays as it is.
func (s *Store) SaveCode(ctx context.Context, src code.Source) error {
	vet, err := json.Marshal(src.Vet)
	if err != nil {
		return fmt.Errorf("postgres: save code %s: %w", src.ID, err)
	}
	err = s.do(ctx, opTimeout, "save code", func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `INSERT INTO code (id, experiment, source, vet, created) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
			src.ID, src.Experiment, src.Code, string(vet), src.Created.UTC())
		return err
	})
	if err != nil {
		return wrap(err, "postgres: save code %s", src.ID)
	}
	return nil
}

// LoadCode returns a learner's kept file, or an error wrapping
// lab.ErrNotFound.
func (s *Store) LoadCode(ctx context.Context, id string) (code.Source, error) {
	src := code.Source{ID: id}
	var vet string
	var created time.Time
	err := s.do(ctx, opTimeout, "load code", func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, `SELECT experiment, source, vet, created FROM code WHERE id = $1`, id).
			Scan(&src.Experiment, &src.Code, &vet, &created)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return code.Source{}, fmt.Errorf("no code %s: %w", id, lab.ErrNotFound)
	}
	if err != nil {
		return code.Source{}, wrap(err, "postgres: load code %s", id)
	}
	if err := json.Unmarshal([]byte(vet), &src.Vet); err != nil {
		return code.Source{}, wrap(err, "postgres: load code %s", id)
	}
	src.Created = created.UTC()
	return src, nil
}
