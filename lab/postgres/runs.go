package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
)

// interruptedError is the Error Interrupt gives a run that had none.
const interruptedError = "the server stopped during the run"

// SaveRun inserts the run, or replaces the stored one with the same ID.
func (s *Store) SaveRun(ctx context.Context, r runs.Run) error {
	if r.ID == "" {
		return errors.New("postgres: save run: empty id")
	}
	record, err := json.Marshal(r)
	if err != nil {
		return wrap(err, "postgres: save run %s", r.ID)
	}
	const q = `INSERT INTO runs (id, experiment, status, created, record) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET
			experiment = excluded.experiment,
			status = excluded.status,
			created = excluded.created,
			record = excluded.record`
	err = s.do(ctx, opTimeout, "save run", func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, q, r.ID, r.Experiment, string(r.Status), r.Created.UTC(), string(record))
		return err
	})
	if err != nil {
		return wrap(err, "postgres: save run %s", r.ID)
	}
	return nil
}

// SaveEvents stores the events of run id in one statement. Events whose
// seq is already stored are left as they are. The run must have been saved
// first: events of an unknown run are refused.
func (s *Store) SaveEvents(ctx context.Context, id string, events []runs.Event) error {
	if len(events) == 0 {
		return nil
	}
	n := len(events)
	seqs, types, keys, data := make([]int64, n), make([]string, n), make([]string, n), make([]string, n)
	for i, e := range events {
		seqs[i], types[i], keys[i], data[i] = e.Seq, e.Type, e.Key, string(e.Data)
	}
	const q = `INSERT INTO events (run_id, seq, type, key, data)
		SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[])
		ON CONFLICT (run_id, seq) DO NOTHING`
	err := s.do(ctx, eventsTimeout, "save events", func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, q, id, seqs, types, keys, data)
		return err
	})
	if err != nil {
		return wrap(err, "postgres: save events of run %s", id)
	}
	return nil
}

// LoadRun returns the run with the given id, or an error wrapping
// lab.ErrNotFound.
func (s *Store) LoadRun(ctx context.Context, id string) (runs.Run, error) {
	var record string
	err := s.do(ctx, opTimeout, "load run", func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, `SELECT record FROM runs WHERE id = $1`, id).Scan(&record)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return runs.Run{}, fmt.Errorf("postgres: load run %s: %w", id, lab.ErrNotFound)
	}
	if err != nil {
		return runs.Run{}, wrap(err, "postgres: load run %s", id)
	}
	var r runs.Run
	if err := json.Unmarshal([]byte(record), &r); err != nil {
		return runs.Run{}, wrap(err, "postgres: load run %s", id)
	}
	return r, nil
}

// LoadEvents returns the events of run id in seq order; none for an
// unknown run.
func (s *Store) LoadEvents(ctx context.Context, id string) ([]runs.Event, error) {
	var events []runs.Event
	err := s.do(ctx, opTimeout, "load events", func(ctx context.Context) error {
		rows, _ := s.pool.Query(ctx, `SELECT seq, type, key, data FROM events WHERE run_id = $1 ORDER BY seq`, id)
		var err error
		events, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (runs.Event, error) {
			var e runs.Event
			var data string
			err := row.Scan(&e.Seq, &e.Type, &e.Key, &data)
			e.Data = json.RawMessage(data)
			return e, err
		})
		return err
	})
	if err != nil {
		return nil, wrap(err, "postgres: load events of run %s", id)
	}
	return events, nil
}

// Interrupt marks every queued or running run interrupted, giving it an
// Error if it had none, and returns how many there were. Call it at start,
// before any run is submitted: a live run of this process would be marked
// too.
func (s *Store) Interrupt(ctx context.Context) (int, error) {
	var n int
	err := s.do(ctx, eventsTimeout, "interrupt runs", func(ctx context.Context) error {
		var err error
		n, err = s.interrupt(ctx)
		return err
	})
	if err != nil {
		return 0, wrap(err, "postgres: interrupt runs")
	}
	return n, nil
}

func (s *Store) interrupt(ctx context.Context) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx) // a no-op after Commit
	rows, _ := tx.Query(ctx, `SELECT id, record FROM runs WHERE status IN ($1, $2) FOR UPDATE`,
		string(runs.StatusQueued), string(runs.StatusRunning))
	live, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (runs.Run, error) {
		var id, record string
		if err := row.Scan(&id, &record); err != nil {
			return runs.Run{}, err
		}
		var r runs.Run
		if err := json.Unmarshal([]byte(record), &r); err != nil {
			return r, fmt.Errorf("run %s: %w", id, err)
		}
		r.ID = id // the column is the key, whatever the record says
		return r, nil
	})
	if err != nil {
		return 0, err
	}
	for _, r := range live {
		r.Status = runs.StatusInterrupted
		if r.Error == "" {
			r.Error = interruptedError
		}
		record, err := json.Marshal(r)
		if err != nil {
			return 0, fmt.Errorf("run %s: %w", r.ID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE runs SET status = $1, record = $2 WHERE id = $3`,
			string(r.Status), string(record), r.ID); err != nil {
			return 0, fmt.Errorf("run %s: %w", r.ID, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	return len(live), nil
}
