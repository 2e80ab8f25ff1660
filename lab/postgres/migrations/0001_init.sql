-- Runs and their event streams. Records are the JSON the Go types encode
-- to, kept as text: verbatim, and jsonb would refuse a \u0000 a run's
-- output may carry. The columns beside them are what queries select by.

CREATE TABLE runs (
	id         TEXT PRIMARY KEY,
	experiment TEXT NOT NULL,
	status     TEXT NOT NULL,
	created    TIMESTAMPTZ NOT NULL,
	record     TEXT NOT NULL -- the whole runs.Run as JSON
);

CREATE INDEX runs_status ON runs (status);

CREATE TABLE events (
	run_id TEXT NOT NULL REFERENCES runs (id),
	seq    BIGINT NOT NULL,
	type   TEXT NOT NULL,
	key    TEXT NOT NULL,
	data   TEXT NOT NULL, -- the event's whole JSON object
	PRIMARY KEY (run_id, seq)
);
