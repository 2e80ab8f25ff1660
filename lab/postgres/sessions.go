package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"concurrencylab/lab"
	"concurrencylab/lab/session"
)

// CreateSession stores a new session; session.ErrCodeTaken if its room code
// is in use.
func (s *Store) CreateSession(ctx context.Context, r session.Record) error {
	state, err := json.Marshal(r.State)
	if err != nil {
		return wrap(err, "postgres: create session %s", r.ID)
	}
	err = s.do(ctx, opTimeout, "create session", func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `INSERT INTO sessions (id, code, key_hash, created, state) VALUES ($1, $2, $3, $4, $5)`,
			r.ID, r.Code, r.KeyHash, r.Created.UTC(), string(state))
		return err
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "sessions_code_key" { // unique_violation
		return session.ErrCodeTaken
	}
	if err != nil {
		return wrap(err, "postgres: create session %s", r.ID)
	}
	return nil
}

// LoadSession returns the session with the room code, with its learners and
// entries in order and the guesses of its current prediction.
func (s *Store) LoadSession(ctx context.Context, code string) (session.Record, error) {
	var r session.Record
	err := s.do(ctx, opTimeout, "load session", func(ctx context.Context) error {
		var err error
		r, err = s.loadSession(ctx, code)
		return err
	})
	if err != nil {
		return session.Record{}, wrap(err, "postgres: load session %s", code)
	}
	return r, nil
}

// loadSession reads the session in one read-only transaction, so its
// learners, entries and guesses are of one moment.
func (s *Store) loadSession(ctx context.Context, code string) (session.Record, error) {
	var r session.Record
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return r, err
	}
	defer tx.Rollback(ctx)
	var created time.Time
	var state string
	err = tx.QueryRow(ctx, `SELECT id, code, key_hash, created, state FROM sessions WHERE code = $1`, code).
		Scan(&r.ID, &r.Code, &r.KeyHash, &created, &state)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, lab.ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.Created = created.UTC()
	if err := json.Unmarshal([]byte(state), &r.State); err != nil {
		return r, fmt.Errorf("state: %w", err)
	}
	rows, _ := tx.Query(ctx, `SELECT record, token_hash FROM session_learners WHERE session_id = $1 ORDER BY seq`, r.ID)
	r.Learners, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (session.Learner, error) {
		var record, hash string
		var l session.Learner
		if err := row.Scan(&record, &hash); err != nil {
			return l, err
		}
		if err := json.Unmarshal([]byte(record), &l); err != nil {
			return l, fmt.Errorf("learner: %w", err)
		}
		l.TokenHash = hash
		return l, nil
	})
	if err != nil {
		return r, err
	}
	rows, _ = tx.Query(ctx, `SELECT record FROM session_entries WHERE session_id = $1 ORDER BY seq`, r.ID)
	r.Entries, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (session.Entry, error) {
		var record string
		var e session.Entry
		if err := row.Scan(&record); err != nil {
			return e, err
		}
		if err := json.Unmarshal([]byte(record), &e); err != nil {
			return e, fmt.Errorf("entry: %w", err)
		}
		return e, nil
	})
	if err != nil || r.State.Prediction == nil {
		return r, err
	}
	pred := r.State.Prediction.ID
	rows, _ = tx.Query(ctx, `SELECT learner_id, value FROM session_guesses WHERE session_id = $1 AND prediction = $2 ORDER BY learner_id`, r.ID, pred)
	r.Guesses, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (session.Guess, error) {
		g := session.Guess{Prediction: pred}
		err := row.Scan(&g.Learner, &g.Value)
		return g, err
	})
	return r, err
}

// SaveState replaces the state of session id.
func (s *Store) SaveState(ctx context.Context, id string, st session.State) error {
	state, err := json.Marshal(st)
	if err != nil {
		return wrap(err, "postgres: save session %s state", id)
	}
	var tag pgconn.CommandTag
	err = s.do(ctx, opTimeout, "save session state", func(ctx context.Context) error {
		tag, err = s.pool.Exec(ctx, `UPDATE sessions SET state = $1 WHERE id = $2`, string(state), id)
		return err
	})
	if err != nil {
		return wrap(err, "postgres: save session %s state", id)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: save session %s state: %w", id, lab.ErrNotFound)
	}
	s.changed(ctx, id)
	return nil
}

// SaveLearner inserts or replaces a learner of session id; a learner keeps
// their place in the join order.
func (s *Store) SaveLearner(ctx context.Context, id string, l session.Learner) error {
	l.Connected = false // a page being open is not stored
	record, err := json.Marshal(l)
	if err != nil {
		return wrap(err, "postgres: save learner %s", l.ID)
	}
	const q = `INSERT INTO session_learners (session_id, id, record, token_hash) VALUES ($1, $2, $3, $4)
		ON CONFLICT (session_id, id) DO UPDATE SET record = excluded.record, token_hash = excluded.token_hash`
	if err := s.exec(ctx, "save learner", q, id, l.ID, string(record), l.TokenHash); err != nil {
		return wrap(err, "postgres: save learner %s of session %s", l.ID, id)
	}
	s.changed(ctx, id)
	return nil
}

// SaveEntry inserts or replaces a board entry of session id; an entry keeps
// its place on the board.
func (s *Store) SaveEntry(ctx context.Context, id string, e session.Entry) error {
	record, err := json.Marshal(e)
	if err != nil {
		return wrap(err, "postgres: save entry %s", e.Run)
	}
	const q = `INSERT INTO session_entries (session_id, run_id, record) VALUES ($1, $2, $3)
		ON CONFLICT (session_id, run_id) DO UPDATE SET record = excluded.record`
	if err := s.exec(ctx, "save entry", q, id, e.Run, string(record)); err != nil {
		return wrap(err, "postgres: save entry %s of session %s", e.Run, id)
	}
	s.changed(ctx, id)
	return nil
}

// SaveGuess inserts or replaces a learner's guess.
func (s *Store) SaveGuess(ctx context.Context, id string, g session.Guess) error {
	const q = `INSERT INTO session_guesses (session_id, prediction, learner_id, value) VALUES ($1, $2, $3, $4)
		ON CONFLICT (session_id, prediction, learner_id) DO UPDATE SET value = excluded.value`
	if err := s.exec(ctx, "save guess", q, id, g.Prediction, g.Learner, g.Value); err != nil {
		return wrap(err, "postgres: save guess of session %s", id)
	}
	s.changed(ctx, id)
	return nil
}

// exec runs one statement with do's retries and deadline.
func (s *Store) exec(ctx context.Context, op, q string, args ...any) error {
	return s.do(ctx, opTimeout, op, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, q, args...)
		return err
	})
}

// changed tells the other servers that session id changed; a failure
// only delays them until the next change, so it is logged, not returned.
func (s *Store) changed(ctx context.Context, id string) {
	if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, chanSessions, id); err != nil {
		s.log.Warn("tell other servers of a session change", "session", id, "err", err)
	}
}
