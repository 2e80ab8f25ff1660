package postgres

// The shared run queue on the runs table: a claim is a row lock taken with
// FOR UPDATE SKIP LOCKED, in order of submission (qseq), so runners never
// wait on each other and never take one run twice. Every write to a run's
// events holds its row's lock and checks who may write: while it is
// queued, whoever changes the queue; while it runs, the runner that
// holds it. So a run's seq has no gaps whoever writes it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
)

// queueLock is the advisory lock key of changes to the line (a run queued,
// positions announced, a queued run cancelled), taken one at a time so
// positions are told in order; claims do not take it.
const queueLock = 0x1ab5c4e3b

// Channels of notifications: events of the run named in the payload are
// stored; the queue changed; a session changed (its code in the payload).
const (
	chanEvents   = "lab_events"
	chanQueue    = "lab_queue"
	chanSessions = "lab_sessions"
)

var _ runs.SharedQueue = (*Store)(nil)

// Enqueue implements runs.SharedQueue.
func (s *Store) Enqueue(ctx context.Context, r runs.Run, q runs.Queued) error {
	record, err := json.Marshal(r)
	if err != nil {
		return wrap(err, "postgres: enqueue run %s", r.ID)
	}
	err = s.do(ctx, opTimeout, "enqueue run", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, queueLock); err != nil {
				return err
			}
			var waiting, anon, mine int
			err := tx.QueryRow(ctx, `SELECT
				count(*) FILTER (WHERE status = 'queued'),
				count(*) FILTER (WHERE status = 'queued' AND client <> ''),
				count(*) FILTER (WHERE client = $1 AND $1 <> '')
				FROM runs WHERE status IN ('queued', 'running')`, q.Client).Scan(&waiting, &anon, &mine)
			if err != nil {
				return err
			}
			switch {
			case waiting >= q.MaxQueue:
				return runs.ErrQueueFull
			case q.Client != "" && mine >= q.PerClient:
				return fmt.Errorf("%w: at most %d queued or running at once; try again when one has finished", runs.ErrClientShare, q.PerClient)
			case q.Client != "" && anon >= q.AnonLimit:
				return fmt.Errorf("%w (the last %d places are kept for workshop sessions)", runs.ErrQueueFull, q.MaxQueue-q.AnonLimit)
			}
			pos := waiting + 1
			if _, err := tx.Exec(ctx, `INSERT INTO runs (id, experiment, status, created, record, cores, yours, client, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				r.ID, r.Experiment, string(r.Status), r.Created.UTC(), string(record), q.Cores, q.Yours, q.Client, pos); err != nil {
				return err
			}
			slots, typical, known, err := eta(ctx, tx, r.Experiment)
			if err != nil {
				return err
			}
			ev := runs.QueuedEvent(0, time.Since(r.Created), pos, slots, typical, known)
			if err := insertEvents(ctx, tx, r.ID, []runs.Event{ev}, true); err != nil {
				return err
			}
			return notifyQueue(ctx, tx)
		})
	})
	if errors.Is(err, runs.ErrQueueFull) || errors.Is(err, runs.ErrClientShare) {
		return err // its message is for the caller
	}
	if err != nil {
		return wrap(err, "postgres: enqueue run %s", r.ID)
	}
	return nil
}

// eta returns what a queued run's expected wait is made of: the slots of
// the runners heard of within a lease, and the median seconds of the
// experiment's last five done runs (known is false without any).
func eta(ctx context.Context, tx pgx.Tx, experiment string) (slots int, typical float64, known bool, err error) {
	err = tx.QueryRow(ctx, `SELECT COALESCE(sum(slots), 0) FROM runners WHERE seen > now() - $1::interval`,
		runs.DefaultLease.String()).Scan(&slots)
	if err != nil {
		return 0, 0, false, err
	}
	var med *float64
	err = tx.QueryRow(ctx, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ran_s) FROM
		(SELECT ran_s FROM runs WHERE experiment = $1 AND ran_s IS NOT NULL ORDER BY qseq DESC LIMIT 5) last`,
		experiment).Scan(&med)
	if err != nil || med == nil {
		return slots, 0, false, err
	}
	return slots, *med, true, nil
}

// insertEvents stores events of run id and tells every server; where
// next is true their seqs follow the stored ones (the caller holds the
// run's row lock), else they keep their own.
func insertEvents(ctx context.Context, tx pgx.Tx, id string, events []runs.Event, next bool) error {
	if len(events) == 0 {
		return nil
	}
	if next {
		var from int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(seq) + 1, 0) FROM events WHERE run_id = $1`, id).Scan(&from); err != nil {
			return err
		}
		if from != events[0].Seq {
			return fmt.Errorf("run %s: events from seq %d, want %d", id, events[0].Seq, from)
		}
	}
	n := len(events)
	seqs, types, keys, data := make([]int64, n), make([]string, n), make([]string, n), make([]string, n)
	for i, e := range events {
		seqs[i], types[i], keys[i], data[i] = e.Seq, e.Type, e.Key, string(e.Data)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO events (run_id, seq, type, key, data)
		SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[])
		ON CONFLICT (run_id, seq) DO NOTHING`, id, seqs, types, keys, data); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, chanEvents, id)
	return err
}

// storedEvents returns run id's events from seq from on.
func storedEvents(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, id string, from int64) ([]runs.Event, error) {
	rows, _ := q.Query(ctx, `SELECT seq, type, key, data FROM events WHERE run_id = $1 AND seq >= $2 ORDER BY seq`, id, from)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (runs.Event, error) {
		var e runs.Event
		var data string
		err := row.Scan(&e.Seq, &e.Type, &e.Key, &data)
		e.Data = json.RawMessage(data)
		return e, err
	})
}

// EventsFrom implements runs.SharedQueue.
func (s *Store) EventsFrom(ctx context.Context, id string, from int64) ([]runs.Event, error) {
	var events []runs.Event
	err := s.do(ctx, opTimeout, "load events", func(ctx context.Context) error {
		var err error
		events, err = storedEvents(ctx, s.pool, id, from)
		return err
	})
	if err != nil {
		return nil, wrap(err, "postgres: load events of run %s", id)
	}
	return events, nil
}

// Claim implements runs.SharedQueue.
func (s *Store) Claim(ctx context.Context, ask runs.Ask, lease time.Duration, begin func(r *runs.Run, stored []runs.Event) []runs.Event) (runs.Run, []runs.Event, bool, error) {
	var r runs.Run
	var all []runs.Event
	found := false
	err := s.do(ctx, opTimeout, "claim run", func(ctx context.Context) error {
		found = false
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var id, record string
			err := tx.QueryRow(ctx, `SELECT id, record FROM runs
				WHERE status = 'queued' AND experiment = ANY($1) AND cores <= $2 AND (NOT yours OR $3)
				ORDER BY qseq LIMIT 1 FOR UPDATE SKIP LOCKED`, ask.Experiments, ask.Cores, ask.Yours).Scan(&id, &record)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			r = runs.Run{}
			if err := json.Unmarshal([]byte(record), &r); err != nil {
				return fmt.Errorf("run %s: %w", id, err)
			}
			stored, err := storedEvents(ctx, tx, id, 0)
			if err != nil {
				return err
			}
			more := begin(&r, stored)
			if err := insertEvents(ctx, tx, id, more, true); err != nil {
				return err
			}
			if err := updateRecord(ctx, tx, r, `runner = $4, lease = now() + $5::interval, position = 0`, ask.Runner, lease.String()); err != nil {
				return err
			}
			all, found = append(stored, more...), true
			return nil
		})
	})
	if err != nil {
		return runs.Run{}, nil, false, wrap(err, "postgres: claim a run")
	}
	return r, all, found, nil
}

// updateRecord writes r's status and record, and the further assignments
// set (whose parameters are numbered from $4).
func updateRecord(ctx context.Context, tx pgx.Tx, r runs.Run, set string, args ...any) error {
	record, err := json.Marshal(r)
	if err != nil {
		return err
	}
	q := `UPDATE runs SET status = $2, record = $3`
	if set != "" {
		q += ", " + set
	}
	_, err = tx.Exec(ctx, q+` WHERE id = $1`, append([]any{r.ID, string(r.Status), string(record)}, args...)...)
	return err
}

// notifyQueue tells every runner the queue has a run for it.
func notifyQueue(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, chanQueue)
	return err
}

// State implements runs.SharedQueue.
func (s *Store) State(ctx context.Context, id string) (runs.State, error) {
	var st runs.State
	err := s.do(ctx, opTimeout, "run state", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var status, experiment string
			var pos int
			err := tx.QueryRow(ctx, `SELECT r.status, r.experiment,
				(SELECT count(*) FROM runs q WHERE q.status = 'queued' AND q.qseq <= r.qseq)
				FROM runs r WHERE r.id = $1`, id).Scan(&status, &experiment, &pos)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("run %s: %w", id, lab.ErrNotFound)
			}
			if err != nil {
				return err
			}
			st = runs.State{Status: runs.Status(status)}
			if st.Status != runs.StatusQueued {
				return nil
			}
			st.Position = pos
			slots, typical, known, err := eta(ctx, tx, experiment)
			if known {
				st.EtaS, st.HasETA = runs.SharedETA(pos, slots, typical), true
			}
			return err
		})
	})
	if err != nil {
		return runs.State{}, wrap(err, "postgres: state of run %s", id)
	}
	return st, nil
}
