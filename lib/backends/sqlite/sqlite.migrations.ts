import type BetterSqlite3 from 'better-sqlite3';
import { ConfigurationError } from '../../core/errors/fennflow.errors';

export const SQLITE_TABLES = {
  records: 'fennflow_records',
  sessions: 'fennflow_sessions',
  journal: 'fennflow_journal',
  version: 'fennflow_schema_version',
} as const;

const { records, sessions, journal, version } = SQLITE_TABLES;

/**
 * Migration N is at index N - 1; applied ones are never edited, changes go in a new one.
 * Dates are integer milliseconds since the epoch; metadata and snapshots are JSON text. SQLite's
 * default BINARY collation compares UTF-8 bytes, which is code-point order.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE ${records} (
    scope TEXT NOT NULL,
    namespace TEXT NOT NULL,
    path TEXT NOT NULL,
    status TEXT NOT NULL,
    session_id TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    locked_by TEXT,
    size INTEGER,
    media_type TEXT,
    etag TEXT,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    error TEXT,
    PRIMARY KEY (scope, namespace, path)
  );
  CREATE INDEX ${records}_locked_by ON ${records} (scope, locked_by)
    WHERE locked_by IS NOT NULL;

  CREATE TABLE ${sessions} (
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    state TEXT NOT NULL,
    lease_expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, id)
  );
  CREATE INDEX ${sessions}_lease ON ${sessions} (scope, lease_expires_at);

  CREATE TABLE ${journal} (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    operation_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    effect TEXT NOT NULL,
    namespace TEXT NOT NULL,
    path TEXT NOT NULL,
    restore TEXT NOT NULL,
    backup_path TEXT,
    first_touch INTEGER NOT NULL,
    previous TEXT,
    state TEXT NOT NULL,
    error TEXT
  );
  CREATE INDEX ${journal}_session ON ${journal} (scope, session_id, id);
  `,
];

/**
 * Brings the schema to the latest version. BEGIN IMMEDIATE takes the write lock before the
 * version is read, so a second process opening the same file waits and then finds it done.
 */
export function migrateSqlite(db: BetterSqlite3.Database): number {
  const migrate = db.transaction((): number => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${version} (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
    );
    const row = db
      .prepare(`SELECT coalesce(max(version), 0) AS current FROM ${version}`)
      .get() as { current: number };
    if (row.current > SQLITE_MIGRATIONS.length) {
      throw new ConfigurationError(
        `The SQLite database is at schema version ${row.current}, newer than this version of FennFlow supports (${SQLITE_MIGRATIONS.length}); upgrade fennflow-nestjs.`,
      );
    }
    const record = db.prepare(
      `INSERT INTO ${version} (version, applied_at) VALUES (?, ?)`,
    );
    for (let next = row.current + 1; next <= SQLITE_MIGRATIONS.length; next++) {
      db.exec(SQLITE_MIGRATIONS[next - 1]);
      record.run(next, Date.now());
    }
    return SQLITE_MIGRATIONS.length;
  });
  return migrate.immediate();
}
