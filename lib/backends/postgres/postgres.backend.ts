import type { Pool, PoolConfig } from 'pg';
import { comparePaths } from '../../core/backend/compare-paths';
import { FennFlowBackend } from '../../core/backend/fennflow-backend';
import type {
  ListVisibleQuery,
  RecordUpdate,
  RollbackOutcome,
  StagingChanges,
  StagingSnapshot,
} from '../../core/backend/fennflow-backend';
import { recordKeyOf } from '../../core/backend/file-record';
import type { FileRecord, RecordKey } from '../../core/backend/file-record';
import type { JournalEntry } from '../../core/backend/journal-entry';
import type {
  SessionRecord,
  SessionState,
} from '../../core/backend/session-record';
import { BackendError, FennFlowError } from '../../core/errors/fennflow.errors';
import { loadDriver } from '../sql/load-driver';
import {
  JOURNAL_COLUMNS,
  RECORD_COLUMNS,
  journalColumns,
  journalFromRow,
  lastErrorPerOperation,
  lastPerKey,
  mergeUpdates,
  recordColumns,
  recordFromRow,
  sessionFromRow,
} from '../sql/sql-rows';
import type { PostgresBackendOptions } from './postgres-backend.config';
import { migratePostgres } from './postgres.migrations';
import type {
  PostgresClientLike,
  PostgresPoolLike,
  PostgresQueryResult,
} from './postgres-pool';
import { postgresTables, PostgresTables } from './postgres-tables';

type Run = (sql: string, params: unknown[]) => Promise<PostgresQueryResult>;

const RECORD_TYPES: Record<(typeof RECORD_COLUMNS)[number], string> = {
  namespace: 'text',
  path: 'text',
  status: 'text',
  session_id: 'text',
  operation_id: 'text',
  operation: 'text',
  locked_by: 'text',
  size: 'bigint',
  media_type: 'text',
  etag: 'text',
  metadata: 'json',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  error: 'text',
};

const JOURNAL_TYPES: Record<(typeof JOURNAL_COLUMNS)[number], string> = {
  session_id: 'text',
  seq: 'integer',
  operation_id: 'text',
  operation: 'text',
  effect: 'text',
  namespace: 'text',
  path: 'text',
  restore: 'text',
  backup_path: 'text',
  first_touch: 'boolean',
  previous: 'json',
  state: 'text',
  error: 'text',
};

const columnList = (types: Record<string, string>) =>
  Object.entries(types)
    .map(([column, type]) => `${column} ${type}`)
    .join(', ');

/** deadlock_detected, serialization_failure: the transaction is safe to run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/**
 * Metadata in PostgreSQL. Every method is one transaction, usually one statement, with a fixed
 * number of round trips: rows travel as arrays (`unnest`) or one JSON document
 * (`json_to_recordset`), never one statement per file.
 *
 * Staging serialises per path across processes: transaction-level advisory locks on every key
 * (so a path with no row yet is covered too), taken in one sorted order, then `FOR UPDATE` on
 * the rows. Deadlocks with other row writers are retried.
 */
export class PostgresBackend extends FennFlowBackend {
  readonly kind = 'postgres';
  readonly scope: string;
  private readonly tables: PostgresTables;
  private readonly schemaName: string;
  private pool: PostgresPoolLike | null = null;
  private readonly ownsPool: boolean;
  private queries = 0;
  private readonly sql: ReturnType<typeof statements>;

  constructor(private readonly options: PostgresBackendOptions) {
    super();
    this.scope = options.scope ?? 'default';
    this.schemaName = options.schema ?? 'public';
    this.tables = postgresTables(
      this.schemaName,
      options.table ?? 'fennflow_records',
    );
    this.sql = statements(this.tables);
    this.ownsPool = !options.pool;
    if (this.ownsPool) loadPg();
  }

  /** Statements sent to the server so far (BEGIN and COMMIT included); for tests and benchmarks. */
  get queryCount(): number {
    return this.queries;
  }

  async open(): Promise<void> {
    if (this.pool) return;
    const pool = this.options.pool ?? createPool(this.options.connectionString);
    this.pool = pool;
    try {
      const client = await this.connect();
      try {
        await migratePostgres(client, this.tables, this.schemaName);
      } finally {
        client.release();
      }
    } catch (error) {
      this.pool = null;
      if (this.ownsPool) await pool.end().catch(() => undefined);
      throw this.wrap('open', error);
    }
  }

  /** Ends the pool the backend created; a pool handed in stays open for its owner. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool && this.ownsPool) await pool.end();
  }

  async createSession(session: SessionRecord): Promise<void> {
    await this.statement('createSession', this.sql.createSession, [
      this.scope,
      session.id,
      session.state,
      session.leaseExpiresAt,
      session.createdAt,
    ]);
  }

  async renewLease(sessionId: string, leaseExpiresAt: Date): Promise<void> {
    await this.statement('renewLease', this.sql.renewLease, [
      this.scope,
      sessionId,
      leaseExpiresAt,
    ]);
  }

  async getSession(sessionId: string): Promise<SessionRecord | null> {
    const { rows } = await this.statement('getSession', this.sql.getSession, [
      this.scope,
      sessionId,
    ]);
    return rows[0] ? sessionFromRow(rows[0]) : null;
  }

  async setSessionState(sessionId: string, state: SessionState): Promise<void> {
    await this.statement('setSessionState', this.sql.setSessionState, [
      this.scope,
      sessionId,
      state,
    ]);
  }

  async claimSession(
    sessionId: string,
    now: Date,
    leaseExpiresAt: Date,
  ): Promise<boolean> {
    const { rowCount } = await this.statement(
      'claimSession',
      this.sql.claimSession,
      [this.scope, sessionId, now, leaseExpiresAt],
    );
    return (rowCount ?? 0) > 0;
  }

  async findExpiredSessions(
    now: Date,
    limit: number,
  ): Promise<SessionRecord[]> {
    const { rows } = await this.statement(
      'findExpiredSessions',
      this.sql.findExpiredSessions,
      [this.scope, now, limit],
    );
    return rows.map((row) => sessionFromRow(row));
  }

  async endSession(sessionId: string): Promise<void> {
    await this.statement('endSession', this.sql.endSession, [
      this.scope,
      sessionId,
    ]);
  }

  async getRecords(
    keys: readonly RecordKey[],
  ): Promise<Map<string, FileRecord>> {
    const found = new Map<string, FileRecord>();
    if (keys.length === 0) return found;
    const { rows } = await this.statement('getRecords', this.sql.getRecords, [
      this.scope,
      keys.map((k) => k.namespace),
      keys.map((k) => k.path),
    ]);
    for (const row of rows) {
      const record = recordFromRow(row);
      found.set(recordKeyOf(record), record);
    }
    return found;
  }

  async listVisible(query: ListVisibleQuery): Promise<FileRecord[]> {
    const { rows } = await this.statement('listVisible', this.sql.listVisible, [
      this.scope,
      query.namespace,
      query.prefix,
      query.after,
      query.sessionId,
      query.limit,
    ]);
    return rows.map((row) => recordFromRow(row));
  }

  async isEmpty(): Promise<boolean> {
    const { rows } = await this.statement('isEmpty', this.sql.isEmpty, [
      this.scope,
    ]);
    return rows.length === 0;
  }

  async stage<T>(
    keys: readonly RecordKey[],
    decide: (snapshot: StagingSnapshot) => StagingChanges<T>,
  ): Promise<T> {
    const sorted = sortedUniqueKeys(keys);
    const namespaces = sorted.map((k) => k.namespace);
    const paths = sorted.map((k) => k.path);
    return this.transaction('stage', async (run) => {
      await run(this.sql.lockKeys, [this.lockPrefix, namespaces, paths]);
      const { rows } = await run(this.sql.loadForStaging, [
        this.scope,
        namespaces,
        paths,
      ]);
      const records = new Map<string, FileRecord>();
      const lockHolders = new Map<string, SessionRecord>();
      for (const row of rows) {
        const record = recordFromRow(row);
        records.set(recordKeyOf(record), record);
        if (row.h_id !== null) {
          const holder = sessionFromRow(row, 'h_');
          lockHolders.set(holder.id, holder);
        }
      }
      const changes = decide({ records, lockHolders });
      if (changes.records.length > 0 || changes.journal.length > 0) {
        await run(this.sql.writeStaged, [
          this.scope,
          recordsJson(changes.records),
          JSON.stringify(changes.journal.map(journalColumns)),
        ]);
      }
      return changes.result;
    });
  }

  async updatePending(
    sessionId: string,
    updates: readonly RecordUpdate[],
  ): Promise<void> {
    if (updates.length === 0) return;
    await this.statement('updatePending', this.sql.updatePending, [
      this.scope,
      sessionId,
      JSON.stringify(mergeUpdates(updates)),
    ]);
  }

  async getJournal(sessionId: string): Promise<JournalEntry[]> {
    const { rows } = await this.statement('getJournal', this.sql.getJournal, [
      this.scope,
      sessionId,
    ]);
    return rows.map(journalFromRow);
  }

  async commitSession(sessionId: string, now: Date): Promise<JournalEntry[]> {
    const { rows } = await this.statement(
      'commitSession',
      this.sql.commitSession,
      [this.scope, sessionId, now],
    );
    return rows.map(journalFromRow);
  }

  async completeCommit(sessionId: string): Promise<void> {
    await this.statement('completeCommit', this.sql.completeCommit, [
      this.scope,
      sessionId,
    ]);
  }

  async applyRollback(
    sessionId: string,
    outcome: RollbackOutcome,
  ): Promise<void> {
    const failed = lastErrorPerOperation(outcome.failedSteps);
    await this.statement('applyRollback', this.sql.applyRollback, [
      this.scope,
      sessionId,
      recordsJson(outcome.records),
      [...outcome.settledOperationIds],
      failed.map((f) => f.operation_id),
      failed.map((f) => f.error),
    ]);
  }

  /** Advisory lock keys are database-wide: they name the tables and scope, not only the path. */
  private get lockPrefix(): string {
    return `fennflow:${this.tables.label}:${this.scope}`;
  }

  /** One statement in its own implicit transaction. */
  private statement(
    operation: string,
    sql: string,
    params: unknown[],
  ): Promise<PostgresQueryResult> {
    return this.withRetry(operation, async (client) =>
      this.run(client, sql, params),
    );
  }

  private transaction<T>(
    operation: string,
    work: (run: Run) => Promise<T>,
  ): Promise<T> {
    return this.withRetry(operation, async (client, discard) => {
      await this.run(client, 'BEGIN', []);
      try {
        const result = await work((sql, params) =>
          this.run(client, sql, params),
        );
        await this.run(client, 'COMMIT', []);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(discard);
        throw error;
      }
    });
  }

  /**
   * Runs `work` on a pooled connection; a deadlock or serialisation failure runs it again.
   * FennFlow errors (thrown by `decide`) pass unchanged, driver errors become BackendError.
   */
  private async withRetry<T>(
    operation: string,
    work: (
      client: PostgresClientLike,
      discard: (error: unknown) => void,
    ) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      let broken: Error | undefined;
      const discard = (error: unknown) => {
        broken = error instanceof Error ? error : new Error(String(error));
      };
      try {
        return await work(client, discard);
      } catch (error) {
        if (error instanceof FennFlowError) throw error;
        if (!hasSqlState(error)) discard(error);
        if (broken || !isRetryable(error) || attempt >= MAX_ATTEMPTS)
          throw this.wrap(operation, error);
      } finally {
        // A connection that failed for another reason may be in any state: the pool drops it.
        client.release(broken);
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * 10 * attempt),
      );
    }
  }

  private async run(
    client: PostgresClientLike,
    sql: string,
    params: unknown[],
  ): Promise<PostgresQueryResult> {
    this.queries++;
    return client.query(sql, params);
  }

  private async connect(): Promise<PostgresClientLike> {
    if (!this.pool) {
      throw new BackendError(
        'PostgreSQL backend is not open; call open() first.',
      );
    }
    try {
      return await this.pool.connect();
    } catch (error) {
      throw this.wrap('connect', error);
    }
  }

  private wrap(operation: string, error: unknown): FennFlowError {
    if (error instanceof FennFlowError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new BackendError(
      `PostgreSQL backend (${this.tables.label}): ${operation} failed: ${message}`,
      { cause: error },
    );
  }
}

function statements(t: PostgresTables) {
  const visible = `((status = 'uploaded' AND (locked_by IS NULL OR locked_by = $5))
    OR (status = 'pending' AND locked_by = $5 AND operation <> 'delete'))`;
  const upsertRecords = (param: string) => `
    INSERT INTO ${t.records} (scope, ${RECORD_COLUMNS.join(', ')})
    SELECT $1, ${RECORD_COLUMNS.map((c) => `x.${c}`).join(', ')}
    FROM json_to_recordset(${param}::json) AS x(${columnList(RECORD_TYPES)})
    ON CONFLICT (scope, namespace, path) DO UPDATE SET
    ${RECORD_COLUMNS.filter((c) => c !== 'namespace' && c !== 'path')
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ')}
    RETURNING 1`;

  return {
    createSession: `
      INSERT INTO ${t.sessions} (scope, id, state, lease_expires_at, created_at)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (scope, id) DO UPDATE SET state = EXCLUDED.state,
        lease_expires_at = EXCLUDED.lease_expires_at, created_at = EXCLUDED.created_at`,
    renewLease: `UPDATE ${t.sessions} SET lease_expires_at = $3 WHERE scope = $1 AND id = $2`,
    getSession: `SELECT * FROM ${t.sessions} WHERE scope = $1 AND id = $2`,
    setSessionState: `UPDATE ${t.sessions} SET state = $3 WHERE scope = $1 AND id = $2`,
    claimSession: `
      UPDATE ${t.sessions} SET lease_expires_at = $4
      WHERE scope = $1 AND id = $2 AND lease_expires_at < $3`,
    findExpiredSessions: `
      SELECT * FROM ${t.sessions} WHERE scope = $1 AND lease_expires_at < $2
      ORDER BY lease_expires_at, created_at, id LIMIT $3`,
    // Data-modifying CTEs all run, in one snapshot, whether or not the outer query reads them.
    endSession: `
      WITH gone AS (DELETE FROM ${t.sessions} WHERE scope = $1 AND id = $2),
        forgotten AS (DELETE FROM ${t.journal} WHERE scope = $1 AND session_id = $2)
      UPDATE ${t.records} SET locked_by = NULL WHERE scope = $1 AND locked_by = $2`,
    getRecords: `
      SELECT r.* FROM unnest($2::text[], $3::text[]) AS k(namespace, path)
      JOIN ${t.records} AS r ON r.scope = $1 AND r.namespace = k.namespace AND r.path = k.path`,
    // `path >= prefix` narrows the primary-key scan; left() is the exact test, with no LIKE
    // wildcards to escape.
    listVisible: `
      SELECT * FROM ${t.records}
      WHERE scope = $1 AND namespace = $2
        AND path >= $3::text AND left(path, char_length($3::text)) = $3::text
        AND ($4::text IS NULL OR path > $4::text)
        AND ${visible}
      ORDER BY path COLLATE "C" LIMIT $6`,
    isEmpty: `SELECT 1 FROM ${t.records} WHERE scope = $1 AND status <> 'failed' LIMIT 1`,
    // The keys arrive sorted; a function scan of unnest() takes the locks in array order.
    lockKeys: `
      SELECT count(pg_advisory_xact_lock(hashtextextended($1 || chr(1) || k.namespace || chr(1) || k.path, 0)))
      FROM unnest($2::text[], $3::text[]) AS k(namespace, path)`,
    loadForStaging: `
      SELECT r.*, s.id AS h_id, s.state AS h_state,
        s.lease_expires_at AS h_lease_expires_at, s.created_at AS h_created_at
      FROM unnest($2::text[], $3::text[]) AS k(namespace, path)
      JOIN ${t.records} AS r ON r.scope = $1 AND r.namespace = k.namespace AND r.path = k.path
      LEFT JOIN ${t.sessions} AS s ON s.scope = r.scope AND s.id = r.locked_by
      ORDER BY r.namespace COLLATE "C", r.path COLLATE "C"
      FOR UPDATE OF r`,
    writeStaged: `
      WITH written AS (${upsertRecords('$2')}),
        journaled AS (
          INSERT INTO ${t.journal} (scope, ${JOURNAL_COLUMNS.join(', ')})
          SELECT $1, ${JOURNAL_COLUMNS.map((c) => `x.${c}`).join(', ')}
          FROM json_to_recordset($3::json) AS x(ord integer, ${columnList(JOURNAL_TYPES)})
          ORDER BY x.ord
          RETURNING 1)
      SELECT (SELECT count(*) FROM written) AS records, (SELECT count(*) FROM journaled) AS journal`,
    updatePending: `
      UPDATE ${t.records} AS r SET
        size = CASE WHEN u.has_size THEN u.size ELSE r.size END,
        etag = CASE WHEN u.has_etag THEN u.etag ELSE r.etag END
      FROM json_to_recordset($3::json)
        AS u(namespace text, path text, has_size boolean, size bigint, has_etag boolean, etag text)
      WHERE r.scope = $1 AND r.namespace = u.namespace AND r.path = u.path
        AND r.status = 'pending' AND r.locked_by = $2`,
    getJournal: `SELECT * FROM ${t.journal} WHERE scope = $1 AND session_id = $2 ORDER BY id`,
    // The commit point, one statement: rows are locked in key order (as staging does) before
    // they flip; the journal read sees the same snapshot, which the statement does not change.
    commitSession: `
      WITH target AS (
          SELECT namespace, path FROM ${t.records}
          WHERE scope = $1 AND locked_by = $2 AND status = 'pending'
          ORDER BY namespace COLLATE "C", path COLLATE "C"
          FOR UPDATE),
        flipped AS (
          UPDATE ${t.records} AS r SET
            status = CASE WHEN r.operation = 'delete' THEN 'deleted' ELSE 'uploaded' END,
            locked_by = CASE WHEN r.operation = 'delete' THEN r.locked_by ELSE NULL END,
            updated_at = $3
          FROM target
          WHERE r.scope = $1 AND r.namespace = target.namespace AND r.path = target.path),
        committing AS (
          UPDATE ${t.sessions} SET state = 'committing' WHERE scope = $1 AND id = $2)
      SELECT * FROM ${t.journal}
      WHERE scope = $1 AND session_id = $2 AND state = 'active' ORDER BY id`,
    // EXISTS sees the journal before the DELETE, hence the state filter.
    completeCommit: `
      WITH released AS (
          UPDATE ${t.records} SET locked_by = NULL
          WHERE scope = $1 AND locked_by = $2 AND status = 'deleted'),
        forgotten AS (
          DELETE FROM ${t.journal} WHERE scope = $1 AND session_id = $2 AND state = 'active')
      UPDATE ${t.sessions} SET state = CASE WHEN EXISTS (
          SELECT 1 FROM ${t.journal}
          WHERE scope = $1 AND session_id = $2 AND state <> 'active'
        ) THEN 'compensation_failed' ELSE 'open' END
      WHERE scope = $1 AND id = $2`,
    // One statement may not both delete and update a row: failed steps that are also settled
    // are left to the DELETE, as the in-memory backend forgets them.
    applyRollback: `
      WITH restored AS (${upsertRecords('$3')}),
        settled AS (
          DELETE FROM ${t.journal}
          WHERE scope = $1 AND session_id = $2 AND operation_id = ANY($4::text[])),
        failed AS (
          UPDATE ${t.journal} AS j SET state = 'compensation_failed', error = f.error
          FROM unnest($5::text[], $6::text[]) AS f(operation_id, error)
          WHERE j.scope = $1 AND j.session_id = $2 AND j.operation_id = f.operation_id
            AND NOT (j.operation_id = ANY($4::text[])))
      SELECT (SELECT count(*) FROM restored) AS records`,
  };
}

function recordsJson(records: readonly FileRecord[]): string {
  return JSON.stringify(lastPerKey(records).map(recordColumns));
}

function sortedUniqueKeys(keys: readonly RecordKey[]): RecordKey[] {
  const unique = new Map<string, RecordKey>();
  for (const key of keys) unique.set(recordKeyOf(key), key);
  return [...unique.values()].sort(
    (a, b) =>
      comparePaths(a.namespace, b.namespace) || comparePaths(a.path, b.path),
  );
}

function sqlStateOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

function isRetryable(error: unknown): boolean {
  return RETRYABLE.has(sqlStateOf(error) ?? '');
}

/** The server answered with an error: the connection itself is fine. */
function hasSqlState(error: unknown): boolean {
  return sqlStateOf(error) !== null;
}

function createPool(connectionString: string | undefined): PostgresPoolLike {
  const pg = loadPg();
  const pool = new pg.Pool({ connectionString } satisfies PoolConfig);
  // An idle client losing its connection must not crash the process; the next query gets a
  // fresh connection and succeeds or fails on its own.
  pool.on('error', () => undefined);
  return pool;
}

function loadPg(): { Pool: new (config: PoolConfig) => Pool } {
  return loadDriver('pg', 'pg', 'PostgreSQL');
}
