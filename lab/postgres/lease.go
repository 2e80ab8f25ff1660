package postgres

// A runner's hold on the runs it executes: its batches of events, its
// heartbeat, the end of each run, and the interruption of the runs of a
// runner that stopped answering.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runs"
)

// lostMessage is the error of a run whose runner stopped answering.
const lostMessage = "the runner executing the run stopped answering"

// hold locks run id's row if runner holds it, running; else ErrLost.
func hold(ctx context.Context, tx pgx.Tx, runner, id string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM runs WHERE id = $1 AND runner = $2 AND status = 'running' FOR UPDATE`, id, runner).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return runs.ErrLost
	}
	return err
}

// Save implements runs.SharedQueue.
func (s *Store) Save(ctx context.Context, runner, id string, events []runs.Event) error {
	if len(events) == 0 {
		return nil
	}
	err := s.do(ctx, eventsTimeout, "save events", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if err := hold(ctx, tx, runner, id); err != nil {
				return err
			}
			return insertEvents(ctx, tx, id, events, false)
		})
	})
	if errors.Is(err, runs.ErrLost) {
		return err
	}
	if err != nil {
		return wrap(err, "postgres: save events of run %s", id)
	}
	return nil
}

// Finish implements runs.SharedQueue.
func (s *Store) Finish(ctx context.Context, runner string, r runs.Run, events []runs.Event) error {
	var ran *float64
	if r.Started != nil && r.Finished != nil && r.Status == runs.StatusDone {
		d := r.Finished.Sub(*r.Started).Seconds()
		ran = &d
	}
	err := s.do(ctx, eventsTimeout, "finish run", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if err := hold(ctx, tx, runner, r.ID); err != nil {
				return err
			}
			if err := insertEvents(ctx, tx, r.ID, events, false); err != nil {
				return err
			}
			return updateRecord(ctx, tx, r, `lease = NULL, ran_s = $4`, ran)
		})
	})
	if errors.Is(err, runs.ErrLost) {
		return err
	}
	if err != nil {
		return wrap(err, "postgres: finish run %s", r.ID)
	}
	return nil
}

// Heartbeat implements runs.SharedQueue.
func (s *Store) Heartbeat(ctx context.Context, ask runs.Ask, held []string, lease time.Duration) (cancel, lost []string, err error) {
	err = s.do(ctx, opTimeout, "heartbeat", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO runners (name, slots, experiments, seen) VALUES ($1, $2, $3, now())
				ON CONFLICT (name) DO UPDATE SET slots = excluded.slots, experiments = excluded.experiments, seen = now()`,
				ask.Runner, ask.Slots, strings.Join(ask.Experiments, ",")); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE runs SET lease = now() + $3::interval
				WHERE runner = $1 AND status = 'running' AND id = ANY($2)`, ask.Runner, held, lease.String()); err != nil {
				return err
			}
			mine := make(map[string]bool)
			cancel = nil
			rows, _ := tx.Query(ctx, `SELECT id, cancel FROM runs WHERE runner = $1 AND status = 'running' AND id = ANY($2)`, ask.Runner, held)
			var id string
			var c bool
			_, err := pgx.ForEachRow(rows, []any{&id, &c}, func() error {
				mine[id] = true
				if c {
					cancel = append(cancel, id)
				}
				return nil
			})
			if err != nil {
				return err
			}
			lost = nil
			for _, h := range held {
				if !mine[h] {
					lost = append(lost, h)
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, nil, wrap(err, "postgres: heartbeat of %s", ask.Runner)
	}
	return cancel, lost, nil
}

// Reap implements runs.SharedQueue. A run marked running with no lease
// was left by a server from before the shared queue: it is reaped too.
func (s *Store) Reap(ctx context.Context) (int, error) {
	n := 0
	err := s.do(ctx, eventsTimeout, "reap runs", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT record FROM runs WHERE status = 'running' AND (lease IS NULL OR lease < now())
				FOR UPDATE SKIP LOCKED`)
			expired, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			n = len(expired)
			for _, record := range expired {
				if err := endHere(ctx, tx, record, runs.StatusInterrupted, lostMessage); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return 0, wrap(err, "postgres: reap runs")
	}
	return n, nil
}

// endHere ends the run whose record is given, its row locked by the
// caller: an error event, the final status event, the record.
func endHere(ctx context.Context, tx pgx.Tx, record string, status runs.Status, msg string) error {
	var r runs.Run
	if err := json.Unmarshal([]byte(record), &r); err != nil {
		return err
	}
	var next int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(max(seq) + 1, 0) FROM events WHERE run_id = $1`, r.ID).Scan(&next); err != nil {
		return err
	}
	t := time.Since(r.Created)
	evs := []runs.Event{
		runs.EncodeEvent(next, t, event.Error{Message: msg}),
		runs.EncodeEvent(next+1, t, event.Status{State: string(status)}),
	}
	now := time.Now().UTC()
	r.Status, r.Finished, r.Error = status, &now, msg
	if err := insertEvents(ctx, tx, r.ID, evs, false); err != nil {
		return err
	}
	return updateRecord(ctx, tx, r, `lease = NULL`)
}

// Cancel implements runs.SharedQueue.
func (s *Store) Cancel(ctx context.Context, id string) (stopped bool, err error) {
	err = s.do(ctx, opTimeout, "cancel run", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var status, record string
			err := tx.QueryRow(ctx, `SELECT status, record FROM runs WHERE id = $1 FOR UPDATE`, id).Scan(&status, &record)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("run %s: %w", id, lab.ErrNotFound)
			}
			if err != nil {
				return err
			}
			switch runs.Status(status) {
			case runs.StatusQueued:
				stopped = true
				return endHere(ctx, tx, record, runs.StatusCancelled, "cancelled on request")
			case runs.StatusRunning:
				stopped = false
				_, err := tx.Exec(ctx, `UPDATE runs SET cancel = true WHERE id = $1`, id)
				return err
			}
			return runs.ErrFinished
		})
	})
	if errors.Is(err, runs.ErrFinished) || errors.Is(err, lab.ErrNotFound) {
		return false, err
	}
	if err != nil {
		return false, wrap(err, "postgres: cancel run %s", id)
	}
	return stopped, nil
}
