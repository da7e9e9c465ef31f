import type { FennFlowBackend } from '../backend/fennflow-backend';
import { recordKeyOf } from '../backend/file-record';
import type { FileRecord } from '../backend/file-record';
import type {
  FennFlowConnector,
  ObjectSummary,
} from '../connector/fennflow-connector';
import { validateNamespace } from '../paths/namespace';
import { isReservedPath, RESERVED_PREFIX } from '../paths/storage-path';
import { isImportableKey } from '../reconcile/reconciler';
import { storagePages } from '../reconcile/sorted-streams';
import { consoleLogger } from '../unit-of-work/fennflow-logger';
import type { FennFlowLogger } from '../unit-of-work/fennflow-logger';
import { recoverSession } from '../unit-of-work/recover-session';
import type { RecoveryResult } from '../unit-of-work/recover-session';
import { sessionIdOfBackup } from './backup-key';
import type {
  GcFailure,
  GcKeptReason,
  GcKeptSession,
  GcProgress,
  GcReason,
  GcRemoval,
  GcReport,
} from './gc-report';

export interface GarbageCollectorOptions {
  readonly backend: FennFlowBackend;
  readonly connector: FennFlowConnector;
  readonly namespaces: readonly string[];
  readonly logger?: FennFlowLogger;
  /** Lease taken while recovering an expired session; default 30 s. */
  readonly leaseMs?: number;
}

export interface CollectOptions {
  /** Also remove objects outside `fennflow/tmp/` that have no visible record. Default false. */
  readonly orphans?: boolean;
  /**
   * Orphans modified less than this long ago are kept (a create may be in flight), and so are
   * the temp files and multipart uploads of interrupted writes. Default 24 h.
   */
  readonly graceMs?: number;
  /** List what would be removed; remove and recover nothing. */
  readonly dryRun?: boolean;
  /** Objects listed per page; default 1000. */
  readonly batchSize?: number;
  readonly onProgress?: (progress: GcProgress) => void;
}

export const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000;

type SessionVerdict =
  { readonly remove: GcReason } | { readonly keep: GcKeptReason };

interface RunState {
  readonly dryRun: boolean;
  readonly now: Date;
  readonly verdicts: Map<string, SessionVerdict>;
  readonly removed: GcRemoval[];
  readonly recovered: Array<{ sessionId: string; result: RecoveryResult }>;
  readonly failures: GcFailure[];
  scanned: number;
  skippedUnknown: number;
  abandonedUploads: number;
}

/**
 * Removes what failures leave in storage: backups of finished sessions and, on request, objects
 * no record describes. Never removes an object with a visible record, nor the backups of a
 * session that may still need them (alive, or compensation failed).
 */
export class GarbageCollector {
  readonly namespaces: readonly string[];
  private readonly logger: FennFlowLogger;

  constructor(private readonly options: GarbageCollectorOptions) {
    this.namespaces = [...new Set(options.namespaces.map(validateNamespace))];
    this.logger = options.logger ?? consoleLogger;
  }

  async collect(options: CollectOptions = {}): Promise<GcReport> {
    const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
    if (!Number.isFinite(graceMs) || graceMs < 0) {
      throw new RangeError(`graceMs must be 0 or more, got ${graceMs}.`);
    }
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(
        `batchSize must be a positive integer, got ${batchSize}.`,
      );
    }
    const started = Date.now();
    const state: RunState = {
      dryRun: options.dryRun ?? false,
      now: new Date(started),
      verdicts: new Map(),
      removed: [],
      recovered: [],
      failures: [],
      scanned: 0,
      skippedUnknown: 0,
      abandonedUploads: 0,
    };
    for (const namespace of this.namespaces) {
      await this.collectBackups(
        namespace,
        batchSize,
        state,
        options.onProgress,
      );
      if (options.orphans) {
        await this.collectOrphans(
          namespace,
          batchSize,
          started - graceMs,
          state,
          options.onProgress,
        );
      }
      await this.collectAbandonedUploads(
        namespace,
        new Date(started - graceMs),
        state,
      );
    }
    const keptSessions: GcKeptSession[] = [];
    for (const [sessionId, verdict] of state.verdicts) {
      if ('keep' in verdict)
        keptSessions.push({ sessionId, reason: verdict.keep });
    }
    const verb = state.dryRun ? 'would remove' : 'removed';
    this.logger.log(
      `Garbage collection ${verb} ${state.removed.length} object(s) and ${state.abandonedUploads} abandoned upload(s); kept the backups of ${keptSessions.length} session(s); ${state.failures.length} failure(s).`,
    );
    return {
      dryRun: state.dryRun,
      removed: state.removed,
      recovered: state.recovered,
      keptSessions,
      scanned: state.scanned,
      abandonedUploads: state.abandonedUploads,
      skippedUnknown: state.skippedUnknown,
      failures: state.failures,
      durationMs: Date.now() - started,
    };
  }

  private async collectBackups(
    namespace: string,
    batchSize: number,
    state: RunState,
    onProgress: CollectOptions['onProgress'],
  ): Promise<void> {
    const begun = Date.now();
    let scanned = 0;
    let removed = 0;
    for await (const page of storagePages(
      this.options.connector,
      namespace,
      batchSize,
      RESERVED_PREFIX,
    )) {
      scanned += page.length;
      state.scanned += page.length;
      const doomed: GcRemoval[] = [];
      for (const object of page) {
        const sessionId = sessionIdOfBackup(object.key);
        if (sessionId === null) {
          state.skippedUnknown++;
          continue;
        }
        const verdict = await this.verdictFor(sessionId, state);
        if ('remove' in verdict) {
          doomed.push(removal(namespace, object, verdict.remove, sessionId));
        }
      }
      removed += await this.remove(namespace, doomed, state);
      onProgress?.({
        namespace,
        phase: 'backups',
        scanned,
        removed,
        elapsedMs: Date.now() - begun,
      });
    }
  }

  /** Decided once per session and run; backups of one session share the verdict. */
  private async verdictFor(
    sessionId: string,
    state: RunState,
  ): Promise<SessionVerdict> {
    const known = state.verdicts.get(sessionId);
    if (known) return known;
    const verdict = await this.judgeSession(sessionId, state);
    state.verdicts.set(sessionId, verdict);
    return verdict;
  }

  private async judgeSession(
    sessionId: string,
    state: RunState,
  ): Promise<SessionVerdict> {
    const { backend, connector } = this.options;
    const session = await backend.getSession(sessionId);
    if (!session) return { remove: 'session-finished' };
    if (session.state === 'compensation_failed') {
      return { keep: 'compensation-failed' };
    }
    if (session.leaseExpiresAt.getTime() >= state.now.getTime()) {
      return { keep: 'live' };
    }
    if (state.dryRun) return { keep: 'needs-recovery' };
    try {
      const result = await recoverSession(backend, connector, sessionId, {
        logger: this.logger,
        leaseMs: this.options.leaseMs ?? 30_000,
      });
      state.recovered.push({ sessionId, result });
    } catch (error) {
      state.failures.push({
        namespace: null,
        sessionId,
        keys: [],
        error: `Recovery failed: ${messageOf(error)}`,
      });
      return { keep: 'not-recovered' };
    }
    return (await backend.getSession(sessionId))
      ? { keep: 'not-recovered' }
      : { remove: 'session-recovered' };
  }

  private async collectOrphans(
    namespace: string,
    batchSize: number,
    cutoff: number,
    state: RunState,
    onProgress: CollectOptions['onProgress'],
  ): Promise<void> {
    const { backend, connector } = this.options;
    const begun = Date.now();
    let scanned = 0;
    let removed = 0;
    for await (const page of storagePages(connector, namespace, batchSize)) {
      const candidates: ObjectSummary[] = [];
      for (const object of page) {
        if (isReservedPath(object.key)) continue; // backups: handled above
        scanned++;
        state.scanned++;
        if (!isImportableKey(object.key)) {
          state.skippedUnknown++;
          continue;
        }
        if (object.lastModified.getTime() < cutoff) candidates.push(object);
      }
      if (candidates.length > 0) {
        const keys = candidates.map((o) => ({ namespace, path: o.key }));
        const rows = await backend.getRecords(keys);
        let orphans = candidates.filter((o) =>
          isOrphanRow(rows.get(recordKeyOf({ namespace, path: o.key }))),
        );
        if (!state.dryRun && orphans.length > 0) {
          // Read again right before deleting: a session may have claimed a key since.
          const again = await backend.getRecords(
            orphans.map((o) => ({ namespace, path: o.key })),
          );
          orphans = orphans.filter((o) => {
            const id = recordKeyOf({ namespace, path: o.key });
            return sameOrphanRow(rows.get(id), again.get(id));
          });
        }
        removed += await this.remove(
          namespace,
          orphans.map((o) => removal(namespace, o, 'orphan', null)),
          state,
        );
      }
      onProgress?.({
        namespace,
        phase: 'orphans',
        scanned,
        removed,
        elapsedMs: Date.now() - begun,
      });
    }
  }

  /** Temp files and multipart uploads of interrupted writes; in a dry run, only counted. */
  private async collectAbandonedUploads(
    namespace: string,
    olderThan: Date,
    state: RunState,
  ): Promise<void> {
    try {
      state.abandonedUploads +=
        await this.options.connector.removeAbandonedUploads(
          namespace,
          olderThan,
          { dryRun: state.dryRun },
        );
    } catch (error) {
      state.failures.push({
        namespace,
        sessionId: null,
        keys: [],
        error: `Removing abandoned uploads failed: ${messageOf(error)}`,
      });
      this.logger.warn(
        `Garbage collection could not remove abandoned uploads in '${namespace}': ${messageOf(error)}`,
      );
    }
  }

  private async remove(
    namespace: string,
    doomed: readonly GcRemoval[],
    state: RunState,
  ): Promise<number> {
    if (doomed.length === 0) return 0;
    if (!state.dryRun) {
      try {
        await this.options.connector.deleteObjects(
          namespace,
          doomed.map((d) => d.key),
        );
      } catch (error) {
        state.failures.push({
          namespace,
          sessionId: null,
          keys: doomed.map((d) => d.key),
          error: messageOf(error),
        });
        this.logger.warn(
          `Garbage collection could not remove ${doomed.length} object(s) in '${namespace}': ${messageOf(error)}`,
        );
        return 0;
      }
    }
    state.removed.push(...doomed);
    return doomed.length;
  }
}

/** No row, or a row nobody can see nor is working on: a committed delete or a failed create. */
function isOrphanRow(row: FileRecord | undefined): boolean {
  return (
    !row ||
    (row.lockedBy === null &&
      (row.status === 'deleted' || row.status === 'failed'))
  );
}

function sameOrphanRow(
  before: FileRecord | undefined,
  after: FileRecord | undefined,
): boolean {
  if (!before || !after) return !before && !after;
  return (
    isOrphanRow(after) &&
    after.operationId === before.operationId &&
    after.status === before.status
  );
}

function removal(
  namespace: string,
  object: ObjectSummary,
  reason: GcReason,
  sessionId: string | null,
): GcRemoval {
  return {
    namespace,
    key: object.key,
    reason,
    sessionId,
    size: object.size,
    lastModified: object.lastModified,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
