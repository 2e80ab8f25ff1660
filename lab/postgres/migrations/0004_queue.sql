-- The shared run queue: several web servers and runners on other machines
-- take runs from the runs table itself. qseq keeps the order of
-- submission; a runner holds a running run until its lease expires and
-- renews it while the run executes; cancel asks the holder to stop it.
-- runners lists the processes that execute runs and when each was last
-- heard of, for the queue's expected waits.

CREATE SEQUENCE runs_qseq;

ALTER TABLE runs
	ADD COLUMN qseq     BIGINT NOT NULL DEFAULT nextval('runs_qseq'),
	ADD COLUMN cores    INTEGER NOT NULL DEFAULT 1,       -- GOMAXPROCS asked for
	ADD COLUMN yours    BOOLEAN NOT NULL DEFAULT false,   -- a learner's own variant is among its variants
	ADD COLUMN client   TEXT NOT NULL DEFAULT '',         -- who asked, for an anonymous run
	ADD COLUMN runner   TEXT NOT NULL DEFAULT '',         -- the runner process holding it
	ADD COLUMN lease    TIMESTAMPTZ,                      -- until when the runner holds it
	ADD COLUMN cancel   BOOLEAN NOT NULL DEFAULT false,   -- cancel requested while it runs
	ADD COLUMN position INTEGER NOT NULL DEFAULT 0,       -- place in line last announced
	ADD COLUMN ran_s    DOUBLE PRECISION;                 -- seconds a done run executed

CREATE INDEX runs_queued ON runs (qseq) WHERE status = 'queued';
CREATE INDEX runs_held ON runs (lease) WHERE status = 'running';
CREATE INDEX runs_ran ON runs (experiment, qseq) WHERE ran_s IS NOT NULL;

CREATE TABLE runners (
	name        TEXT PRIMARY KEY,
	slots       INTEGER NOT NULL,
	experiments TEXT NOT NULL,     -- comma-separated ids it can run
	seen        TIMESTAMPTZ NOT NULL
);
