-- Runs and their event streams.

CREATE TABLE runs (
	id         TEXT PRIMARY KEY,
	experiment TEXT NOT NULL,
	status     TEXT NOT NULL,
	created    TEXT NOT NULL, -- UTC, fixed width, so it sorts as time does
	record     TEXT NOT NULL  -- the whole lab.Run as JSON
);

CREATE INDEX runs_status ON runs(status);

CREATE TABLE events (
	run_id TEXT NOT NULL REFERENCES runs(id),
	seq    INTEGER NOT NULL,
	type   TEXT NOT NULL,
	key    TEXT NOT NULL,
	data   TEXT NOT NULL, -- the event's whole JSON object
	PRIMARY KEY (run_id, seq)
);
