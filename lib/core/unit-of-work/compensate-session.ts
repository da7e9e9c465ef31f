import type { FennFlowBackend } from '../backend/fennflow-backend';
import { recordKeyOf } from '../backend/file-record';
import type { FileRecord } from '../backend/file-record';
import type { JournalEntry } from '../backend/journal-entry';
import type {
  FennFlowConnector,
  PutObjectResult,
} from '../connector/fennflow-connector';
import { CompensationFailure, NoSuchKeyError } from '../errors/fennflow.errors';
import { removeObjectsQuietly } from './remove-objects';
import { failedRecord } from './failed-record';
import type { FennFlowLogger } from './fennflow-logger';

interface PathSteps {
  readonly namespace: string;
  readonly path: string;
  readonly entries: JournalEntry[];
}

/**
 * Undoes every journal step of a session, newest path first, each path independently: storage
 * goes back to its state before the session, then the rows follow in one backend call. A path
 * that cannot be restored keeps its journal steps and backup, marked `compensation_failed`.
 *
 * Per path, the step that decides the restore is the last one that set one: a later step only
 * sets one when it learnt more about the key (an object that was missing, or an orphan found).
 */
export async function compensateSession(
  backend: FennFlowBackend,
  connector: FennFlowConnector,
  sessionId: string,
  logger: FennFlowLogger,
): Promise<CompensationFailure[]> {
  const journal = await backend.getJournal(sessionId);
  if (journal.length === 0) return [];

  const paths = groupByPath(journal);
  const current = await backend.getRecords(paths);
  const now = new Date();
  const failures: CompensationFailure[] = [];
  const rows: FileRecord[] = [];
  const settled: string[] = [];
  const failedSteps: { operationId: string; error: string }[] = [];
  const backupsToRemove: { namespace: string; key: string }[] = [];

  for (const steps of paths) {
    const decisive = [...steps.entries]
      .reverse()
      .find((e) => e.restore !== 'none');
    const first = steps.entries.find((e) => e.firstTouch);
    try {
      const restored = decisive ? await restoreKey(connector, decisive) : null;
      rows.push(
        restoredRow(
          first,
          steps.entries[steps.entries.length - 1],
          sessionId,
          now,
          restored?.etag,
        ),
      );
      for (const entry of steps.entries) {
        settled.push(entry.operationId);
        if (entry.backupPath)
          backupsToRemove.push({
            namespace: entry.namespace,
            key: entry.backupPath,
          });
      }
    } catch (error) {
      const step = decisive ?? steps.entries[steps.entries.length - 1];
      const message = error instanceof Error ? error.message : String(error);
      logger.error(
        `Compensation of ${step.operation} '${steps.path}' in '${steps.namespace}' failed: ${message}`,
      );
      failures.push({
        operationId: step.operationId,
        operation: step.operation,
        namespace: steps.namespace,
        path: steps.path,
        cause: error,
      });
      const row = current.get(recordKeyOf(steps)) ?? first?.previous;
      if (row) {
        rows.push({
          ...row,
          status: 'compensation_failed',
          lockedBy: sessionId,
          error: message,
          updatedAt: now,
        });
      }
      for (const entry of steps.entries)
        failedSteps.push({ operationId: entry.operationId, error: message });
    }
  }

  // Backups go before the journal steps that name them: if the process dies in between, the
  // retry finds no backup, which means "nothing to restore", and the key was restored already.
  await removeObjectsQuietly(connector, backupsToRemove, logger);
  await backend.applyRollback(sessionId, {
    records: rows,
    settledOperationIds: settled,
    failedSteps,
  });
  return failures;
}

/** Brings a key back to its state before the session; returns the copy's result when it restored bytes. */
export async function restoreKey(
  connector: FennFlowConnector,
  step: JournalEntry,
): Promise<PutObjectResult | null> {
  if (step.restore === 'delete') {
    await connector.deleteObjects(step.namespace, [step.path]);
    return null;
  }
  if (step.restore === 'backup' && step.backupPath) {
    try {
      return await connector.copyObject(
        { namespace: step.namespace, key: step.backupPath },
        { namespace: step.namespace, key: step.path },
      );
    } catch (error) {
      // No backup means the overwrite it guards never started: the original is still in place.
      if (!(error instanceof NoSuchKeyError)) throw error;
    }
  }
  return null;
}

function restoredRow(
  first: JournalEntry | undefined,
  last: JournalEntry,
  sessionId: string,
  now: Date,
  restoredEtag: string | undefined,
): FileRecord {
  // A server-side copy may give the restored object a new etag (multipart, KMS): keep it true.
  if (first?.previous) {
    return { ...first.previous, etag: restoredEtag ?? first.previous.etag };
  }
  return failedRecord(last, sessionId, now, 'rolled back');
}

function groupByPath(journal: JournalEntry[]): PathSteps[] {
  const byKey = new Map<string, PathSteps>();
  for (const entry of [...journal].sort((a, b) => a.seq - b.seq)) {
    const id = recordKeyOf(entry);
    let steps = byKey.get(id);
    if (!steps) {
      steps = { namespace: entry.namespace, path: entry.path, entries: [] };
      byKey.set(id, steps);
    }
    steps.entries.push(entry);
  }
  const lastSeq = (s: PathSteps) => s.entries[s.entries.length - 1].seq;
  return [...byKey.values()].sort((a, b) => lastSeq(b) - lastSeq(a));
}
