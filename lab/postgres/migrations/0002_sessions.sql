-- Workshop sessions: the session, its learners, the board's entries and
-- the learners' guesses. Keys and tokens are stored only as SHA-256 hashes.
-- seq keeps the order learners joined and entries were made: an identity
-- column, so learners joining at once from several servers never share one.

CREATE TABLE sessions (
	id       TEXT PRIMARY KEY,
	code     TEXT NOT NULL UNIQUE, -- the room code learners type
	key_hash TEXT NOT NULL,
	created  TIMESTAMPTZ NOT NULL,
	state    TEXT NOT NULL          -- session.State as JSON
);

CREATE TABLE session_learners (
	session_id TEXT NOT NULL REFERENCES sessions (id),
	id         TEXT NOT NULL,
	seq        BIGINT GENERATED ALWAYS AS IDENTITY,
	record     TEXT NOT NULL,       -- session.Learner as JSON
	token_hash TEXT NOT NULL,
	PRIMARY KEY (session_id, id)
);

CREATE TABLE session_entries (
	session_id TEXT NOT NULL REFERENCES sessions (id),
	run_id     TEXT NOT NULL,
	seq        BIGINT GENERATED ALWAYS AS IDENTITY,
	record     TEXT NOT NULL,       -- session.Entry as JSON
	PRIMARY KEY (session_id, run_id)
);

CREATE TABLE session_guesses (
	session_id TEXT NOT NULL REFERENCES sessions (id),
	prediction BIGINT NOT NULL,
	learner_id TEXT NOT NULL,
	value      DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (session_id, prediction, learner_id)
);
