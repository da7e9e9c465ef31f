import { ConfigurationError } from '../../core/errors/fennflow.errors';
import type { PostgresClientLike } from './postgres-pool';
import type { PostgresTables } from './postgres-tables';

/**
 * Migration N is at index N - 1; applied ones are never edited, changes go in a new one.
 * Paths use the "C" collation: byte order of UTF-8, which is code-point order, for ORDER BY,
 * the `after` cursor and the primary key. Metadata and snapshots are `json` (kept as text, so
 * any string survives, unlike `jsonb`, which rejects \u0000).
 */
export function postgresMigrations(t: PostgresTables): readonly string[] {
  return [
    `
    CREATE TABLE ${t.records} (
      scope text NOT NULL,
      namespace text COLLATE "C" NOT NULL,
      path text COLLATE "C" NOT NULL,
      status text NOT NULL,
      session_id text NOT NULL,
      operation_id text NOT NULL,
      operation text NOT NULL,
      locked_by text,
      size bigint,
      media_type text,
      etag text,
      metadata json NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      error text,
      PRIMARY KEY (scope, namespace, path)
    );
    CREATE INDEX ${t.index('locked_by_idx')} ON ${t.records} (scope, locked_by)
      WHERE locked_by IS NOT NULL;

    CREATE TABLE ${t.sessions} (
      scope text NOT NULL,
      id text NOT NULL,
      state text NOT NULL,
      lease_expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (scope, id)
    );
    CREATE INDEX ${t.index('sessions_lease_idx')} ON ${t.sessions} (scope, lease_expires_at);

    CREATE TABLE ${t.journal} (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      scope text NOT NULL,
      session_id text NOT NULL,
      seq integer NOT NULL,
      operation_id text NOT NULL,
      operation text NOT NULL,
      effect text NOT NULL,
      namespace text NOT NULL,
      path text NOT NULL,
      restore text NOT NULL,
      backup_path text,
      first_touch boolean NOT NULL,
      previous json,
      state text NOT NULL,
      error text
    );
    CREATE INDEX ${t.index('journal_session_idx')} ON ${t.journal} (scope, session_id, id);
    `,
  ];
}

/**
 * Brings the schema to the latest version. A session-level advisory lock on the schema name
 * makes a second process wait until the first is done, then find nothing left to do.
 */
export async function migratePostgres(
  client: PostgresClientLike,
  tables: PostgresTables,
  schemaName: string,
): Promise<number> {
  const lockKey = `fennflow:migrate:${schemaName}`;
  await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [
    lockKey,
  ]);
  try {
    const exists = await client.query(
      'SELECT 1 FROM pg_namespace WHERE nspname = $1',
      [schemaName],
    );
    if (exists.rows.length === 0)
      await client.query(`CREATE SCHEMA ${tables.schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${tables.version} (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query(
      `SELECT coalesce(max(version), 0) AS current FROM ${tables.version}`,
    );
    const current = Number(rows[0].current);
    const migrations = postgresMigrations(tables);
    if (current > migrations.length) {
      throw new ConfigurationError(
        `The PostgreSQL tables ${tables.label} are at schema version ${current}, newer than this version of FennFlow supports (${migrations.length}); upgrade fennflow-nestjs.`,
      );
    }
    for (let next = current + 1; next <= migrations.length; next++) {
      await client.query('BEGIN');
      try {
        await client.query(migrations[next - 1]);
        await client.query(
          `INSERT INTO ${tables.version} (version) VALUES ($1)`,
          [next],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return migrations.length;
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [
      lockKey,
    ]);
  }
}
