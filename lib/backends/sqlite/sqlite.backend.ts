import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
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
  SqlRow,
} from '../sql/sql-rows';
import type { SqliteBackendOptions } from './sqlite-backend.config';
import { migrateSqlite, SQLITE_TABLES } from './sqlite.migrations';

type Database = BetterSqlite3.Database;
type DatabaseConstructor = new (
  filename: string,
  options?: BetterSqlite3.Options,
) => Database;
type Params = Record<string, unknown>;

const {
  records: RECORDS,
  sessions: SESSIONS,
  journal: JOURNAL,
} = SQLITE_TABLES;

const VISIBLE = `((status = 'uploaded' AND (locked_by IS NULL OR locked_by = @session))
  OR (status = 'pending' AND locked_by = @session AND operation <> 'delete'))`;

const extract = (column: string) => `json_extract(value, '$.${column}')`;

/**
 * The keys of a call as a materialised table, joined with CROSS JOIN so SQLite keeps them as
 * the outer loop and looks each one up by primary key; left to itself, the planner may scan
 * the records table once per key.
 */
const KEYS = `WITH k AS MATERIALIZED (
    SELECT json_extract(value, '$[0]') AS namespace, json_extract(value, '$[1]') AS path
    FROM json_each(@keys))`;
const JOIN_KEYS = `FROM k CROSS JOIN ${RECORDS} AS r
    ON r.scope = @scope AND r.namespace = k.namespace AND r.path = k.path`;

const UPDATE_COLUMNS = [
  'namespace',
  'path',
  'has_size',
  'size',
  'has_etag',
  'etag',
] as const;

const UPSERT_RECORDS = `
  INSERT INTO ${RECORDS} (scope, ${RECORD_COLUMNS.join(', ')})
  SELECT @scope, ${RECORD_COLUMNS.map(extract).join(', ')} FROM json_each(@rows) WHERE true
  ON CONFLICT (scope, namespace, path) DO UPDATE SET
  ${RECORD_COLUMNS.filter((c) => c !== 'namespace' && c !== 'path')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

const INSERT_JOURNAL = `
  INSERT INTO ${JOURNAL} (scope, ${JOURNAL_COLUMNS.join(', ')})
  SELECT @scope, ${JOURNAL_COLUMNS.map(extract).join(', ')} FROM json_each(@rows) ORDER BY key`;

/**
 * Metadata in one SQLite file via better-sqlite3. The driver is synchronous, so each method is
 * one `db.transaction(...)` that runs to completion before any other JavaScript does: sessions
 * of this process cannot interleave inside it, and other processes on the same file are kept
 * out by SQLite's write lock (BEGIN IMMEDIATE for every read-then-write).
 *
 * Multi-file calls feed all their rows through one JSON parameter (`json_each`), so the number
 * of statements per call does not grow with the number of files.
 */
export class SqliteBackend extends FennFlowBackend {
  readonly kind = 'sqlite';
  readonly scope: string;
  private db: Database | null = null;
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();
  private statements = 0;

  constructor(private readonly options: SqliteBackendOptions) {
    super();
    this.scope = options.scope ?? 'default';
    loadSqliteDriver();
  }

  /** Statements executed so far, transaction control included; for tests and benchmarks. */
  get queryCount(): number {
    return this.statements;
  }

  async open(): Promise<void> {
    if (this.db) return;
    const Driver = loadSqliteDriver();
    const { filename } = this.options;
    if (filename !== ':memory:' && !filename.startsWith('file:')) {
      mkdirSync(dirname(resolve(filename)), { recursive: true });
    }
    const db = new Driver(filename);
    try {
      db.pragma(
        `busy_timeout = ${Math.max(0, this.options.busyTimeoutMs ?? 5000)}`,
      );
      db.pragma('journal_mode = WAL');
      // FULL, not NORMAL: in WAL mode NORMAL may lose the last transactions on power loss. A
      // lost pending row would leave an upload that no journal knows of, so intent written
      // before I/O must be on disk before the I/O starts.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = OFF');
      migrateSqlite(db);
    } catch (error) {
      db.close();
      throw error instanceof FennFlowError
        ? error
        : new BackendError(
            `SQLite backend: could not open '${this.options.filename}': ${messageOf(error)}`,
            { cause: error },
          );
    }
    this.db = db;
  }

  async close(): Promise<void> {
    this.prepared.clear();
    this.db?.close();
    this.db = null;
  }

  async createSession(session: SessionRecord): Promise<void> {
    this.write(
      `INSERT INTO ${SESSIONS} (scope, id, state, lease_expires_at, created_at)
       VALUES (@scope, @id, @state, @lease, @created)
       ON CONFLICT (scope, id) DO UPDATE SET state = excluded.state,
         lease_expires_at = excluded.lease_expires_at, created_at = excluded.created_at`,
      {
        id: session.id,
        state: session.state,
        lease: session.leaseExpiresAt.getTime(),
        created: session.createdAt.getTime(),
      },
    );
  }

  async renewLease(sessionId: string, leaseExpiresAt: Date): Promise<void> {
    this.write(
      `UPDATE ${SESSIONS} SET lease_expires_at = @lease WHERE scope = @scope AND id = @id`,
      { id: sessionId, lease: leaseExpiresAt.getTime() },
    );
  }

  async getSession(sessionId: string): Promise<SessionRecord | null> {
    const row = this.read(
      `SELECT * FROM ${SESSIONS} WHERE scope = @scope AND id = @id`,
      { id: sessionId },
    )[0];
    return row ? sessionFromRow(row) : null;
  }

  async setSessionState(sessionId: string, state: SessionState): Promise<void> {
    this.write(
      `UPDATE ${SESSIONS} SET state = @state WHERE scope = @scope AND id = @id`,
      { id: sessionId, state },
    );
  }

  async claimSession(
    sessionId: string,
    now: Date,
    leaseExpiresAt: Date,
  ): Promise<boolean> {
    const changed = this.write(
      `UPDATE ${SESSIONS} SET lease_expires_at = @lease
       WHERE scope = @scope AND id = @id AND lease_expires_at < @now`,
      { id: sessionId, now: now.getTime(), lease: leaseExpiresAt.getTime() },
    );
    return changed > 0;
  }

  async findExpiredSessions(
    now: Date,
    limit: number,
  ): Promise<SessionRecord[]> {
    return this.read(
      `SELECT * FROM ${SESSIONS} WHERE scope = @scope AND lease_expires_at < @now
       ORDER BY lease_expires_at, created_at, id LIMIT @limit`,
      { now: now.getTime(), limit },
    ).map((row) => sessionFromRow(row));
  }

  async endSession(sessionId: string): Promise<void> {
    this.transaction(() => {
      const params = { session: sessionId };
      this.write(
        `DELETE FROM ${SESSIONS} WHERE scope = @scope AND id = @session`,
        params,
      );
      this.write(
        `DELETE FROM ${JOURNAL} WHERE scope = @scope AND session_id = @session`,
        params,
      );
      this.write(
        `UPDATE ${RECORDS} SET locked_by = NULL WHERE scope = @scope AND locked_by = @session`,
        params,
      );
    });
  }

  async getRecords(
    keys: readonly RecordKey[],
  ): Promise<Map<string, FileRecord>> {
    const found = new Map<string, FileRecord>();
    for (const row of this.read(`${KEYS} SELECT r.* ${JOIN_KEYS}`, {
      keys: keysJson(keys),
    })) {
      const record = recordFromRow(row);
      found.set(recordKeyOf(record), record);
    }
    return found;
  }

  async listVisible(query: ListVisibleQuery): Promise<FileRecord[]> {
    // `path >= @prefix` lets the primary key narrow the scan; substr() is the exact test.
    return this.read(
      `SELECT * FROM ${RECORDS}
       WHERE scope = @scope AND namespace = @namespace
         AND path >= @prefix AND substr(path, 1, length(@prefix)) = @prefix
         AND (@after IS NULL OR path > @after)
         AND ${VISIBLE}
       ORDER BY path LIMIT @limit`,
      {
        namespace: query.namespace,
        prefix: query.prefix,
        after: query.after,
        session: query.sessionId,
        limit: query.limit,
      },
    ).map((row) => recordFromRow(row));
  }

  async isEmpty(): Promise<boolean> {
    return (
      this.read(
        `SELECT 1 FROM ${RECORDS} WHERE scope = @scope AND status <> 'failed' LIMIT 1`,
        {},
      ).length === 0
    );
  }

  async stage<T>(
    keys: readonly RecordKey[],
    decide: (snapshot: StagingSnapshot) => StagingChanges<T>,
  ): Promise<T> {
    return this.transaction(() => {
      const records = new Map<string, FileRecord>();
      const lockHolders = new Map<string, SessionRecord>();
      for (const row of this.read(
        `${KEYS} SELECT r.*, s.id AS h_id, s.state AS h_state,
           s.lease_expires_at AS h_lease_expires_at, s.created_at AS h_created_at
         ${JOIN_KEYS}
         LEFT JOIN ${SESSIONS} AS s ON s.scope = r.scope AND s.id = r.locked_by`,
        { keys: keysJson(keys) },
      )) {
        const record = recordFromRow(row);
        records.set(recordKeyOf(record), record);
        if (row.h_id !== null) {
          const holder = sessionFromRow(row, 'h_');
          lockHolders.set(holder.id, holder);
        }
      }
      const changes = decide({ records, lockHolders });
      this.upsertRecords(changes.records);
      if (changes.journal.length > 0) {
        this.write(INSERT_JOURNAL, {
          rows: JSON.stringify(changes.journal.map(journalColumns)),
        });
      }
      return changes.result;
    });
  }

  async updatePending(
    sessionId: string,
    updates: readonly RecordUpdate[],
  ): Promise<void> {
    if (updates.length === 0) return;
    this.write(
      // Unary + keeps SQLite off the locked_by index, which would make `u` the inner loop.
      `WITH u AS MATERIALIZED (
         SELECT ${UPDATE_COLUMNS.map((c) => `${extract(c)} AS ${c}`).join(', ')}
         FROM json_each(@updates))
       UPDATE ${RECORDS} SET
         size = CASE WHEN u.has_size THEN u.size ELSE ${RECORDS}.size END,
         etag = CASE WHEN u.has_etag THEN u.etag ELSE ${RECORDS}.etag END
       FROM u
       WHERE ${RECORDS}.scope = @scope AND ${RECORDS}.namespace = u.namespace
         AND ${RECORDS}.path = u.path AND ${RECORDS}.status = 'pending'
         AND +${RECORDS}.locked_by = @session`,
      { session: sessionId, updates: JSON.stringify(mergeUpdates(updates)) },
    );
  }

  async getJournal(sessionId: string): Promise<JournalEntry[]> {
    return this.journalOf(sessionId, false);
  }

  async commitSession(sessionId: string, now: Date): Promise<JournalEntry[]> {
    return this.transaction(() => {
      const params = { session: sessionId, now: now.getTime() };
      this.write(
        `UPDATE ${RECORDS} SET
           status = CASE WHEN operation = 'delete' THEN 'deleted' ELSE 'uploaded' END,
           locked_by = CASE WHEN operation = 'delete' THEN locked_by ELSE NULL END,
           updated_at = @now
         WHERE scope = @scope AND locked_by = @session AND status = 'pending'`,
        params,
      );
      this.write(
        `UPDATE ${SESSIONS} SET state = 'committing' WHERE scope = @scope AND id = @session`,
        params,
      );
      return this.journalOf(sessionId, true);
    });
  }

  async completeCommit(sessionId: string): Promise<void> {
    this.transaction(() => {
      const params = { session: sessionId };
      this.write(
        `UPDATE ${RECORDS} SET locked_by = NULL
         WHERE scope = @scope AND locked_by = @session AND status = 'deleted'`,
        params,
      );
      this.write(
        `DELETE FROM ${JOURNAL} WHERE scope = @scope AND session_id = @session AND state = 'active'`,
        params,
      );
      this.write(
        `UPDATE ${SESSIONS} SET state = CASE WHEN EXISTS (
           SELECT 1 FROM ${JOURNAL} WHERE scope = @scope AND session_id = @session
         ) THEN 'compensation_failed' ELSE 'open' END
         WHERE scope = @scope AND id = @session`,
        params,
      );
    });
  }

  async applyRollback(
    sessionId: string,
    outcome: RollbackOutcome,
  ): Promise<void> {
    this.transaction(() => {
      this.upsertRecords(outcome.records);
      if (outcome.settledOperationIds.length > 0) {
        this.write(
          `DELETE FROM ${JOURNAL} WHERE scope = @scope AND session_id = @session
             AND operation_id IN (SELECT value FROM json_each(@settled))`,
          {
            session: sessionId,
            settled: JSON.stringify(outcome.settledOperationIds),
          },
        );
      }
      if (outcome.failedSteps.length > 0) {
        this.write(
          `WITH f AS MATERIALIZED (
             SELECT ${extract('operation_id')} AS operation_id, ${extract('error')} AS error
             FROM json_each(@failed))
           UPDATE ${JOURNAL} SET state = 'compensation_failed', error = f.error
           FROM f
           WHERE ${JOURNAL}.scope = @scope AND ${JOURNAL}.session_id = @session
             AND ${JOURNAL}.operation_id = f.operation_id`,
          {
            session: sessionId,
            failed: JSON.stringify(lastErrorPerOperation(outcome.failedSteps)),
          },
        );
      }
    });
  }

  private journalOf(sessionId: string, activeOnly: boolean): JournalEntry[] {
    return this.read(
      `SELECT * FROM ${JOURNAL} WHERE scope = @scope AND session_id = @session
       ${activeOnly ? `AND state = 'active'` : ''} ORDER BY id`,
      { session: sessionId },
    ).map(journalFromRow);
  }

  private upsertRecords(records: readonly FileRecord[]): void {
    if (records.length === 0) return;
    this.write(UPSERT_RECORDS, {
      rows: JSON.stringify(
        lastPerKey(records).map((record) => ({
          ...recordColumns(record),
          created_at: record.createdAt.getTime(),
          updated_at: record.updatedAt.getTime(),
        })),
      ),
    });
  }

  private connection(): Database {
    if (!this.db) {
      throw new BackendError(
        `SQLite backend '${this.options.filename}' is not open; call open() first.`,
      );
    }
    return this.db;
  }

  /** Runs `work` in BEGIN IMMEDIATE … COMMIT; an error rolls back and propagates. */
  private transaction<T>(work: () => T): T {
    const db = this.connection();
    this.statements += 2;
    return this.guard(() => db.transaction(work).immediate());
  }

  private read(sql: string, params: Params): SqlRow[] {
    return this.guard(
      () =>
        this.statement(sql).all({ scope: this.scope, ...params }) as SqlRow[],
    );
  }

  private write(sql: string, params: Params): number {
    return this.guard(
      () => this.statement(sql).run({ scope: this.scope, ...params }).changes,
    );
  }

  private statement(sql: string): BetterSqlite3.Statement {
    const db = this.connection();
    this.statements++;
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  /** Driver errors become BackendError; FennFlow errors (from `decide`) pass unchanged. */
  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof FennFlowError) throw error;
      throw new BackendError(`SQLite backend: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
}

function loadSqliteDriver(): DatabaseConstructor {
  return loadDriver<DatabaseConstructor>(
    'better-sqlite3',
    'better-sqlite3@12',
    'SQLite',
  );
}

function keysJson(keys: readonly RecordKey[]): string {
  return JSON.stringify(keys.map((key) => [key.namespace, key.path]));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
