import type { FennFlowBackend } from '../backend/fennflow-backend';
import { recordKeyOf } from '../backend/file-record';
import type { JournalEntry } from '../backend/journal-entry';
import type { FennFlowConnector } from '../connector/fennflow-connector';
import type { FennFlowLogger } from './fennflow-logger';
import { removeObjectsQuietly } from './remove-objects';

/**
 * Runs after the commit point: removes the backups of the committed steps and the objects of
 * files the session deleted (each path's last step decides), then releases the deleted paths.
 */
export async function finishCommit(
  backend: FennFlowBackend,
  connector: FennFlowConnector,
  sessionId: string,
  committed: readonly JournalEntry[],
  logger: FennFlowLogger,
): Promise<void> {
  const lastStepByPath = new Map<string, JournalEntry>();
  for (const entry of [...committed].sort((a, b) => a.seq - b.seq)) {
    lastStepByPath.set(recordKeyOf(entry), entry);
  }
  const garbage: { namespace: string; key: string }[] = [];
  for (const entry of committed) {
    if (entry.backupPath)
      garbage.push({ namespace: entry.namespace, key: entry.backupPath });
  }
  for (const last of lastStepByPath.values()) {
    if (last.effect === 'remove')
      garbage.push({ namespace: last.namespace, key: last.path });
  }
  await removeObjectsQuietly(connector, garbage, logger);
  await backend.completeCommit(sessionId);
}
