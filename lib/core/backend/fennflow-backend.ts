import type { FileRecord, RecordKey } from './file-record';
import type { JournalEntry } from './journal-entry';
import type { SessionRecord, SessionState } from './session-record';

/** What the core sees while it decides a staging step: current rows and their lock holders. */
export interface StagingSnapshot {
  /** Keyed by `recordKeyOf`; absent when no row exists. */
  readonly records: ReadonlyMap<string, FileRecord>;
  /** Sessions that hold locks on the loaded rows, keyed by id. */
  readonly lockHolders: ReadonlyMap<string, SessionRecord>;
}

export interface StagingChanges<T> {
  readonly records: readonly FileRecord[];
  readonly journal: readonly JournalEntry[];
  readonly result: T;
}

export interface ListVisibleQuery {
  readonly sessionId: string;
  readonly namespace: string;
  /** Plain string prefix of the path (`%` and `_` are literal). */
  readonly prefix: string;
  /** Exclusive lower bound: the last path of the previous page. */
  readonly after: string | null;
  readonly limit: number;
}

export interface RecordUpdate extends RecordKey {
  readonly size?: number | null;
  readonly etag?: string | null;
}

/** The result of compensating a session, computed by the unit of work. */
export interface RollbackOutcome {
  /** Rows to write back: the state before the session, or `failed` / `compensation_failed`. */
  readonly records: readonly FileRecord[];
  /** Journal steps that are settled and can be forgotten. */
  readonly settledOperationIds: readonly string[];
  /** Journal steps whose compensation failed; they stay for a retry. */
  readonly failedSteps: ReadonlyArray<{
    readonly operationId: string;
    readonly error: string;
  }>;
}

/**
 * The metadata store. It is the single source of truth for which files exist, holds each
 * session's lease and journal, and makes every step below atomic.
 *
 * Implementations keep the logic out: the unit of work decides, the backend stores. Each method
 * is one transaction with a bounded number of round trips, whatever the number of files.
 */
export abstract class FennFlowBackend {
  abstract readonly scope: string;
  /** Short name used in messages, e.g. `in-memory`, `sqlite`, `postgres`. */
  abstract readonly kind: string;

  abstract open(): Promise<void>;
  abstract close(): Promise<void>;

  // Sessions and leases
  abstract createSession(session: SessionRecord): Promise<void>;
  abstract renewLease(sessionId: string, leaseExpiresAt: Date): Promise<void>;
  abstract getSession(sessionId: string): Promise<SessionRecord | null>;
  abstract setSessionState(
    sessionId: string,
    state: SessionState,
  ): Promise<void>;
  /**
   * Takes over an expired session for recovery: extends its lease to `leaseExpiresAt` only if
   * it had ended before `now`. Returns false when the session is alive, gone or claimed already.
   */
  abstract claimSession(
    sessionId: string,
    now: Date,
    leaseExpiresAt: Date,
  ): Promise<boolean>;
  /** Sessions whose lease ended before `now`, oldest first. */
  abstract findExpiredSessions(
    now: Date,
    limit: number,
  ): Promise<SessionRecord[]>;
  /** Removes the session row and its journal; its remaining locks are released. */
  abstract endSession(sessionId: string): Promise<void>;

  // Reads
  abstract getRecords(
    keys: readonly RecordKey[],
  ): Promise<Map<string, FileRecord>>;
  abstract listVisible(query: ListVisibleQuery): Promise<FileRecord[]>;
  /** True when the scope holds no file record at all (used by the reconciler). */
  abstract isEmpty(): Promise<boolean>;

  // Writes
  /**
   * Loads the rows of `keys` (locked against concurrent staging), lets `decide` inspect them
   * and throw, then writes the rows and journal entries it returns, all in one transaction.
   * `decide` is synchronous and may be called again if the backend retries the transaction.
   */
  abstract stage<T>(
    keys: readonly RecordKey[],
    decide: (snapshot: StagingSnapshot) => StagingChanges<T>,
  ): Promise<T>;

  /** Adds what is known only after the I/O (size of a stream, etag) to pending rows. */
  abstract updatePending(
    sessionId: string,
    updates: readonly RecordUpdate[],
  ): Promise<void>;

  abstract getJournal(sessionId: string): Promise<JournalEntry[]>;

  /**
   * The commit point: every pending row of the session becomes `uploaded` (released) or
   * `deleted` (still locked until cleanup), and the session becomes `committing`.
   * Returns the active journal, which tells what to clean up.
   */
  abstract commitSession(sessionId: string, now: Date): Promise<JournalEntry[]>;

  /** After cleanup: releases the session's remaining locks, forgets its active journal, back to `open`. */
  abstract completeCommit(sessionId: string): Promise<void>;

  /** Writes the rows of a rollback and prunes the journal, in one transaction. */
  abstract applyRollback(
    sessionId: string,
    outcome: RollbackOutcome,
  ): Promise<void>;
}

/** A backend recipe, as written in module options; `create()` loads the driver. */
export interface BackendConfig {
  readonly scope: string;
  readonly kind: string;
  create(): Promise<FennFlowBackend>;
}
