package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"concurrencylab/lab/migration"
)

// migrationFS holds the schema, one file per version: NNNN_name.sql,
// numbered from 1 without gaps. Add a file to change the schema; never edit
// one that has shipped.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLock is the advisory lock key every migration transaction
// takes first, so servers starting at once against one database apply
// each migration once, one after the other.
const migrationLock = 0x1ab5c4e3a

// migrate brings the database's schema up to the newest migration in
// fsys. Each migration runs in its own transaction together with its
// schema_version row (PostgreSQL's DDL is transactional), so it is applied
// whole or not at all.
func migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) error {
	ms, err := migration.Load(fsys)
	if err != nil {
		return err
	}
	for {
		done, err := migrateOne(ctx, pool, ms)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the first migration the database lacks; done is true
// when it lacks none.
func migrateOne(ctx context.Context, pool *pgxpool.Pool, ms []migration.Migration) (done bool, err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) // a no-op after Commit
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return false, fmt.Errorf("lock: %w", err)
	}
	const create = `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL,
		applied TIMESTAMPTZ NOT NULL DEFAULT now()
	)`
	if _, err := tx.Exec(ctx, create); err != nil {
		return false, fmt.Errorf("create schema_version: %w", err)
	}
	var have int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	if have > len(ms) {
		return false, fmt.Errorf("database schema version %d is newer than this program's %d", have, len(ms))
	}
	if have == len(ms) {
		return true, tx.Commit(ctx)
	}
	m := ms[have]
	// The simple protocol lets one file hold several statements.
	if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	return false, nil
}
