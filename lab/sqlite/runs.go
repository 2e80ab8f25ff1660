package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
)

// interruptedError is the Error Interrupt gives a run that had none.
const interruptedError = "the server stopped during the run"

// createdLayout is fixed width (no trimmed zeros), so the created column
// sorts as the times do.
const createdLayout = "2006-01-02T15:04:05.000000000Z07:00"

// SaveRun inserts the run, or replaces the stored one with the same ID.
func (s *Store) SaveRun(ctx context.Context, r runs.Run) error {
	if r.ID == "" {
		return errors.New("sqlite: save run: empty id")
	}
	record, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("sqlite: save run %s: %w", r.ID, err)
	}
	const q = `INSERT INTO runs (id, experiment, status, created, record) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			experiment = excluded.experiment,
			status = excluded.status,
			created = excluded.created,
			record = excluded.record`
	created := r.Created.UTC().Format(createdLayout)
	if _, err := s.write.ExecContext(ctx, q, r.ID, r.Experiment, string(r.Status), created, string(record)); err != nil {
		return fmt.Errorf("sqlite: save run %s: %w", r.ID, err)
	}
	return nil
}

// SaveEvents stores the events of run id in one transaction. Events whose
// seq is already stored are left as they are. The run must have been saved
// first: events of an unknown run are refused.
func (s *Store) SaveEvents(ctx context.Context, id string, events []runs.Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := s.saveEvents(ctx, id, events); err != nil {
		return fmt.Errorf("sqlite: save events of run %s: %w", id, err)
	}
	return nil
}

func (s *Store) saveEvents(ctx context.Context, id string, events []runs.Event) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op after Commit
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO events (run_id, seq, type, key, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (run_id, seq) DO NOTHING`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range events {
		if _, err := stmt.ExecContext(ctx, id, e.Seq, e.Type, e.Key, string(e.Data)); err != nil {
			return fmt.Errorf("seq %d: %w", e.Seq, err)
		}
	}
	return tx.Commit()
}

// LoadRun returns the run with the given id, or an error wrapping
// lab.ErrNotFound.
func (s *Store) LoadRun(ctx context.Context, id string) (runs.Run, error) {
	var record string
	err := s.read.QueryRowContext(ctx, `SELECT record FROM runs WHERE id = ?`, id).Scan(&record)
	if errors.Is(err, sql.ErrNoRows) {
		return runs.Run{}, fmt.Errorf("sqlite: load run %s: %w", id, lab.ErrNotFound)
	}
	if err != nil {
		return runs.Run{}, fmt.Errorf("sqlite: load run %s: %w", id, err)
	}
	var r runs.Run
	if err := json.Unmarshal([]byte(record), &r); err != nil {
		return runs.Run{}, fmt.Errorf("sqlite: load run %s: %w", id, err)
	}
	return r, nil
}

// LoadEvents returns the events of run id in seq order; none for an
// unknown run.
func (s *Store) LoadEvents(ctx context.Context, id string) ([]runs.Event, error) {
	events, err := s.loadEvents(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load events of run %s: %w", id, err)
	}
	return events, nil
}

func (s *Store) loadEvents(ctx context.Context, id string) ([]runs.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT seq, type, key, data FROM events WHERE run_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var events []runs.Event
	for rows.Next() {
		var e runs.Event
		var data string
		if err := rows.Scan(&e.Seq, &e.Type, &e.Key, &data); err != nil {
			return nil, err
		}
		e.Data = json.RawMessage(data)
		events = append(events, e)
	}
	return events, rows.Err()
}

// Interrupt marks every queued or running run interrupted, giving it an
// Error if it had none, and returns how many there were. Call it at start,
// before any run is submitted: a live run of this process would be marked
// too.
func (s *Store) Interrupt(ctx context.Context) (int, error) {
	n, err := s.interrupt(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlite: interrupt runs: %w", err)
	}
	return n, nil
}

func (s *Store) interrupt(ctx context.Context) (int, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() // a no-op after Commit
	// Read them all before updating: the transaction has one connection.
	live, err := liveRuns(ctx, tx)
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
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, record = ? WHERE id = ?`,
			string(r.Status), string(record), r.ID); err != nil {
			return 0, fmt.Errorf("run %s: %w", r.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(live), nil
}

// liveRuns returns the queued and running runs.
func liveRuns(ctx context.Context, tx *sql.Tx) ([]runs.Run, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, record FROM runs WHERE status IN (?, ?)`,
		string(runs.StatusQueued), string(runs.StatusRunning))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var live []runs.Run
	for rows.Next() {
		var id, record string
		if err := rows.Scan(&id, &record); err != nil {
			return nil, err
		}
		var r runs.Run
		if err := json.Unmarshal([]byte(record), &r); err != nil {
			return nil, fmt.Errorf("run %s: %w", id, err)
		}
		r.ID = id // the column is the key, whatever the record says
		live = append(live, r)
	}
	return live, rows.Err()
}
