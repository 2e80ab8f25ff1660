package postgres

// Telling the queued runs their places: after a run leaves the line
// (claimed or cancelled), every queued run whose position changed gets a
// status event with its new position and eta_s.

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"concurrencylab/lab/runs"
)

// Announce implements runs.SharedQueue.
func (s *Store) Announce(ctx context.Context) error {
	err := s.do(ctx, opTimeout, "announce the queue", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, queueLock); err != nil {
				return err
			}
			// Runs being claimed are skipped: they are leaving the line.
			rows, _ := tx.Query(ctx, `SELECT id, experiment, created, position FROM runs
				WHERE status = 'queued' ORDER BY qseq FOR UPDATE SKIP LOCKED`)
			queued, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (line, error) {
				var l line
				return l, row.Scan(&l.id, &l.experiment, &l.created, &l.was)
			})
			if err != nil {
				return err
			}
			return announce(ctx, tx, queued)
		})
	})
	if err == nil {
		// Runners whose claim skipped the rows locked here look again.
		_, err = s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, chanQueue)
	}
	if err != nil {
		return wrap(err, "postgres: announce the queue")
	}
	return nil
}

// line is a queued run as Announce sees it.
type line struct {
	id, experiment string
	created        time.Time
	was            int // the position last announced
}

// announce tells the queued runs, in order, their new positions where
// they changed, in a few statements however long the line: one status
// event each, its seq following the run's stored ones.
func announce(ctx context.Context, tx pgx.Tx, queued []line) error {
	type etaOf struct {
		slots   int
		typical float64
		known   bool
	}
	etas := make(map[string]etaOf)
	var ids []string
	var pos []int
	for i, l := range queued {
		if l.was != i+1 {
			ids, pos = append(ids, l.id), append(pos, i+1)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	next := make(map[string]int64, len(ids))
	rows, _ := tx.Query(ctx, `SELECT run_id, max(seq) + 1 FROM events WHERE run_id = ANY($1) GROUP BY run_id`, ids)
	var id string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { next[id] = n; return nil }); err != nil {
		return err
	}
	seqs, types, keys, data := make([]int64, 0, len(ids)), make([]string, 0, len(ids)), make([]string, 0, len(ids)), make([]string, 0, len(ids))
	k := 0
	for i, l := range queued {
		if k >= len(ids) || ids[k] != l.id {
			continue
		}
		e, ok := etas[l.experiment]
		if !ok {
			var err error
			if e.slots, e.typical, e.known, err = eta(ctx, tx, l.experiment); err != nil {
				return err
			}
			etas[l.experiment] = e
		}
		ev := runs.QueuedEvent(next[l.id], time.Since(l.created), i+1, e.slots, e.typical, e.known)
		seqs, types, keys, data = append(seqs, ev.Seq), append(types, ev.Type), append(keys, ev.Key), append(data, string(ev.Data))
		k++
	}
	if _, err := tx.Exec(ctx, `INSERT INTO events (run_id, seq, type, key, data)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])
		ON CONFLICT (run_id, seq) DO NOTHING`, ids, seqs, types, keys, data); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE runs SET position = p.pos FROM unnest($1::text[], $2::int[]) AS p(id, pos) WHERE runs.id = p.id`, ids, pos); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id`, chanEvents, ids)
	return err
}
