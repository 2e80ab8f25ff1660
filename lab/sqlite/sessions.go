package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/session"
)

var _ session.Store = (*Store)(nil)

// CreateSession stores a new session; session.ErrCodeTaken if its room code
// is in use.
func (s *Store) CreateSession(ctx context.Context, r session.Record) error {
	state, err := json.Marshal(r.State)
	if err != nil {
		return fmt.Errorf("sqlite: create session %s: %w", r.ID, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO sessions (id, code, key_hash, created, state) VALUES (?, ?, ?, ?, ?)`,
		r.ID, r.Code, r.KeyHash, r.Created.UTC().Format(createdLayout), string(state))
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: sessions.code") {
		return session.ErrCodeTaken
	}
	if err != nil {
		return fmt.Errorf("sqlite: create session %s: %w", r.ID, err)
	}
	return nil
}

// LoadSession returns the session with the room code, with its learners and
// entries in order and the guesses of its current prediction.
func (s *Store) LoadSession(ctx context.Context, code string) (session.Record, error) {
	r, err := s.loadSession(ctx, code)
	if err != nil {
		return session.Record{}, fmt.Errorf("sqlite: load session %s: %w", code, err)
	}
	return r, nil
}

func (s *Store) loadSession(ctx context.Context, code string) (session.Record, error) {
	var r session.Record
	var created, state string
	err := s.read.QueryRowContext(ctx, `SELECT id, code, key_hash, created, state FROM sessions WHERE code = ?`, code).
		Scan(&r.ID, &r.Code, &r.KeyHash, &created, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return r, lab.ErrNotFound
	}
	if err != nil {
		return r, err
	}
	if r.Created, err = time.Parse(createdLayout, created); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(state), &r.State); err != nil {
		return r, fmt.Errorf("state: %w", err)
	}
	err = each(ctx, s.read, `SELECT record, token_hash FROM session_learners WHERE session_id = ? ORDER BY seq`, []any{r.ID},
		func(rows *sql.Rows) error {
			var record string
			var l session.Learner
			if err := rows.Scan(&record, &l.TokenHash); err != nil {
				return err
			}
			hash := l.TokenHash
			if err := json.Unmarshal([]byte(record), &l); err != nil {
				return fmt.Errorf("learner: %w", err)
			}
			l.TokenHash = hash
			r.Learners = append(r.Learners, l)
			return nil
		})
	if err != nil {
		return r, err
	}
	err = each(ctx, s.read, `SELECT record FROM session_entries WHERE session_id = ? ORDER BY seq`, []any{r.ID},
		func(rows *sql.Rows) error {
			var record string
			var e session.Entry
			if err := rows.Scan(&record); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(record), &e); err != nil {
				return fmt.Errorf("entry: %w", err)
			}
			r.Entries = append(r.Entries, e)
			return nil
		})
	if err != nil || r.State.Prediction == nil {
		return r, err
	}
	pred := r.State.Prediction.ID
	err = each(ctx, s.read, `SELECT learner_id, value FROM session_guesses WHERE session_id = ? AND prediction = ?`, []any{r.ID, pred},
		func(rows *sql.Rows) error {
			g := session.Guess{Prediction: pred}
			if err := rows.Scan(&g.Learner, &g.Value); err != nil {
				return err
			}
			r.Guesses = append(r.Guesses, g)
			return nil
		})
	return r, err
}

// each runs query and calls f for every row.
func each(ctx context.Context, db *sql.DB, query string, args []any, f func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SaveState replaces the state of session id.
func (s *Store) SaveState(ctx context.Context, id string, st session.State) error {
	state, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("sqlite: save session %s state: %w", id, err)
	}
	res, err := s.write.ExecContext(ctx, `UPDATE sessions SET state = ? WHERE id = ?`, string(state), id)
	if err != nil {
		return fmt.Errorf("sqlite: save session %s state: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: save session %s state: %w", id, lab.ErrNotFound)
	}
	return nil
}

// SaveLearner inserts or replaces a learner of session id; a learner keeps
// their place in the join order.
func (s *Store) SaveLearner(ctx context.Context, id string, l session.Learner) error {
	l.Connected = false // a page being open is not stored
	record, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("sqlite: save learner %s: %w", l.ID, err)
	}
	const q = `INSERT INTO session_learners (session_id, id, seq, record, token_hash)
		VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM session_learners WHERE session_id = ?1), ?3, ?4)
		ON CONFLICT (session_id, id) DO UPDATE SET record = excluded.record, token_hash = excluded.token_hash`
	if _, err := s.write.ExecContext(ctx, q, id, l.ID, string(record), l.TokenHash); err != nil {
		return fmt.Errorf("sqlite: save learner %s of session %s: %w", l.ID, id, err)
	}
	return nil
}

// SaveEntry inserts or replaces a board entry of session id; an entry keeps
// its place on the board.
func (s *Store) SaveEntry(ctx context.Context, id string, e session.Entry) error {
	record, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("sqlite: save entry %s: %w", e.Run, err)
	}
	const q = `INSERT INTO session_entries (session_id, run_id, seq, record)
		VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM session_entries WHERE session_id = ?1), ?3)
		ON CONFLICT (session_id, run_id) DO UPDATE SET record = excluded.record`
	if _, err := s.write.ExecContext(ctx, q, id, e.Run, string(record)); err != nil {
		return fmt.Errorf("sqlite: save entry %s of session %s: %w", e.Run, id, err)
	}
	return nil
}

// SaveGuess inserts or replaces a learner's guess.
func (s *Store) SaveGuess(ctx context.Context, id string, g session.Guess) error {
	const q = `INSERT INTO session_guesses (session_id, prediction, learner_id, value) VALUES (?, ?, ?, ?)
		ON CONFLICT (session_id, prediction, learner_id) DO UPDATE SET value = excluded.value`
	if _, err := s.write.ExecContext(ctx, q, id, g.Prediction, g.Learner, g.Value); err != nil {
		return fmt.Errorf("sqlite: save guess of session %s: %w", id, err)
	}
	return nil
}
