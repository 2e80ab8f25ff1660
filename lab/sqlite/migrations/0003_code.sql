-- Learners' own files, checked and kept by id (lab/code).
CREATE TABLE code (
    id         TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    source     TEXT NOT NULL,
    vet        TEXT NOT NULL, -- the vet findings, as JSON
    created    TEXT NOT NULL
);
