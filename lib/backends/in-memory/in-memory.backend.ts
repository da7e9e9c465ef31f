import { FennFlowBackend } from '../../core/backend/fennflow-backend';
import type {
  ListVisibleQuery,
  RecordUpdate,
  RollbackOutcome,
  StagingChanges,
  StagingSnapshot,
} from '../../core/backend/fennflow-backend';
import { RecordTable } from './record-table';
import { isVisibleTo, recordKeyOf } from '../../core/backend/file-record';
import type { FileRecord, RecordKey } from '../../core/backend/file-record';
import type { JournalEntry } from '../../core/backend/journal-entry';
import type {
  SessionRecord,
  SessionState,
} from '../../core/backend/session-record';

interface ScopeStore {
  records: RecordTable;
  sessions: Map<string, SessionRecord>;
  journals: Map<string, JournalEntry[]>;
}

/** Process-wide: every backend of one scope shares one store, so modules of a scope share files. */
const stores = new Map<string, ScopeStore>();

function storeFor(scope: string): ScopeStore {
  let store = stores.get(scope);
  if (!store) {
    store = {
      records: new RecordTable(),
      sessions: new Map(),
      journals: new Map(),
    };
    stores.set(scope, store);
  }
  return store;
}

/**
 * Metadata in this process's memory: fast, shared by scope, lost on exit. Every method runs
 * synchronously over the maps, so each one is atomic with respect to other sessions.
 */
export class InMemoryBackend extends FennFlowBackend {
  readonly kind = 'in-memory';

  constructor(readonly scope: string) {
    super();
  }

  /** Forgets the metadata of one scope, or of all scopes. Meant for tests. */
  static reset(scope?: string): void {
    if (scope === undefined) stores.clear();
    else stores.delete(scope);
  }

  private get store(): ScopeStore {
    return storeFor(this.scope);
  }

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  async createSession(session: SessionRecord): Promise<void> {
    this.store.sessions.set(session.id, { ...session });
  }

  async renewLease(sessionId: string, leaseExpiresAt: Date): Promise<void> {
    const session = this.store.sessions.get(sessionId);
    if (session)
      this.store.sessions.set(sessionId, { ...session, leaseExpiresAt });
  }

  async getSession(sessionId: string): Promise<SessionRecord | null> {
    const session = this.store.sessions.get(sessionId);
    return session ? { ...session } : null;
  }

  async setSessionState(sessionId: string, state: SessionState): Promise<void> {
    const session = this.store.sessions.get(sessionId);
    if (session) this.store.sessions.set(sessionId, { ...session, state });
  }

  async claimSession(
    sessionId: string,
    now: Date,
    leaseExpiresAt: Date,
  ): Promise<boolean> {
    const session = this.store.sessions.get(sessionId);
    if (!session || session.leaseExpiresAt.getTime() >= now.getTime())
      return false;
    this.store.sessions.set(sessionId, { ...session, leaseExpiresAt });
    return true;
  }

  async findExpiredSessions(
    now: Date,
    limit: number,
  ): Promise<SessionRecord[]> {
    return [...this.store.sessions.values()]
      .filter((s) => s.leaseExpiresAt.getTime() < now.getTime())
      .sort((a, b) => a.leaseExpiresAt.getTime() - b.leaseExpiresAt.getTime())
      .slice(0, limit)
      .map((s) => ({ ...s }));
  }

  async endSession(sessionId: string): Promise<void> {
    const { sessions, journals, records } = this.store;
    sessions.delete(sessionId);
    journals.delete(sessionId);
    for (const [key, record] of records.lockedBy(sessionId)) {
      records.set(key, { ...record, lockedBy: null });
    }
  }

  async getRecords(
    keys: readonly RecordKey[],
  ): Promise<Map<string, FileRecord>> {
    const found = new Map<string, FileRecord>();
    for (const key of keys) {
      const id = recordKeyOf(key);
      const record = this.store.records.get(id);
      if (record) found.set(id, cloneRecord(record));
    }
    return found;
  }

  async listVisible(query: ListVisibleQuery): Promise<FileRecord[]> {
    const page: FileRecord[] = [];
    for (const record of this.store.records.scan(
      query.namespace,
      query.prefix,
      query.after,
    )) {
      if (page.length >= query.limit) break;
      if (isVisibleTo(record, query.sessionId)) page.push(cloneRecord(record));
    }
    return page;
  }

  async isEmpty(): Promise<boolean> {
    for (const record of this.store.records.values()) {
      if (record.status !== 'failed') return false;
    }
    return true;
  }

  async stage<T>(
    keys: readonly RecordKey[],
    decide: (snapshot: StagingSnapshot) => StagingChanges<T>,
  ): Promise<T> {
    const { records, sessions, journals } = this.store;
    const loaded = new Map<string, FileRecord>();
    const lockHolders = new Map<string, SessionRecord>();
    for (const key of keys) {
      const id = recordKeyOf(key);
      const record = records.get(id);
      if (!record) continue;
      loaded.set(id, cloneRecord(record));
      const holder = record.lockedBy
        ? sessions.get(record.lockedBy)
        : undefined;
      if (holder) lockHolders.set(holder.id, { ...holder });
    }
    const changes = decide({ records: loaded, lockHolders });
    for (const record of changes.records)
      records.set(recordKeyOf(record), cloneRecord(record));
    for (const entry of changes.journal) {
      const journal = journals.get(entry.sessionId) ?? [];
      journal.push({ ...entry });
      journals.set(entry.sessionId, journal);
    }
    return changes.result;
  }

  async updatePending(
    sessionId: string,
    updates: readonly RecordUpdate[],
  ): Promise<void> {
    const { records } = this.store;
    for (const update of updates) {
      const id = recordKeyOf(update);
      const record = records.get(id);
      if (
        !record ||
        record.status !== 'pending' ||
        record.lockedBy !== sessionId
      )
        continue;
      records.set(id, {
        ...record,
        size: update.size === undefined ? record.size : update.size,
        etag: update.etag === undefined ? record.etag : update.etag,
      });
    }
  }

  async getJournal(sessionId: string): Promise<JournalEntry[]> {
    return (this.store.journals.get(sessionId) ?? []).map((e) => ({ ...e }));
  }

  async commitSession(sessionId: string, now: Date): Promise<JournalEntry[]> {
    const { records, sessions } = this.store;
    for (const [key, record] of records.lockedBy(sessionId)) {
      if (record.status !== 'pending') continue;
      const removed = record.operation === 'delete';
      records.set(key, {
        ...record,
        status: removed ? 'deleted' : 'uploaded',
        lockedBy: removed ? sessionId : null,
        updatedAt: now,
      });
    }
    const session = sessions.get(sessionId);
    if (session) sessions.set(sessionId, { ...session, state: 'committing' });
    return (await this.getJournal(sessionId)).filter(
      (e) => e.state === 'active',
    );
  }

  async completeCommit(sessionId: string): Promise<void> {
    const { records, sessions, journals } = this.store;
    for (const [key, record] of records.lockedBy(sessionId)) {
      if (record.status === 'deleted') {
        records.set(key, { ...record, lockedBy: null });
      }
    }
    const remaining = (journals.get(sessionId) ?? []).filter(
      (e) => e.state !== 'active',
    );
    journals.set(sessionId, remaining);
    const session = sessions.get(sessionId);
    if (session) {
      sessions.set(sessionId, {
        ...session,
        state: remaining.length > 0 ? 'compensation_failed' : 'open',
      });
    }
  }

  async applyRollback(
    sessionId: string,
    outcome: RollbackOutcome,
  ): Promise<void> {
    const { records, journals } = this.store;
    for (const record of outcome.records)
      records.set(recordKeyOf(record), cloneRecord(record));
    const settled = new Set(outcome.settledOperationIds);
    const failed = new Map(
      outcome.failedSteps.map((f) => [f.operationId, f.error]),
    );
    const journal = (journals.get(sessionId) ?? [])
      .filter((e) => !settled.has(e.operationId))
      .map((e) =>
        failed.has(e.operationId)
          ? {
              ...e,
              state: 'compensation_failed' as const,
              error: failed.get(e.operationId) ?? null,
            }
          : e,
      );
    journals.set(sessionId, journal);
  }
}

function cloneRecord(record: FileRecord): FileRecord {
  return { ...record, metadata: { ...record.metadata } };
}
